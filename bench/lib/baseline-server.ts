/**
 * The floor the benches hold Stackling against: a bare `node:http` server (run as its own process, like the
 * cloud) that answers each configured route with a captured response, byte for byte. A route may first derive a
 * scrypt key from the request's password, with the same parameters as Stackling's password hasher, so that token
 * issue can be compared with the cost of the KDF alone.
 *
 *   node build/bench/lib/baseline-server.js CONFIG.json   → prints "Baseline is ready: http://127.0.0.1:PORT/"
 */
import http from 'node:http'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

export interface BaselineRoute {
  method: string
  path: string
  status: number
  headers: Record<string, string>
  body: string
  /** Derive a scrypt key from auth.identity.password.user.password before answering. */
  kdf?: { N: number; r: number; p: number; keylen: number; maxmem: number }
}

export interface BaselineConfig {
  routes: BaselineRoute[]
}

export const BASELINE_READY = /Baseline is ready: http:\/\/127\.0\.0\.1:(\d+)\//

/** Headers Node writes itself; copying them would duplicate them. */
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

function main(): void {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BaselineConfig
  const routes = new Map<string, { route: BaselineRoute; body: Buffer; headers: Record<string, string | number> }>()
  for (const route of config.routes) {
    const body = Buffer.from(route.body)
    const headers: Record<string, string | number> = {}
    for (const [k, v] of Object.entries(route.headers)) if (!HOP_HEADERS.has(k.toLowerCase())) headers[k] = v
    headers['Content-Length'] = body.length
    routes.set(`${route.method} ${route.path}`, { route, body, headers })
  }
  // Loaded only when a route needs it, so the memory baseline stays a bare http server.
  const crypto = config.routes.some((r) => r.kdf) ? (require('node:crypto') as typeof import('node:crypto')) : undefined
  const salt = Buffer.alloc(16, 7)

  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const hit = routes.get(`${req.method} ${req.url}`)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (!hit) {
        res.writeHead(404, { 'Content-Length': 0 })
        res.end()
        return
      }
      const reply = () => {
        res.writeHead(hit.route.status, hit.headers)
        res.end(hit.body)
      }
      const kdf = hit.route.kdf
      if (!kdf || !crypto) return reply()
      let password = ''
      try {
        password = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).auth.identity.password.user.password)
      } catch {
        // hash the empty string: the cost is what is measured
      }
      crypto.scrypt(password.normalize('NFC'), salt, kdf.keylen, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: kdf.maxmem }, (err) => {
        if (err) {
          res.writeHead(500, { 'Content-Length': 0 })
          res.end()
        } else reply()
      })
    })
  })
  server.headersTimeout = 70_000
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`Baseline is ready: http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

if (require.main === module) main()
