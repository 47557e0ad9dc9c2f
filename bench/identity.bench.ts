/**
 * Keystone token validation and token issue, against the bare node:http floor serving the very same bytes.
 *
 * (a) GET /v3/auth/tokens (X-Auth-Token = X-Subject-Token = one admin token) at 16 connections and at 1
 *     connection (unloaded latency), Stackling and the baseline in alternation (S B B S) to cancel drift;
 * (b) the baseline replays the body and headers captured from Stackling's own answer;
 * (c) POST /v3/auth/tokens (password, project scope) at 4 connections, against the same bare handler and against
 *     one that runs only scrypt with Stackling's parameters (the KDF floor).
 */
import { fetchOnce, runLoad, type LoadOptions, type LoadResult, type RequestSpec } from './lib/load'
import { figure, targetAtLeast, targetBelow, type BenchOutput } from './lib/report'
import { flatHeaders, JSON_HEADERS, passwordAuthBody, startBaseline, startCloud } from './lib/servers'

const TOKENS = '/identity/v3/auth/tokens'
/** app/main/cloud/services/identity/password-hasher.ts */
const SCRYPT = { N: 2 ** 15, r: 8, p: 3, keylen: 32, maxmem: 64 * 1024 * 1024 }

const THROUGHPUT: LoadOptions = { concurrency: 16, warmup: { requests: 3_000, ms: 600 }, measure: { requests: 40_000, ms: 2_500 } }
const UNLOADED: LoadOptions = { concurrency: 1, warmup: { requests: 500, ms: 300 }, measure: { requests: 8_000, ms: 1_500 } }
const ISSUE: LoadOptions = { concurrency: 4, warmup: { requests: 4, ms: 2_000 }, measure: { requests: 48, ms: 8_000 } }
/** Same load against the bare handler, which answers in microseconds: more requests for a stable figure. */
const ISSUE_BARE: LoadOptions = { ...ISSUE, warmup: { requests: 500, ms: 500 }, measure: { requests: 20_000, ms: 1_500 } }

