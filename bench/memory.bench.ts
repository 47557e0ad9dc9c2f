/**
 * Idle memory of the headless cloud: VmRSS after a restart on an existing data dir, a few requests (one password
 * token issue, which runs scrypt's 32 MiB KDF, then validations and a listing) and IDLE_MS of quiet; against a
 * bare node:http server given the same number of requests and the same quiet. Linux only (/proc/PID/status).
 */
import { fetchOnce, type RequestSpec } from './lib/load'
import { makeTempDir, peakRssMB, removeTempDir, rssMB, sleep } from './lib/processes'
import { figure, targetBelow, type BenchOutput } from './lib/report'
import { flatHeaders, JSON_HEADERS, passwordAuthBody, startBaseline, startCloud } from './lib/servers'

const IDLE_MS = 2_000
const VALIDATIONS = 20
const TOKENS = '/identity/v3/auth/tokens'

export async function runMemoryBench(log: (msg: string) => void): Promise<BenchOutput> {
  if (process.platform !== 'linux') {
    return { name: 'memory', figures: [], raw: {}, notes: ['memory bench skipped: it reads /proc/PID/status (Linux only)'] }
  }
  const dataDir = makeTempDir('stackling-bench-mem-')
  const seed = await startCloud({ dataDir })
  await seed.stop({ keep: true })

  log(`cloud: restart, ${IDLE_MS / 1000} s idle, token issue + ${VALIDATIONS} validations + 5 listings, ${IDLE_MS / 1000} s idle`)
  const cloud = await startCloud({ dataDir })
  let stackling: { started: number; idle: number; peak: number; requests: number }
  let validation: { headers: Record<string, string>; body: string }
  let validateSpec: RequestSpec
  try {
    await sleep(IDLE_MS)
    const started = rssMB(cloud.pid)!
    let requests = 0
    const must = async (spec: RequestSpec) => {
      const r = await fetchOnce(cloud.port, spec)
      requests++
      if (r.status !== spec.expectStatus) throw new Error(`${spec.method} ${spec.path}: ${r.status} ${r.body}`)
      return r
    }
    const issued = await must({ method: 'POST', path: TOKENS, headers: JSON_HEADERS, body: passwordAuthBody(cloud.admin), expectStatus: 201 })
    const token = String(issued.headers['x-subject-token'])
    validateSpec = { method: 'GET', path: TOKENS, headers: { 'X-Auth-Token': token, 'X-Subject-Token': token }, expectStatus: 200 }
    let last = await must(validateSpec)
    for (let i = 1; i < VALIDATIONS; i++) last = await must(validateSpec)
    validation = { headers: flatHeaders(last.headers), body: last.body }
    for (let i = 0; i < 5; i++) await must({ method: 'GET', path: '/identity/v3/projects', headers: { 'X-Auth-Token': token }, expectStatus: 200 })
    await sleep(IDLE_MS)
    stackling = { started, idle: rssMB(cloud.pid)!, peak: peakRssMB(cloud.pid)!, requests }
  } finally {
    await cloud.stop()
  }

  log(`bare node:http server: ${IDLE_MS / 1000} s idle, ${stackling.requests} requests, ${IDLE_MS / 1000} s idle`)
  const bare = await startBaseline({ routes: [{ method: 'GET', path: TOKENS, status: 200, headers: validation.headers, body: validation.body }] })
  let base: { started: number; idle: number; peak: number }
  try {
    await sleep(IDLE_MS)
    const started = rssMB(bare.pid)!
    for (let i = 0; i < stackling.requests; i++) {
      const r = await fetchOnce(bare.port, validateSpec)
      if (r.status !== 200) throw new Error(`baseline answered ${r.status}`)
    }
    await sleep(IDLE_MS)
    base = { started, idle: rssMB(bare.pid)!, peak: peakRssMB(bare.pid)! }
  } finally {
    await bare.stop()
  }
  removeTempDir(dataDir)

  return {
    name: 'memory',
    figures: [
      figure({
        id: 'rss.idle',
        label: `Idle RSS after start + ${stackling.requests} requests + ${IDLE_MS / 1000} s`,
        unit: 'MB',
        value: stackling.idle,
        baseline: { label: 'bare node:http', value: base.idle },
        target: targetBelow(stackling.idle, 150, 'MB', '< 150 MB'),
      }),
      figure({
        id: 'rss.started',
        label: `Idle RSS after start + ${IDLE_MS / 1000} s, no requests`,
        unit: 'MB',
        value: stackling.started,
        baseline: { label: 'bare node:http', value: base.started },
      }),
      figure({ id: 'rss.peak', label: 'Peak RSS (VmHWM) over that run', unit: 'MB', value: stackling.peak, baseline: { label: 'bare node:http', value: base.peak } }),
    ],
    raw: { stackling, baseline: base, idleMs: IDLE_MS },
  }
}
