import { describe, expect, it } from 'vitest'
import { ConfigError, startBroker } from '../../src/index.js'
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js'
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js'
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js'
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js'
import { startTestBroker } from '../helpers/broker.js'
import { RawKafkaClient } from '../helpers/kafka-raw.js'
import { connectTo } from '../helpers/socket.js'

async function listTopics(port: number): Promise<{ names: string[]; clusterId: string | null }> {
  const c = await RawKafkaClient.connect(port)
  const res = await c.request(MetadataRequest, MetadataResponse, 12, {
    topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  })
  c.close()
  return { names: res.topics.map((t) => t.name!), clusterId: res.clusterId }
}

describe('startBroker', () => {
  it('defaults to memory-only storage on a free loopback port', async () => {
    const broker = await startBroker()
    try {
      expect(broker.dataDir).toBeNull()
      expect(broker.port).toBeGreaterThan(0)
      expect(broker.host).toBe('127.0.0.1')
      expect(broker.bootstrap).toBe(`127.0.0.1:${broker.port}`)
      expect((await listTopics(broker.port)).clusterId).toBe(broker.clusterId)
    } finally {
      await broker.stop()
    }
  })

  it('supports await using', async () => {
    let port = 0
    {
      await using broker = await startBroker()
      port = broker.port
      ;(await connectTo(port)).destroy()
    }
    await expect(connectTo(port)).rejects.toThrow()
  })

  it('stop() is idempotent', async () => {
    const broker = await startBroker()
    await Promise.all([broker.stop(), broker.stop()])
    await broker.stop()
    await expect(connectTo(broker.port)).rejects.toThrow()
  })

  it('rejects invalid settings with a ConfigError', async () => {
    await expect(startBroker({ config: { numPartitions: 0 } })).rejects.toThrow(ConfigError)
    await expect(startBroker({ config: { nope: 1 } as never })).rejects.toThrow(/nope/)
  })

  it('fails cleanly when the port is taken', async () => {
    const first = await startBroker()
    try {
      await expect(startBroker({ port: first.port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.stop()
    }
  })
})

describe('startTestBroker', () => {
  it('keeps topics and the cluster id across restart()', async () => {
    const tb = await startTestBroker()
    try {
      const c = await RawKafkaClient.connect(tb.port)
      const created = await c.request(CreateTopicsRequest, CreateTopicsResponse, 7, {
        topics: [{ name: 'survives-restart', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 1000,
        validateOnly: false,
      })
      c.close()
      expect(created.topics[0].errorCode).toBe(0)
      const before = await listTopics(tb.port)
      await tb.restart()
      const after = await listTopics(tb.port)
      expect(after.names).toContain('survives-restart')
      expect(after.clusterId).toBe(before.clusterId)
    } finally {
      await tb.stop()
    }
  })
})
