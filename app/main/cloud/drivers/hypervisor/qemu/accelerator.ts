import { spawn, type ChildProcess } from 'node:child_process'
import { constants as fsConstants, promises as fs, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * Which QEMU accelerator guests use, and why. KVM (Linux), HVF (macOS) and WHPX (Windows) are tried only after a
 * probe guest proved that they work *and are fast*; otherwise TCG (pure emulation, always there).
 *
 * Why a probe boot and not just "does /dev/kvm open": on nested hosts (e.g. a Firecracker VM exposing /dev/kvm) KVM
 * opens, `query-kvm` says enabled, the vCPU even makes progress — but two orders of magnitude slower than TCG:
 * SeaBIOS takes 1.5 s instead of 0.08 s, and a Debian kernel never gets past its decompressor in a minute. So
 * the probe runs a fixed workload and demands that it finishes within a deadline a working accelerator meets
 * with a wide margin (TCG itself needs ~0.1 s for it, firmware included).
 */
export type Accelerator = 'kvm' | 'hvf' | 'whpx' | 'tcg'

export interface AcceleratorChoice {
  accelerator: Accelerator
  /** One sentence for HostInfo.acceleratorNote and the log: what was tried and why this one. */
  note: string
  /** Wall time of this choice (the probe boot, or reading the host cache). */
  probeMs: number
  /** The verdict came from the host cache (an earlier probe since the host booted, same QEMU). */
  cached?: boolean
}

export interface ProbeOptions {
  qemuBinary: string
  /**
   * `auto` (default) probes; a named accelerator is used as given, without a probe (the user knows better, or a
   * test wants TCG). The environment variable STACKLING_ACCEL overrides this when set.
   */
  override?: string
  platform?: NodeJS.Platform
  /** How long the probe guest may take to finish its workload, from spawn (default 2 s). */
  deadlineMs?: number
  /** How long it may take to reach its workload (firmware done, protected mode), from spawn (default 1 s). */
  startDeadlineMs?: number
  env?: NodeJS.ProcessEnv
  /**
   * The host cache of probe verdicts: a probe costs 1–2 s of start-up (and a CPU core while it runs), and its answer
   * holds until the host reboots or QEMU changes, so later processes reuse it. Default
   * `<tmpdir>/stackling-accel-<uid>.json`; `false` always probes.
   */
  cacheFile?: string | false
}

const ACCELERATORS: Accelerator[] = ['kvm', 'hvf', 'whpx', 'tcg']

/** The hardware accelerator this OS offers QEMU, if any. */
export function nativeAccelerator(platform: NodeJS.Platform): Exclude<Accelerator, 'tcg'> | undefined {
  if (platform === 'linux') return 'kvm'
  if (platform === 'darwin') return 'hvf'
  if (platform === 'win32') return 'whpx'
  return undefined
}

/** `-cpu` for an accelerator: the host CPU where the hardware runs the guest, the richest model under emulation. */
export function cpuModelFor(accel: Accelerator): string {
  return accel === 'kvm' || accel === 'hvf' ? 'host' : 'max'
}

/** Parses an override value (settings or STACKLING_ACCEL); undefined for `auto`/empty; throws on nonsense. */
export function parseAcceleratorOverride(value: string | undefined): Accelerator | undefined {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '' || v === 'auto') return undefined
  if ((ACCELERATORS as string[]).includes(v)) return v as Accelerator
  throw new Error(`unknown accelerator '${value}' (use auto, ${ACCELERATORS.join(', ')})`)
}

