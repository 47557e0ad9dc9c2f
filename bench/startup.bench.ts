/**
 * Cloud start: process spawn → "Stackling is ready" line, as `npm run serve` users see it.
 *
 * First start on a fresh data dir (creates the database, the admin and demo accounts), then restarts on that
 * existing dir, each one paired with a bare `node -e` http server that prints a ready line (the floor: Node's own
 * start-up plus a listening socket).
 */
import { median } from './lib/load'
import { makeTempDir, removeTempDir } from './lib/processes'
import { figure, targetBelow, type BenchOutput } from './lib/report'
import { startBareServer, startCloud } from './lib/servers'

const FRESH_RUNS = 3
const EXISTING_RUNS = 5

export async function runStartupBench(log: (msg: string) => void): Promise<BenchOutput> {
  const fresh: number[] = []
  const existing: number[] = []
  const bare: number[] = []
  const stopMs: number[] = []
  let dataDir: string | undefined

  log(`first start on a fresh data dir × ${FRESH_RUNS}`)
  for (let i = 0; i < FRESH_RUNS; i++) {
    const dir = makeTempDir('stackling-bench-start-')
    const cloud = await startCloud({ dataDir: dir })
    fresh.push(cloud.readyMs)
    await cloud.stop({ keep: true })
    if (dataDir === undefined) dataDir = dir
    else removeTempDir(dir)
  }

  log(`start on an existing data dir × ${EXISTING_RUNS}, each with a bare node -e server`)
  for (let i = 0; i < EXISTING_RUNS; i++) {
    // Alternate which goes first, so neither always gets the warmer page cache.
    const runBare = async () => {
      const server = await startBareServer()
      bare.push(server.readyMs)
      await server.stop()
    }
    const runCloud = async () => {
      const cloud = await startCloud({ dataDir })
      existing.push(cloud.readyMs)
      if (/First start/.test(cloud.output())) throw new Error('a restart on an existing data dir re-ran the first-start seeding')
      const t0 = process.hrtime.bigint()
      await cloud.stop({ keep: true })
      stopMs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    if (i % 2 === 0) {
      await runBare()
      await runCloud()
    } else {
      await runCloud()
      await runBare()
    }
  }
  if (dataDir) removeTempDir(dataDir)

  const s = median(existing) / 1000
  const b = median(bare) / 1000
  const f = median(fresh) / 1000
  return {
    name: 'startup',
    figures: [
      figure({
        id: 'start.existing',
        label: `Cloud start, existing data dir (median of ${EXISTING_RUNS})`,
        unit: 's',
        value: s,
        baseline: { label: 'bare node -e', value: b },
        target: targetBelow(s, 1.5, 's', '< 1.5 s'),
      }),
      figure({
        id: 'start.fresh',
        label: `Cloud first start, fresh data dir (median of ${FRESH_RUNS})`,
        unit: 's',
        value: f,
        baseline: { label: 'bare node -e', value: b },
      }),
      figure({ id: 'stop', label: `Cloud stop, SIGTERM → exit (median of ${EXISTING_RUNS})`, unit: 's', value: median(stopMs) / 1000 }),
    ],
    raw: { freshMs: fresh, existingMs: existing, bareMs: bare, stopMs },
  }
}