export async function runIdentityBench(log: (msg: string) => void): Promise<BenchOutput> {
  const cloud = await startCloud()
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined
  try {
    const issueSpec: RequestSpec = { method: 'POST', path: TOKENS, headers: JSON_HEADERS, body: passwordAuthBody(cloud.admin), expectStatus: 201 }
    const issued = await fetchOnce(cloud.port, issueSpec)
    const token = issued.headers['x-subject-token']
    if (issued.status !== 201 || typeof token !== 'string') throw new Error(`token issue failed: ${issued.status} ${issued.body}`)
    const validateSpec: RequestSpec = {
      method: 'GET',
      path: TOKENS,
      headers: { 'X-Auth-Token': token, 'X-Subject-Token': token, Accept: 'application/json' },
      expectStatus: 200,
    }
    const validated = await fetchOnce(cloud.port, validateSpec)
    if (validated.status !== 200) throw new Error(`token validation failed: ${validated.status} ${validated.body}`)

    baseline = await startBaseline({
      routes: [
        { method: 'GET', path: TOKENS, status: 200, headers: flatHeaders(validated.headers), body: validated.body },
        { method: 'POST', path: TOKENS, status: 201, headers: flatHeaders(issued.headers), body: issued.body },
        { method: 'POST', path: `/kdf${TOKENS}`, status: 201, headers: flatHeaders(issued.headers), body: issued.body, kdf: SCRYPT },
      ],
    })
    const b = baseline
    const s = { port: cloud.port, pid: cloud.pid }
    const target = (t: { port: number; pid: number }, spec: RequestSpec, opts: LoadOptions) => runLoad(t.port, spec, { ...opts, serverPid: t.pid })

    log(`validation, ${THROUGHPUT.concurrency} connections (Stackling, baseline, baseline, Stackling)`)
    const [valS, valB] = await abba(
      () => target(s, validateSpec, THROUGHPUT),
      () => target(b, validateSpec, THROUGHPUT),
    )
    log('validation, 1 connection (S B B S)')
    const [val1S, val1B] = await abba(
      () => target(s, validateSpec, UNLOADED),
      () => target(b, validateSpec, UNLOADED),
    )
    log(`token issue, ${ISSUE.concurrency} connections (Stackling, bare handler, scrypt floor)`)
    const issS = await target(s, issueSpec, ISSUE)
    const issB = await target(b, issueSpec, ISSUE_BARE)
    const issK = await target(b, { ...issueSpec, path: `/kdf${TOKENS}` }, ISSUE)

    const bare = (value: number) => ({ label: 'bare handler', value })
    const kdf = (value: number) => ({ label: 'scrypt floor', value })
    const c16 = `c=${THROUGHPUT.concurrency}`
    const c4 = `c=${ISSUE.concurrency}`
    const figures = [
      figure({
        id: 'validation.rps',
        label: `Token validation rate (${c16})`,
        unit: 'req/s',
        value: valS.rps,
        baseline: bare(valB.rps),
        target: targetAtLeast(valS.rps / valB.rps, 0.5, '≥ 0.5× bare', `${(valS.rps / valB.rps).toFixed(2)}× of the bare rate`),
      }),
      figure({
        id: 'validation.capacity',
        label: 'Token validation capacity, 1 core (1 / CPU per request)',
        unit: 'req/s',
        value: 1e6 / valS.serverCpuUsPerRequest,
        baseline: bare(1e6 / valB.serverCpuUsPerRequest),
        target: targetAtLeast(
          valB.serverCpuUsPerRequest / valS.serverCpuUsPerRequest,
          0.5,
          '≥ 0.5× bare',
          `${(valB.serverCpuUsPerRequest / valS.serverCpuUsPerRequest).toFixed(2)}× of the bare capacity`,
        ),
      }),
      figure({
        id: 'validation.cpu',
        label: `Token validation server CPU/request (${c16})`,
        unit: 'µs',
        value: valS.serverCpuUsPerRequest,
        baseline: bare(valB.serverCpuUsPerRequest),
      }),
      figure({ id: 'validation.p50', label: `Token validation p50 (${c16})`, unit: 'ms', value: valS.p50Ms, baseline: bare(valB.p50Ms) }),
      figure({ id: 'validation.p99', label: `Token validation p99 (${c16})`, unit: 'ms', value: valS.p99Ms, baseline: bare(valB.p99Ms) }),
      figure({
        id: 'validation.unloaded.p50',
        label: 'Token validation p50 (c=1, unloaded)',
        unit: 'ms',
        value: val1S.p50Ms,
        baseline: bare(val1B.p50Ms),
        target: targetBelow(val1S.p50Ms, 1, 'ms', '< 1 ms'),
      }),
      figure({ id: 'validation.unloaded.p99', label: 'Token validation p99 (c=1, unloaded)', unit: 'ms', value: val1S.p99Ms, baseline: bare(val1B.p99Ms) }),
      figure({ id: 'validation.unloaded.rps', label: 'Token validation rate (c=1)', unit: 'req/s', value: val1S.rps, baseline: bare(val1B.rps) }),
      figure({ id: 'issue.rps', label: `Token issue rate (${c4})`, unit: 'req/s', value: issS.rps, baseline: bare(issB.rps) }),
      figure({ id: 'issue.rps.kdf', label: `Token issue rate (${c4})`, unit: 'req/s', value: issS.rps, baseline: kdf(issK.rps) }),
      figure({ id: 'issue.p50', label: `Token issue p50 (${c4})`, unit: 'ms', value: issS.p50Ms, baseline: bare(issB.p50Ms) }),
      figure({ id: 'issue.p50.kdf', label: `Token issue p50 (${c4})`, unit: 'ms', value: issS.p50Ms, baseline: kdf(issK.p50Ms) }),
      figure({ id: 'issue.p99.kdf', label: `Token issue p99 (${c4})`, unit: 'ms', value: issS.p99Ms, baseline: kdf(issK.p99Ms) }),
    ]
    const notes = [
      `The validation p50 target is judged at 1 connection: under a closed-loop load p50 ≈ concurrency / rate ` +
        `(Little's law), so at ${c16} it restates the rate rather than the latency.`,
    ]
    notes.push(
      `The rate rows depend on the load generator too (it used ${(valB.clientCpu * 100).toFixed(0)} % of a core against the baseline, ` +
        `${(valS.clientCpu * 100).toFixed(0)} % against Stackling) and on whatever else runs on the machine; the capacity row ` +
        `(server CPU per request, user + system, all threads) does not, so it is the fairer test of "half the bare handler's rate".`,
    )
    return {
      name: 'identity',
      figures,
      notes,
      raw: {
        validationBodyBytes: Buffer.byteLength(validated.body),
        issueBodyBytes: Buffer.byteLength(issued.body),
        validation: { stackling: valS, baseline: valB },
        validationUnloaded: { stackling: val1S, baseline: val1B },
        issue: { stackling: issS, bare: issB, scryptFloor: issK },
        options: { THROUGHPUT, UNLOADED, ISSUE, ISSUE_BARE, SCRYPT },
      },
    }
  } finally {
    await baseline?.stop()
    await cloud.stop()
  }
}

/**
 * Runs A, B, B, A and averages each pair, so that a machine that slowly speeds up or slows down (thermal,
 * neighbours) does not favour whichever ran first.
 */
async function abba(a: () => Promise<LoadResult>, b: () => Promise<LoadResult>): Promise<[LoadResult, LoadResult]> {
  const a1 = await a()
  const b1 = await b()
  const b2 = await b()
  const a2 = await a()
  return [mean(a1, a2), mean(b1, b2)]
}

function mean(x: LoadResult, y: LoadResult): LoadResult {
  const avg = (k: keyof LoadResult) => (x[k] + y[k]) / 2
  return {
    concurrency: x.concurrency,
    requests: x.requests + y.requests,
    errors: x.errors + y.errors,
    seconds: x.seconds + y.seconds,
    rps: (x.requests + y.requests) / (x.seconds + y.seconds),
    p50Ms: avg('p50Ms'),
    p90Ms: avg('p90Ms'),
    p99Ms: avg('p99Ms'),
    maxMs: Math.max(x.maxMs, y.maxMs),
    meanMs: (x.meanMs * x.requests + y.meanMs * y.requests) / (x.requests + y.requests),
    clientCpu: avg('clientCpu'),
    serverCpu: avg('serverCpu'),
    serverCpuUsPerRequest: (x.serverCpuUsPerRequest * x.requests + y.serverCpuUsPerRequest * y.requests) / (x.requests + y.requests),
  }
}