/**
 * The probe guest: one 512-byte boot sector (source: probe-boot-sector.S beside this file, assembled with GNU as
 * --32 and ld -Ttext=0x7c00 --oformat binary; in short below). It switches to 32-bit protected mode, prints a start line on the debugcon port 0x402, writes
 * 8 MiB, read-modify-writes them, counts down 10 M, prints a done line and writes to the isa-debug-exit port, which
 * ends QEMU (exit status 1): a probe whose parent died meanwhile still goes away once it finishes.
 *
 *       cli; xor ax,ax; mov ds/ss,ax; mov sp,0x7c00; lgdt gdtr; cr0 |= 1; ljmp 0x08:pm
 *   pm: mov ds/es/ss,0x10; mov esp,0x7c00; puts(start_msg)
 *       for (edi = 1 MiB; edi != 9 MiB; edi += 4) [edi] = edi
 *       for (edi = 1 MiB; edi != 9 MiB; edi += 4) [edi] += 1
 *       for (ecx = 10000000; --ecx;) ;
 *       puts(done_msg); out 0xf4, 0; for (;;) hlt
 *   puts: dx = 0x402; while ((al = *esi++)) out dx, al
 *   gdt: null, code 0x00cf9a000000ffff, data 0x00cf92000000ffff
 */
const PROBE_BOOT_SECTOR_HEX =
  'fa31c08ed88ed0bc007c0f0116d07c0f20c00c010f22c0ea1c7c080066b810008ed88ec08ed0bc007c0000be837c0000' +
  'e841000000bf00001000893f83c70481ff0000900075f3bf0000100083070183c70481ff0000900075f2b98096980049' +
  '75fdbe9b7c0000e80a00000066baf40030c0eef4ebfd66ba0204ac84c07403eeebf8c30a535441434b4c494e472d5052' +
  '4f42452d53544152540a00535441434b4c494e472d50524f42452d444f4e450a008db426000000000000000000000000' +
  'ffff0000009acf00ffff00000092cf001700b87c'
export const PROBE_START = 'STACKLING-PROBE-START'
export const PROBE_DONE = 'STACKLING-PROBE-DONE'

export function probeBootSector(): Buffer {
  const sector = Buffer.alloc(512)
  Buffer.from(PROBE_BOOT_SECTOR_HEX, 'hex').copy(sector)
  sector[510] = 0x55
  sector[511] = 0xaa
  return sector
}

/** The probe guest's command line (pure). SeaBIOS needs a disk of some size to boot from virtio-blk. */
export function probeArgv(accel: Accelerator, diskFile: string): string[] {
  return [
    '-accel', accel, '-cpu', cpuModelFor(accel), '-M', 'pc', '-m', '16', '-smp', '1',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-blockdev', JSON.stringify({ driver: 'raw', 'node-name': 'probe', 'read-only': true, file: { driver: 'file', filename: diskFile, 'read-only': true } }),
    '-device', 'virtio-blk-pci,drive=probe,romfile=',
    '-chardev', 'stdio,id=dbg', '-device', 'isa-debugcon,iobase=0x402,chardev=dbg',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  ]
}

export interface ProbeRun {
  ok: boolean
  /** ms from spawn to the start line / done line, when seen. */
  startMs?: number
  doneMs?: number
  /** Why it failed, in words (QEMU's own error if it refused to start). */
  error?: string
}

