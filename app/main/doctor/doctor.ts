import { adviceFor, CHECK_IDS, CHECKS, type CheckId, type Problem } from './advice'
import type { DoctorHost, HostOs } from './host'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'

/** One check's verdict (the JSON of GET /stackling/v1/health lists these). */
export interface CheckResult {
  id: CheckId
  title: string
  required: boolean
  status: CheckStatus
  /** One line: what was found ("QEMU emulator version 7.2.22 at /usr/bin/qemu-system-x86_64"). */
  summary: string
  /** What it is for. */
  why: string
  /** What to do on this OS; empty when the check passed. */
  advice: string[]
}

export interface DoctorReport {
  os: HostOs
  dataDir: string
  checkedAt: string
  /** False when a required check failed: the cloud cannot work (the CLI exits 1). */
  ok: boolean
  checks: CheckResult[]
}

export interface DoctorOptions {
  dataDir: string
  /** Accelerator override from the settings (auto/kvm/hvf/whpx/tcg); STACKLING_ACCEL in the host's env wins. */
  accelerator?: string
  /** Binaries the cloud uses (STACKLING_QEMU, STACKLING_QEMU_IMG); default the names on PATH. */
  qemuBinary?: string
  qemuImgBinary?: string
}

const MiB = 1024 ** 2
const GiB = 1024 ** 3
/** Thresholds: below `fail` the cloud cannot work; below `warn` it soon will not. */
export const LIMITS = { diskFail: 1 * GiB, diskWarn: 5 * GiB, memoryFail: 512 * MiB, memoryWarn: 2 * GiB, qemuMajor: 7, nodeMajor: 20, nodeMinor: 17 }

/**
 * Checks, on the machine `host` describes, what the cloud needs; every check that does not pass says what to do on
 * that OS. Never throws: a check that cannot run is a failed check with the reason.
 */
