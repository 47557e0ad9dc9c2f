/**
 * Runs the benches one after another (`npm run bench [-- identity startup memory]`), prints one table, and writes
 * bench-results/latest.json. Targets are informational: a missed target never fails the run; a bench that could
 * not run does (exit 1). Every child process and temp dir is gone when this process exits, however it exits.
 */
import path from 'node:path'
import { runComputeBench } from './compute.bench'
import { runDashboardBench } from './dashboard.bench'
import { runIdentityBench } from './identity.bench'
import { runImageBench } from './image.bench'
import { runMemoryBench } from './memory.bench'
import { runNetworkBench } from './network.bench'
import { runShellBench } from './shell.bench'
import { runObjectStoreBench } from './object-store.bench'
import { cleanupAll } from './lib/processes'
import { environment, renderTable, writeJson, type BenchOutput } from './lib/report'
import { runStartupBench } from './startup.bench'
import { runVolumeBench } from './volume.bench'
import { runVolumeAttachBench } from './volume-attach.bench'

const ROOT = path.resolve(__dirname, '../..')
const RESULTS = path.join(ROOT, 'bench-results', 'latest.json')

const BENCHES: Record<string, (log: (msg: string) => void) => Promise<BenchOutput>> = {
  identity: runIdentityBench,
  startup: runStartupBench,
  memory: runMemoryBench,
  image: runImageBench,
  compute: runComputeBench,
  network: runNetworkBench,
  volume: runVolumeBench,
  shell: runShellBench,
  'volume-attach': runVolumeAttachBench,
  'object-store': runObjectStoreBench,
  dashboard: runDashboardBench,
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2)
  const unknown = wanted.filter((w) => !(w in BENCHES))
  if (unknown.length) {
    process.stderr.write(`unknown bench: ${unknown.join(', ')} (choose from ${Object.keys(BENCHES).join(', ')})\n`)
    return 2
  }
  const names = wanted.length ? wanted : Object.keys(BENCHES)
  const outputs: BenchOutput[] = []
  const failures: { name: string; error: string }[] = []
  for (const name of names) {
    const t0 = Date.now()
    const log = (msg: string) => process.stderr.write(`[${name}] ${msg}\n`)
    try {
      outputs.push(await BENCHES[name]!(log))
      log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    } catch (err) {
      failures.push({ name, error: (err as Error)?.stack ?? String(err) })
      log(`FAILED: ${(err as Error)?.message ?? String(err)}`)
    } finally {
      // A failed bench must not leave servers running into the next one's measurements.
      cleanupAll()
    }
  }

  const env = environment(ROOT)
  process.stdout.write(`\nStackling benchmarks (Node ${process.version}, ${env.cpus} CPUs; ratio = Stackling / baseline)\n\n`)
  process.stdout.write(renderTable(outputs) + '\n')
  for (const f of failures) process.stdout.write(`\nBench '${f.name}' could not run:\n${f.error}\n`)
  writeJson(RESULTS, { environment: env, benches: outputs, failures })
  process.stdout.write(`\nResults: ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`)
  return failures.length ? 1 : 0
}

process.on('exit', cleanupAll)
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: Ctrl-C reaches this process both from the terminal and from scripts/bench.js.
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    process.stderr.write(`\n${signal}: stopping the servers and removing temp dirs\n`)
    cleanupAll()
    process.exit(130)
  })
}

let finished = false
// A promise that can never settle (a server that died unseen) would otherwise end the run silently with code 0.
process.on('beforeExit', () => {
  if (finished) return
  finished = true
  process.stderr.write('bench: stopped early: waiting on something that can no longer happen (did a server die?)\n')
  process.exitCode = 1
})

main().then(
  (code) => {
    finished = true
    process.exitCode = code
  },
  (err) => {
    finished = true
    process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`)
    process.exitCode = 1
  },
)