/** Probe processes still running, with their temp folders; killed and removed if this process exits first. */
const live = new Map<ChildProcess, string>()
let exitHook = false
function killLiveProbesOnExit(): void {
  if (exitHook) return
  exitHook = true
  process.once('exit', () => {
    for (const [c, dir] of live) {
      c.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

/**
 * Boots the probe guest once under `accel` and reports how far it got: it must reach its workload within
 * `startDeadlineMs` and finish it within `deadlineMs` (both from spawn).
 */
export async function runProbeGuest(qemuBinary: string, accel: Accelerator, deadlineMs: number, startDeadlineMs = deadlineMs): Promise<ProbeRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stackling-accel-'))
  try {
    const disk = path.join(dir, 'probe.img')
    const fh = await fs.open(disk, 'w')
    try {
      await fh.write(probeBootSector(), 0, 512, 0)
      await fh.truncate(1024 * 1024)
    } finally {
      await fh.close()
    }
    return await new Promise<ProbeRun>((resolve) => {
      const t0 = Date.now()
      killLiveProbesOnExit()
      const child = spawn(qemuBinary, probeArgv(accel, disk), { stdio: ['ignore', 'pipe', 'pipe'], shell: false })
      let out = ''
      let err = ''
      const result: ProbeRun = { ok: false }
      let settled = false
      const finish = (r: Partial<ProbeRun>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        clearTimeout(startTimer)
        Object.assign(result, r)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        resolve(result)
      }
      const timer = setTimeout(() => finish({ error: `the probe guest did not finish within ${deadlineMs} ms` }), deadlineMs)
      const startTimer = setTimeout(() => {
        if (result.startMs === undefined) finish({ error: `the probe guest did not reach its workload within ${startDeadlineMs} ms` })
      }, startDeadlineMs)
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('latin1')
        if (result.startMs === undefined && out.includes(PROBE_START)) result.startMs = Date.now() - t0
        if (out.includes(PROBE_DONE)) finish({ ok: true, doneMs: Date.now() - t0 })
      })
      child.stderr.on('data', (d: Buffer) => {
        if (err.length < 4096) err += d.toString('utf8')
      })
      child.once('error', (e: NodeJS.ErrnoException) =>
        finish({ error: e.code === 'ENOENT' ? `${qemuBinary} is not installed` : e.message }),
      )
      live.set(child, dir)
      // 'close', not 'exit': stdout is drained by then, so a done line printed just before exiting is seen.
      child.once('close', (code, signal) => {
        live.delete(child)
        finish({ error: `QEMU exited (${signal ?? `code ${code}`}) before the probe finished${err.trim() ? `: ${firstLine(err)}` : ''}` })
      })
    })
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n').map((l) => l.replace(/^qemu-system-[^:]+: /, '')).filter((l) => !/^warning:/.test(l))[0] ?? s.trim().split('\n')[0]!
}

/** Whether /dev/kvm can be opened read-write (what QEMU needs); the reason when not. */
export async function kvmDeviceUsable(device = '/dev/kvm'): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const fh = await fs.open(device, fsConstants.O_RDWR)
    await fh.close()
    return { ok: true }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { ok: false, reason: `${device} does not exist (KVM not enabled in the kernel or BIOS, or no nested virtualisation)` }
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: `no permission to open ${device} (add the user to the kvm group)` }
    return { ok: false, reason: `${device} cannot be opened (${code ?? (e as Error).message})` }
  }
}

const cache = new Map<string, Promise<AcceleratorChoice>>()

/**
 * The accelerator to use. Probed once per process (per binary, override, platform), and — for `auto` — at most once
 * per host boot and QEMU version (see ProbeOptions.cacheFile).
 */
export function chooseAccelerator(opts: ProbeOptions): Promise<AcceleratorChoice> {
  const env = opts.env ?? process.env
  const override = env.STACKLING_ACCEL || opts.override || 'auto'
  const key = `${opts.qemuBinary}\0${override}\0${opts.platform ?? process.platform}\0${opts.cacheFile}`
  let p = cache.get(key)
  if (!p) {
    p = probe({ ...opts, override, env })
    cache.set(key, p)
    // A failed probe (not a TCG fallback: an exception) is not cached, so a later call may try again.
    p.catch(() => cache.delete(key))
  }
  return p
}

/** Forgets the per-process cache (tests). */
export function clearAcceleratorCache(): void {
  cache.clear()
}

export function defaultAcceleratorCacheFile(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username
  return path.join(os.tmpdir(), `stackling-accel-${uid}.json`)
}

