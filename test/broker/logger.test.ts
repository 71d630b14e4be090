import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'

function capture(): { stream: Writable; lines: () => string[] } {
  let text = ''
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk
      cb()
    },
  })
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') }
}

describe('createLogger', () => {
  it('writes JSON lines at the chosen level', () => {
    const out = capture()
    const logger = createLogger('info', { destination: out.stream })
    logger.debug('hidden')
    logger.info({ connection: 3 }, 'shown')
    const lines = out.lines().map((l) => JSON.parse(l))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 30, connection: 3, msg: 'shown' })
    expect(typeof lines[0].time).toBe('string')
  })

  it('can be silent', () => {
    const out = capture()
    createLogger('silent', { destination: out.stream }).error('nothing')
    expect(out.lines()).toEqual([])
  })

  it('builds a pretty logger for terminals', () => {
    const logger = createLogger('warn', { pretty: true })
    expect(logger.level).toBe('warn')
  })
})
