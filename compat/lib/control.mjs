// A loopback HTTP endpoint through which a scenario can restart the Brook the runner started,
// in the middle of a check (clients that stay connected across a restart or crash):
//   POST $COMPAT_CONTROL_URL/restart?mode=term|kill  ->  {"ok":true,"ms":123,"exit":{...}}
import http from 'node:http'

export function startControl({ restart }) {
  let queue = Promise.resolve()
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost')
    const mode = url.searchParams.get('mode') ?? 'term'
    if (req.method !== 'POST' || url.pathname !== '/restart' || !['term', 'kill'].includes(mode)) {
      res.writeHead(404).end()
      return
    }
    // one restart at a time, in arrival order
    queue = queue.then(async () => {
      const t0 = Date.now()
      try {
        const exit = await restart(mode)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ms: Date.now() - t0, exit }))
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: err.message }))
      }
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) })
    })
  })
}
