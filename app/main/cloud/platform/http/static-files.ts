import { promises as fs, createReadStream } from 'node:fs'
import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { safeJoin } from '../paths'
import { DASHBOARD_CSP } from '../../../../shared/dashboard-csp'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export { DASHBOARD_CSP }

/** Serves the built dashboard; unknown paths without an extension get index.html (client-side routes). */
export class StaticFiles {
  constructor(private readonly root: string) {}

  async serve(urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    let file: string
    try {
      file = safeJoin(this.root, '.' + decodeURIComponent(urlPath))
    } catch {
      return this.notFound(res)
    }
    let stat = await fs.stat(file).catch(() => undefined)
    if (stat?.isDirectory()) {
      file = path.join(file, 'index.html')
      stat = await fs.stat(file).catch(() => undefined)
    }
    if (!stat && !path.extname(urlPath)) {
      file = path.join(this.root, 'index.html')
      stat = await fs.stat(file).catch(() => undefined)
    }
    if (!stat || !stat.isFile()) return this.notFound(res)
    const ext = path.extname(file)
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream')
    res.setHeader('Content-Length', stat.size)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('X-Frame-Options', 'DENY')
    if (ext === '.html') {
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP)
      res.setHeader('Cache-Control', 'no-cache')
    } else if (urlPath.startsWith('/assets/')) {
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
    }
    res.writeHead(200)
    if (req.method === 'HEAD') {
      res.end()
    } else {
      createReadStream(file).pipe(res)
    }
    return 200
  }

  private notFound(res: ServerResponse): number {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('Not found. The dashboard may not be built: run `npm run build`.\n')
    return 404
  }
}