/** What a cached verdict is valid for: this QEMU build on this boot of this host. */
async function hostCacheKey(qemuBinary: string, platform: NodeJS.Platform): Promise<string | undefined> {
  const version = await new Promise<string>((resolve) => {
    const c = spawn(qemuBinary, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'], shell: false })
    let out = ''
    c.stdout.on('data', (d: Buffer) => (out += d.toString()))
    c.once('error', () => resolve(''))
    c.once('close', () => resolve(out.split('\n')[0]!.trim()))
  })
  if (!version) return undefined
  // Linux names each boot; elsewhere the boot time (to the minute) stands in for it.
  const boot =
    (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim() ||
    String(Math.round((Date.now() / 1000 - os.uptime()) / 60))
  return `${platform}|${qemuBinary}|${version}|${boot}`
}

async function readHostCache(file: string, key: string): Promise<{ accelerator: Accelerator; note: string; at: string } | undefined> {
  try {
    const all = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, { accelerator: Accelerator; note: string; at: string }>
    const hit = all[key]
    return hit && ACCELERATORS.includes(hit.accelerator) ? hit : undefined
  } catch {
    return undefined
  }
}

async function writeHostCache(file: string, key: string, choice: AcceleratorChoice): Promise<void> {
  try {
    // Only this boot's entries are worth keeping.
    const boot = key.slice(key.lastIndexOf('|'))
    const all = JSON.parse(await fs.readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>
    for (const k of Object.keys(all)) if (!k.endsWith(boot)) delete all[k]
    all[key] = { accelerator: choice.accelerator, note: choice.note, at: new Date().toISOString() }
    const tmp = `${file}.${process.pid}.tmp`
    await fs.writeFile(tmp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 })
    await fs.rename(tmp, file)
  } catch {
    // A cache that cannot be written only costs the next process a probe.
  }
}

async function probe(opts: ProbeOptions & { override: string }): Promise<AcceleratorChoice> {
  const t0 = Date.now()
  const done = (accelerator: Accelerator, note: string): AcceleratorChoice => ({ accelerator, note, probeMs: Date.now() - t0 })
  const forced = parseAcceleratorOverride(opts.override)
  const source = opts.env?.STACKLING_ACCEL ? 'STACKLING_ACCEL' : 'the settings'
  if (forced) return done(forced, `${forced} (chosen by ${source}; not probed)`)

  const platform = opts.platform ?? process.platform
  const native = nativeAccelerator(platform)
  if (!native) return done('tcg', `tcg (no hardware accelerator on ${platform})`)
  if (native === 'kvm') {
    const dev = await kvmDeviceUsable()
    if (!dev.ok) return done('tcg', `tcg (kvm unusable: ${dev.reason})`)
  }
  const cacheFile = opts.cacheFile === undefined ? defaultAcceleratorCacheFile() : opts.cacheFile
  const key = cacheFile ? await hostCacheKey(opts.qemuBinary, platform) : undefined
  if (cacheFile && key) {
    const hit = await readHostCache(cacheFile, key)
    if (hit) return { ...done(hit.accelerator, `${hit.note}; probed at ${hit.at}, this boot`), cached: true }
  }
  const deadline = opts.deadlineMs ?? 2000
  const startDeadline = opts.startDeadlineMs ?? 1000
  const run = await runProbeGuest(opts.qemuBinary, native, deadline, startDeadline)
  let choice: AcceleratorChoice
  if (run.ok) choice = done(native, `${native} (probe guest finished its workload in ${run.doneMs} ms)`)
  else {
    const slow =
      run.startMs === undefined
        ? `the probe guest did not reach its workload within ${startDeadline} ms`
        : `the probe guest reached its workload after ${run.startMs} ms but did not finish it within ${deadline} ms`
    const why = run.error?.startsWith('QEMU exited') || run.error?.includes('not installed') ? run.error : `${slow} (hung, or far slower than emulation: TCG needs ~0.1 s)`
    choice = done('tcg', `tcg (${native} present but unusable: ${why})`)
  }
  // A QEMU that cannot run at all is not a verdict about the host: not cached.
  if (cacheFile && key && !run.error?.includes('not installed')) await writeHostCache(cacheFile, key, choice)
  return choice
}
