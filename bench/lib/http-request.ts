import http from 'node:http'

export interface BenchResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** Bytes of the body. */
  bytes: number
  /** The body's first 64 KiB as text (JSON answers fit; a streamed GiB is only counted). */
  text: string
}

const MAX_TEXT = 64 * 1024

/** One HTTP request from a benchmark: the body is a string, a buffer or a stream (piped), the answer counted. */
export function request(url: URL, method: string, headers: Record<string, string | number>, body?: string | Buffer | NodeJS.ReadableStream, agent?: http.Agent): Promise<BenchResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent }, (res) => {
      let bytes = 0
      let text = ''
      res.on('data', (d: Buffer) => {
        bytes += d.length
        if (text.length < MAX_TEXT) text += d.toString('utf8')
      })
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes, text }))
    })
    req.on('error', reject)
    if (body === undefined) req.end()
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body)
    else body.pipe(req)
  })
}
