import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { startTestCloud, type Credentials, type RunningCloud } from '../../e2e/fixtures/cloud'
import { BASELINE_READY, type BaselineConfig } from './baseline-server'
import { makeTempDir, removeTempDir, spawnNode, trackChild, type SpawnedServer } from './processes'

const BASELINE_JS = path.join(__dirname, 'baseline-server.js')

/**
 * The headless cloud, started by the e2e fixture (spawn → ready line) and registered for cleanup. Without a
 * `dataDir` it gets a temp dir of its own, registered before the spawn (so an interrupt during start-up still
 * removes it) and removed by stop() unless `keep`. `readyMs` is spawn → ready line as seen by this process (it
 * includes reading credentials.json, well under a millisecond).
 */
export async function startCloud(opts: { dataDir?: string } = {}): Promise<RunningCloud & { readyMs: number; pid: number }> {
  const owned = opts.dataDir === undefined
  const dataDir = opts.dataDir ?? makeTempDir('stackling-bench-cloud-')
  const t0 = process.hrtime.bigint()
  const cloud = await startTestCloud({ dataDir })
  const readyMs = Number(process.hrtime.bigint() - t0) / 1e6
  const child = trackChild(cloud.process)
  return {
    ...cloud,
    readyMs,
    pid: child.pid!,
    stop: async (stopOpts) => {
      // The fixture's stop() would wait forever for an 'exit' already emitted if the child died of a signal.
      const alive = child.exitCode === null && child.signalCode === null
      const code = alive ? await cloud.stop({ keep: true }) : child.exitCode
      if (owned && !stopOpts?.keep) removeTempDir(dataDir)
      return code
    },
  }
}

/** The bare node:http baseline of bench/lib/baseline-server.ts, serving `config` in its own process. */
export async function startBaseline(config: BaselineConfig): Promise<SpawnedServer & { port: number }> {
  const dir = makeTempDir('stackling-bench-baseline-')
  const file = path.join(dir, 'baseline.json')
  writeFileSync(file, JSON.stringify(config))
  const server = await spawnNode([BASELINE_JS, file], BASELINE_READY)
  return { ...server, port: Number(server.match) }
}

/** The smallest server that prints a ready line: the floor for "process start → ready line". */
export const BARE_READY = /Baseline is ready: http:\/\/127\.0\.0\.1:(\d+)\//
export function startBareServer(): Promise<SpawnedServer> {
  const src =
    "const s=require('node:http').createServer((q,r)=>r.end('{}'));" +
    "s.listen(0,'127.0.0.1',()=>process.stdout.write('Baseline is ready: http://127.0.0.1:'+s.address().port+'/\\n'))"
  return spawnNode(['-e', src], BARE_READY)
}

/** Keystone v3 password auth, project-scoped, as `openstack token issue` sends it. */
export function passwordAuthBody(creds: Credentials): string {
  return JSON.stringify({
    auth: {
      identity: { methods: ['password'], password: { user: { name: creds.username, domain: { name: 'Default' }, password: creds.password } } },
      scope: { project: { name: creds.project, domain: { name: 'Default' } } },
    },
  })
}

export const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' }

/** Response headers as plain strings (what the baseline replays). */
export function flatHeaders(h: NodeJS.Dict<string | string[]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}
