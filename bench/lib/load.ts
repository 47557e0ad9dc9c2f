import http from 'node:http'
import { cpuSeconds } from './processes'

/** One kind of request, sent over and over. The same bytes every time: the load is identical across targets. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'HEAD'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Any other status counts as an error. */
  expectStatus: number
}

export interface LoadOptions {
  /** Requests in flight at any time; one keep-alive connection each. */
  concurrency: number
  /** Sent first and not measured (JIT, connection set-up, caches). Ends at whichever limit comes first. */
  warmup: { requests: number; ms: number }
  /** The measured phase ends at whichever limit comes first. */
  measure: { requests: number; ms: number }
  /** The server's process: its CPU time over the measured phase is reported too (Linux). */
  serverPid?: number
}

export interface LoadResult {
  concurrency: number
  /** Measured requests that completed with the expected status. */
  requests: number
  errors: number
  seconds: number
  rps: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  meanMs: number
  /**
   * Share of one core the load generator itself used during the measured phase. Near 1.0 means the client,
   * not the server, may be what limits `rps`.
   */
  clientCpu: number
  /** Share of one core the server used during the measured phase (Linux; NaN elsewhere). */
  serverCpu: number
  /** Server CPU time per request, in µs: a figure that does not depend on how fast the client is. */
  serverCpuUsPerRequest: number
}

/** Thrown when a run sees too many errors to mean anything. */
export class LoadError extends Error {}

/**
 * A closed-loop load generator: `concurrency` workers each send one request, wait for the whole response, and
 * send the next, over a keep-alive agent with exactly `concurrency` sockets. Latency is measured per request
 * from `http.request` to the end of the body. Only 127.0.0.1.
 */
export async function runLoad(port: number, spec: RequestSpec, opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency })
  try {
    if (opts.warmup.requests > 0) await phase(agent, port, spec, opts.concurrency, opts.warmup.requests, opts.warmup.ms)
    const cpu0 = opts.serverPid === undefined ? undefined : cpuSeconds(opts.serverPid)
    const result = await phase(agent, port, spec, opts.concurrency, opts.measure.requests, opts.measure.ms)
    const cpu1 = opts.serverPid === undefined ? undefined : cpuSeconds(opts.serverPid)
    if (cpu0 !== undefined && cpu1 !== undefined) {
      result.serverCpu = (cpu1 - cpu0) / result.seconds
      result.serverCpuUsPerRequest = ((cpu1 - cpu0) * 1e6) / result.requests
    }
    return result
  } finally {
    agent.destroy()
  }
}

async function phase(agent: http.Agent, port: number, spec: RequestSpec, concurrency: number, maxRequests: number, maxMs: number): Promise<LoadResult> {
  const latencies = new Float64Array(maxRequests)
  let started = 0
  let completed = 0
  let errors = 0
  let firstError: string | undefined
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body)
  const headers = { ...spec.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) }
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const deadline = t0 + BigInt(Math.round(maxMs * 1e6))

  let aborted = false
  const worker = async () => {
    while (!aborted && started < maxRequests && process.hrtime.bigint() < deadline) {
      started++
      const s = process.hrtime.bigint()
      try {
        const status = await send(agent, port, spec, headers, body)
        if (status !== spec.expectStatus) throw new Error(`${spec.method} ${spec.path}: status ${status}, expected ${spec.expectStatus}`)
        latencies[completed++] = Number(process.hrtime.bigint() - s) / 1e6
      } catch (err) {
        errors++
        firstError ??= (err as Error).message
        // A dead server would otherwise turn into a busy loop of instant failures.
        if (errors > 20 && errors > started / 10) {
          aborted = true
          throw new LoadError(`too many errors (${errors} of ${started}); first: ${firstError}`)
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  if (completed === 0) throw new LoadError(`no request succeeded; first error: ${firstError ?? 'none'}`)

  const sorted = latencies.subarray(0, completed).sort()
  let sum = 0
  for (const v of sorted) sum += v
  return {
    concurrency,
    requests: completed,
    errors,
    seconds,
    rps: completed / seconds,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
    meanMs: sum / completed,
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    serverCpu: NaN,
    serverCpuUsPerRequest: NaN,
  }
}

function send(agent: http.Agent, port: number, spec: RequestSpec, headers: Record<string, string>, body: Buffer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent }, (res) => {
      res.on('error', reject)
      res.on('end', () => resolve(res.statusCode ?? 0))
      res.resume()
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}

/** One request, whole response kept: for capturing the bodies and headers the baselines replay. */
export function fetchOnce(
  port: number,
  spec: Omit<RequestSpec, 'expectStatus'>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body)
    const headers = { ...spec.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) }
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}