export async function runDoctor(host: DoctorHost, opts: DoctorOptions): Promise<DoctorReport> {
  const family = host.os.family
  const results = new Map<CheckId, CheckResult>()
  const put = (id: CheckId, status: CheckStatus, summary: string, problem?: Problem) => {
    const info = CHECKS[id]
    results.set(id, {
      id,
      title: info.title,
      required: info.required,
      status,
      summary,
      why: info.why,
      advice: status === 'ok' || status === 'skip' ? [] : adviceFor(id, family, problem, host.os.windowsHome),
    })
  }
  const guard = async (id: CheckId, fn: () => Promise<void>) => {
    try {
      await fn()
    } catch (err) {
      put(id, CHECKS[id].required ? 'fail' : 'warn', `the check could not run: ${(err as Error).message}`, 'unusable')
    }
  }

  await guard('node', async () => {
    const [major = 0, minor = 0] = host.nodeVersion.split('.').map(Number)
    const fits = major > LIMITS.nodeMajor || (major === LIMITS.nodeMajor && minor >= LIMITS.nodeMinor)
    put('node', fits ? 'ok' : 'fail', `Node.js ${host.nodeVersion}${fits ? '' : ` (needs ${LIMITS.nodeMajor}.${LIMITS.nodeMinor} or later)`}`, 'too-old')
  })

  let qemu: string | undefined
  await guard('qemu-system', async () => {
    qemu = await resolveBinary(host, opts.qemuBinary ?? 'qemu-system-x86_64')
    if (!qemu) return put('qemu-system', 'fail', `${opts.qemuBinary ?? 'qemu-system-x86_64'} is not installed (not found on PATH)`)
    const version = await host.versionOf(qemu, ['--version'])
    if (!version) {
      const at = qemu
      qemu = undefined
      return put('qemu-system', 'fail', `${at} is there but does not run (\`${at} --version\` failed)`, 'unusable')
    }
    const major = Number(/version (\d+)\./i.exec(version)?.[1] ?? NaN)
    if (major < LIMITS.qemuMajor) return put('qemu-system', 'warn', `${version} at ${qemu} (older than ${LIMITS.qemuMajor}.0: untested)`, 'too-old')
    put('qemu-system', 'ok', `${version} at ${qemu}`)
  })

  await guard('qemu-img', async () => {
    const img = await resolveBinary(host, opts.qemuImgBinary ?? 'qemu-img')
    if (!img) return put('qemu-img', 'fail', `${opts.qemuImgBinary ?? 'qemu-img'} is not installed (not found on PATH)`)
    const version = await host.versionOf(img, ['--version'])
    if (!version) return put('qemu-img', 'fail', `${img} is there but does not run`, 'unusable')
    put('qemu-img', 'ok', `${version} at ${img}`)
  })

  await guard('accelerator', async () => {
    if (!qemu) return put('accelerator', 'skip', 'not checked: QEMU is missing')
    const choice = await host.probeAccelerator(qemu, opts.accelerator)
    if (choice.accelerator !== 'tcg') return put('accelerator', 'ok', `${choice.note}${choice.cached ? ' (remembered from an earlier probe)' : ''}`)
    // TCG chosen on purpose (settings / STACKLING_ACCEL) is not a problem; TCG as a fallback is worth a warning.
    if (/chosen by/.test(choice.note)) return put('accelerator', 'ok', choice.note)
    put('accelerator', 'warn', `${choice.note}: guests run, slowly`, 'unusable')
  })

  await guard('disk', async () => {
    const free = await host.freeDiskBytes(opts.dataDir)
    const text = `${formatBytes(free)} free for ${opts.dataDir}`
    if (free < LIMITS.diskFail) return put('disk', 'fail', `${text} (needs at least ${formatBytes(LIMITS.diskFail)})`, 'low')
    if (free < LIMITS.diskWarn) return put('disk', 'warn', `${text} (less than ${formatBytes(LIMITS.diskWarn)}: images and instances will soon not fit)`, 'low')
    put('disk', 'ok', text)
  })

  await guard('memory', async () => {
    const mem = await host.memory()
    const text = `${formatBytes(mem.availableBytes)} available of ${formatBytes(mem.totalBytes)}`
    if (mem.availableBytes < LIMITS.memoryFail) return put('memory', 'fail', `${text} (no instance can start below ${formatBytes(LIMITS.memoryFail)})`, 'low')
    if (mem.availableBytes < LIMITS.memoryWarn) return put('memory', 'warn', `${text} (room for one or two small instances)`, 'low')
    put('memory', 'ok', text)
  })

  for (const [id, program] of [['openstack-cli', 'openstack'], ['swift-cli', 'swift']] as const) {
    await guard(id, async () => {
      const at = await host.which(program)
      put(id, at ? 'ok' : 'warn', at ? `${program} at ${at}` : `${program} is not installed (optional)`)
    })
  }

  const checks = CHECK_IDS.map((id) => results.get(id)!)
  return {
    os: host.os,
    dataDir: opts.dataDir,
    checkedAt: new Date().toISOString(),
    ok: checks.every((c) => !(c.required && c.status === 'fail')),
    checks,
  }
}

/** An absolute path is taken as given (when it exists); a bare name is looked up on PATH. */
async function resolveBinary(host: DoctorHost, name: string): Promise<string | undefined> {
  if (/[\\/]/.test(name)) return (await host.versionOf(name, ['--version'])) !== undefined ? name : undefined
  return host.which(name)
}

export function formatBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`
  return `${Math.round(n / MiB)} MiB`
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' }

/** The report for a terminal: one line per check, advice indented below the ones that did not pass. */
export function formatReport(report: DoctorReport): string {
  const lines = [`Stackling doctor: ${report.os.label} (${report.os.arch}), data folder ${report.dataDir}`, '']
  for (const c of report.checks) {
    lines.push(`[${MARK[c.status]}] ${c.title}: ${c.summary}`)
    for (const a of c.advice) lines.push(`         → ${a}`)
  }
  const failed = report.checks.filter((c) => c.required && c.status === 'fail')
  const warned = report.checks.filter((c) => c.status === 'warn')
  lines.push('')
  if (failed.length) lines.push(`Missing: ${failed.map((c) => c.title).join(', ')}. Stackling cannot run instances until these are fixed.`)
  else lines.push(`Everything Stackling needs is here${warned.length ? ` (${warned.length} warning${warned.length > 1 ? 's' : ''})` : ''}.`)
  return lines.join('\n') + '\n'
}
