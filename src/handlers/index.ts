// The handler registry list: one entry per API key Brook serves. ApiVersions is built from it.
// Each engineer adds their own handlers here.
import type { ApiHandler } from '../broker/handler.js'
import { handler as metadata } from './03-metadata.js'
import { handler as offsetCommit } from './08-offset-commit.js'
import { handler as offsetFetch } from './09-offset-fetch.js'
import { handler as findCoordinator } from './10-find-coordinator.js'
import { handler as joinGroup } from './11-join-group.js'
import { handler as heartbeat } from './12-heartbeat.js'
import { handler as leaveGroup } from './13-leave-group.js'
import { handler as syncGroup } from './14-sync-group.js'
import { handler as describeGroups } from './15-describe-groups.js'
import { handler as listGroups } from './16-list-groups.js'
import { handler as apiVersions } from './18-api-versions.js'
import { handler as createTopics } from './19-create-topics.js'
import { handler as deleteTopics } from './20-delete-topics.js'
import { handler as deleteGroups } from './42-delete-groups.js'
import { handler as offsetDelete } from './47-offset-delete.js'
import { handler as describeCluster } from './60-describe-cluster.js'

export const handlers: readonly ApiHandler[] = [
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteGroups,
  offsetDelete,
  describeCluster,
]
