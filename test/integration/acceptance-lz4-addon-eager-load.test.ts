// Regression test for a bug found while checking Brook on Node 22: src/codecs/lz4.ts loads the
// native `lz4` addon when the module is imported, and every broker start imports it. The addon
// is compiled for one Node ABI, so with a node_modules built under Node 20, `brook serve` on
// Node 22 dies before listening ("Module did not self-register: .../lz4/build/Release/xxhash.node"),
// although Brook needs the addon only to *write* lz4 (cleaner/recompression paths; reading lz4 is
// pure JS). Here the addon's load failure is simulated with a --require hook.
//
// Fixed: lz4.ts now loads the addon on the first lz4 compress.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/protocol/errors.js'
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js'
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js'
import { buildForTests, type Build } from '../helpers/build.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { startBrookProcess } from '../helpers/brook-process.js'

// makes require('lz4') fail the way an addon built for another Node ABI does
const FAILING_LZ4 = `
const Module = require('node:module')
const load = Module._load
Module._load = function (request, ...rest) {
  if (request === 'lz4') {
    const err = new Error("Module did not self-register: 'lz4/build/Release/xxhash.node' (simulated)")
    err.code = 'ERR_DLOPEN_FAILED'
    throw err
  }
  return load.call(this, request, ...rest)
}
`

let build: Build
let dir: string
beforeAll(() => {
  build = buildForTests()
  dir = mkdtempSync(join(tmpdir(), 'brook-lz4-addon-'))
  writeFileSync(join(dir, 'failing-lz4.cjs'), FAILING_LZ4)
})
afterAll(() => {
  build?.remove()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('lz4 native addon', () => {
  it('brook serve starts and answers although the lz4 addon cannot be loaded', async () => {
    const brook = await startBrookProcess(build.cliPath, ['--memory'], { nodeArgs: ['--require', join(dir, 'failing-lz4.cjs')] })
    try {
      const c = await RawKafkaClient.connect(brook.port)
      const res = await c.request(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'lz4-addon-test', clientSoftwareVersion: '1' })
      c.close()
      expect(res.errorCode).toBe(ErrorCode.NONE)
    } finally {
      brook.child.kill('SIGTERM')
      await brook.exited
    }
  })
})
