/**
 * Headless entry point: `npm run serve -- --data-dir DIR --port PORT`. Starts the same cloud the desktop app
 * embeds and serves the dashboard at http://127.0.0.1:PORT/. Prints exactly one line starting with
 * "Stackling is ready" when it accepts requests; ends cleanly on SIGINT/SIGTERM. With `--doctor` it only checks the
 * machine (app/main/doctor), prints the report and exits (1 when something required is missing).
 * The port: --port > STACKLING_PORT > settings.json (the Settings page) > 8799.
 */
import { startCloud, PortInUseError } from './cloud/start-cloud'
import { DEFAULT_PORT, defaultDataDir } from './cloud/platform/paths'
import { readSettingsSync } from './cloud/platform/settings'
import { runDoctorCli } from './doctor/cli'

interface Args {
  dataDir: string
  port: number
  /** --doctor: check the machine and exit. */
  doctor?: boolean
  /** --json (with --doctor): the report as JSON. */
  json?: boolean
}

const USAGE = `Usage: npm run serve -- [--data-dir DIR] [--port PORT]
       npm run serve -- --doctor [--json] [--data-dir DIR]     (or: npm run doctor)

  --data-dir DIR   where the cloud keeps its state (default: ${defaultDataDir()})
  --port PORT      port on 127.0.0.1 for the APIs and the dashboard (default: the Settings page's, else ${DEFAULT_PORT}; 0 = any free port)
  --doctor         check that this machine has what the cloud needs (QEMU, accelerator, disk, memory), say what to
                   install where something is missing, and exit (status 1 when something required is missing)
  --json           with --doctor: print the report as JSON
`

export function parseArgs(argv: string[], env = process.env): Args | { help: true } | { error: string } {
  const args: Args = {
    dataDir: env.STACKLING_DATA_DIR || defaultDataDir(),
    port: env.STACKLING_PORT ? Number(env.STACKLING_PORT) : DEFAULT_PORT,
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined]
    const value = () => inline ?? argv[++i]
    if (flag === '--help' || flag === '-h') return { help: true }
    else if (flag === '--data-dir') {
      const v = value()
      if (!v) return { error: '--data-dir needs a folder' }
      args.dataDir = v
    } else if (flag === '--port') {
      const v = value()
      if (!v || !/^\d+$/.test(v) || Number(v) > 65535) return { error: `--port needs a number from 0 to 65535, not '${v ?? ''}'` }
      args.port = Number(v)
    } else if (flag === '--doctor') args.doctor = true
    else if (flag === '--json') args.json = true
    else return { error: `unknown option '${a}'` }
  }
  return args
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2))
  if ('help' in parsed) {
    process.stdout.write(USAGE)
    return
  }
  if ('error' in parsed) {
    process.stderr.write(`stackling: ${parsed.error}\n\n${USAGE}`)
    process.exit(2)
  }
  if (parsed.doctor) {
    process.exitCode = await runDoctorCli({ dataDir: parsed.dataDir, json: parsed.json })
    return
  }
  // No --port and no STACKLING_PORT: the port chosen on the Settings page, if any.
  if (!process.argv.slice(2).some((a) => a === '--port' || a.startsWith('--port=')) && !process.env.STACKLING_PORT) {
    parsed.port = readSettingsSync(parsed.dataDir).port ?? parsed.port
  }
  let cloud
  try {
    cloud = await startCloud({ dataDir: parsed.dataDir, port: parsed.port })
  } catch (err) {
    if (err instanceof PortInUseError) {
      process.stderr.write(`stackling: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  if (cloud.firstStart) {
    process.stdout.write(
      `First start: created the admin and demo accounts. Credentials: ${cloud.paths.cloudsYaml} ` +
        `(use: OS_CLIENT_CONFIG_FILE=${cloud.paths.cloudsYaml} openstack --os-cloud stackling token issue)\n`,
    )
  } else {
    process.stdout.write(`Credentials: ${cloud.paths.cloudsYaml}\n`)
  }
  process.stdout.write(`Stackling is ready: ${cloud.url}/ (data dir ${cloud.paths.root})\n`)
  if (cloud.firstStart) {
    // First run: say what this machine lacks (the same checks as --doctor and the Health page), a moment after
    // start so the check does not compete with the first requests.
    setTimeout(() => void firstRunCheck(cloud.paths.root), 1000).unref()
  }
  const shutdown = (signal: string) => {
    process.stdout.write(`Stackling is stopping (${signal})…\n`)
    const timer = setTimeout(() => process.exit(1), 10_000)
    timer.unref()
    cloud.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`stackling: error while stopping: ${String(err)}\n`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
}

async function firstRunCheck(dataDir: string): Promise<void> {
  let text = ''
  const code = await runDoctorCli({ dataDir, write: (t) => (text += t) }).catch(() => 0)
  const problems = text.split('\n').filter((l) => /^\[(FAIL|warn)\]|^ +→/.test(l))
  if (problems.length) {
    process.stdout.write(`${code ? 'This computer lacks something the cloud needs' : 'Worth knowing about this computer'} (npm run doctor; the dashboard's Health page):\n${problems.join('\n')}\n`)
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`stackling: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
