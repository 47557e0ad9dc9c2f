/**
 * Compute: server create → ACTIVE and → the guest's ready marker on its serial console, through the headless cloud,
 * against the same image booted by bare `qemu-system-x86_64` with the very argument array the driver used, in the
 * same run; then five servers created at once (one POST, min_count = max_count = 5) against five bare boots at
 * once. Target from the issue: the cloud's overhead to the ready marker under 10 % or under 300 ms (TCG).
 *
 * The baseline's argument array is read from /proc/PID/cmdline of a warm-up guest the cloud started; only what
 * belongs to that instance is rewritten (its folder, its socket folder, its id in -name). Each bare boot pays what
 * the driver pays for its files: a fresh qcow2 overlay on the same base (`qemu-img create -b … -F …`, same virtual
 * size) and a fresh copy of the warm-up's config drive. Both sides detect the markers the same way: polling the
 * console log file every POLL_CONSOLE_MS (QEMU's chardev logfile), so detection adds the same delay to both; the
 * cloud path also checks once that os-getConsoleOutput shows the ready line. ACTIVE is seen by polling GET
 * /servers/{id} every POLL_ACTIVE_MS; its bare counterpart is "QMP answers" (what the driver waits for).
 *
 * Every guest is deleted (DELETE, then GET until 404) or killed; on error or Ctrl-C an onCleanup hook SIGKILLs any
 * process whose command line names this run's data dir or bare-boot dir (the cloud starts guests in their own
 * session, so killing the cloud does not end them).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { closeSync, openSync, promises as fs, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { QmpClient } from '../app/main/cloud/drivers/hypervisor/qemu/qmp-client'
import { fetchOnce, median } from './lib/load'
import { hostCpuSeconds, killProcessesNaming, makeTempDir, onCleanup, ownCpuSecondsWithReaped, removeTempDir, sleep, trackChild } from './lib/processes'
import { fmt, figure, type BenchOutput, type Target } from './lib/report'
import { JSON_HEADERS, passwordAuthBody, startCloud } from './lib/servers'

const ROOT = path.resolve(__dirname, '../..')
const RUNS = 5
const BURST = 5
const BURST_RUNS = 3
const POLL_ACTIVE_MS = 50
const POLL_CONSOLE_MS = 20
const READY_TIMEOUT_MS = 60_000
const BURST_TIMEOUT_MS = 180_000
const AIM_MS = 300
const AIM_RATIO = 0.1

const execFileP = promisify(execFile)
const QEMU_IMG = process.env.STACKLING_QEMU_IMG ?? 'qemu-img'

/** Wall-clock milliseconds with sub-ms resolution: comparable with file mtimes and the cloud's log time stamps. */
const wall = () => performance.timeOrigin + performance.now()

interface Markers {
  boot: string
  ready: string
}

function loadMarkers(): Markers {
  const m = JSON.parse(readFileSync(path.join(ROOT, 'resources', 'guest-image', 'markers.json'), 'utf8')) as Record<string, string>
  if (!m.boot || !m.ready) throw new Error('resources/guest-image/markers.json names no boot or ready marker')
  return { boot: m.boot, ready: m.ready }
}

// ------------------------------------------------------------------------------------------------ HTTP

interface Api {
  port: number
  token: string
}

async function call(api: Api, method: string, p: string, body?: unknown): Promise<{ status: number; json: any; text: string; requestId?: string }> {
  const res = await fetchOnce(api.port, {
    method: method as 'GET',
    path: p,
    headers: { ...JSON_HEADERS, 'X-Auth-Token': api.token },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  let json: any
  try {
    json = res.body ? JSON.parse(res.body) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, json, text: res.body, requestId: res.headers['x-openstack-request-id'] as string | undefined }
}

async function expect(api: Api, method: string, p: string, status: number, body?: unknown) {
  const r = await call(api, method, p, body)
  if (r.status !== status) throw new Error(`${method} ${p}: ${r.status} (expected ${status}): ${r.text.slice(0, 500)}`)
  return r
}

async function issueToken(port: number, creds: Parameters<typeof passwordAuthBody>[0]): Promise<{ token: string; projectId: string }> {
  const r = await fetchOnce(port, { method: 'POST', path: '/identity/v3/auth/tokens', headers: JSON_HEADERS, body: passwordAuthBody(creds) })
  if (r.status !== 201) throw new Error(`token for ${creds.username}: ${r.status} ${r.body.slice(0, 300)}`)
  return { token: r.headers['x-subject-token'] as string, projectId: JSON.parse(r.body).token.project.id as string }
}

// ------------------------------------------------------------------------------------------------ console

interface ConsoleSeen {
  /** Wall time at which the poller saw each marker. */
  bootAt: number
  readyAt: number
  hostname: string
}

/**
 * Polls a console log until the ready line is in it. `alive()` false (the guest's QEMU exited, the server went to
 * ERROR) or the deadline ends it with the log's tail. `cancelled()` stops it quietly (another wait failed).
 */
async function waitForConsole(
  file: string,
  markers: Markers,
  timeoutMs: number,
  opts: { alive?: () => string | undefined; cancelled?: () => boolean } = {},
): Promise<ConsoleSeen> {
  const readyRe = new RegExp(`${markers.ready} hostname=(\\S*)`)
  const end = Date.now() + timeoutMs
  let bootAt: number | undefined
  let text = ''
  for (;;) {
    text = await fs.readFile(file, 'utf8').catch(() => '')
    const now = wall()
    if (bootAt === undefined && text.includes(markers.boot)) bootAt = now
    const m = readyRe.exec(text)
    if (m) return { bootAt: bootAt ?? now, readyAt: now, hostname: m[1]! }
    if (opts.cancelled?.()) throw new Error('cancelled')
    const dead = opts.alive?.()
    if (dead) throw new Error(`${dead} before the ready line; console tail:\n${text.slice(-1500)}`)
    if (Date.now() > end) throw new Error(`no ready line in ${file} within ${timeoutMs} ms; tail:\n${text.slice(-1500)}`)
    await sleep(POLL_CONSOLE_MS)
  }
}

/** mtime of a file in wall ms, or NaN. */
async function mtime(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.mtimeMs, () => NaN)
}

function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

// ------------------------------------------------------------------------------------------------ cloud side

interface CloudCtx {
  api: Api
  dataDir: string
  imageId: string
  flavorId: string
  markers: Markers
  /** Servers that exist (or may): deleted in `finally` if the bench fails. */
  live: Set<string>
}

interface CloudBoot {
  id: string
  requestId?: string
  t0: number
  postAt: number
  activeAt: number
  bootAt: number
  readyAt: number
  hostname: string
  /** From the instance folder, before delete: config drive written, registry entry written, QEMU's pidfile written. */
  configDriveAt: number
  registryAt: number
  pidfileAt: number
  /** The build task's event (os-instance-actions): started, finished (ACTIVE written). */
  buildStartAt: number
  buildEndAt: number
  pid?: number
  cmdline?: string[]
  deleteMs: number
}

async function serverStatus(ctx: CloudCtx, id: string): Promise<{ status: string; fault?: string }> {
  const r = await expect(ctx.api, 'GET', `/compute/v2.1/servers/${id}`, 200)
  return { status: r.json.server.status, fault: r.json.server.fault?.message }
}

async function waitActive(ctx: CloudCtx, id: string, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const s = await serverStatus(ctx, id)
    const at = wall()
    if (s.status === 'ACTIVE') return at
    if (s.status === 'ERROR') throw new Error(`server ${id} went to ERROR: ${s.fault ?? 'no fault'}`)
    if (Date.now() > end) throw new Error(`server ${id} not ACTIVE within ${timeoutMs} ms (status ${s.status})`)
    await sleep(POLL_ACTIVE_MS)
  }
}

async function deleteServer(ctx: CloudCtx, id: string, timeoutMs = 30_000): Promise<number> {
  const t0 = wall()
  const r = await call(ctx.api, 'DELETE', `/compute/v2.1/servers/${id}`)
  if (r.status !== 204 && r.status !== 404) throw new Error(`DELETE server ${id}: ${r.status} ${r.text.slice(0, 300)}`)
  const end = Date.now() + timeoutMs
  for (;;) {
    const g = await call(ctx.api, 'GET', `/compute/v2.1/servers/${id}`)
    if (g.status === 404) break
    if (Date.now() > end) throw new Error(`server ${id} still there ${timeoutMs} ms after DELETE`)
    await sleep(POLL_ACTIVE_MS)
  }
  ctx.live.delete(id)
  return wall() - t0
}

/** os-instance-actions times are UTC without a zone. */
const actionTime = (v: string | null | undefined) => (v ? Date.parse(/Z$/.test(v) ? v : `${v}Z`) : NaN)

async function buildEvent(ctx: CloudCtx, id: string, requestId: string | undefined): Promise<{ startAt: number; endAt: number }> {
  if (!requestId) return { startAt: NaN, endAt: NaN }
  const r = await call(ctx.api, 'GET', `/compute/v2.1/servers/${id}/os-instance-actions/${requestId}`)
  const e = (r.json?.instanceAction?.events as any[] | undefined)?.find((x) => x.event === 'compute__do_build_and_run_instance')
  return { startAt: actionTime(e?.start_time), endAt: actionTime(e?.finish_time) }
}

async function instanceStamps(ctx: CloudCtx, id: string) {
  const dir = path.join(ctx.dataDir, 'instances', id)
  const pid = Number.parseInt(await fs.readFile(path.join(dir, 'qemu.pid'), 'utf8').catch(() => ''), 10) || undefined
  return {
    dir,
    pid,
    configDriveAt: await mtime(path.join(dir, 'config-2.img')),
    registryAt: await mtime(path.join(ctx.dataDir, 'hypervisor', 'qemu', 'guests', `${id}.json`)),
    pidfileAt: await mtime(path.join(dir, 'qemu.pid')),
  }
}

/** One server: POST → ACTIVE → ready line → (caller's hook) → DELETE → 404. */
async function cloudBoot(ctx: CloudCtx, name: string, beforeDelete?: (b: CloudBoot, dir: string) => Promise<void>): Promise<CloudBoot> {
  const t0 = wall()
  const r = await expect(ctx.api, 'POST', '/compute/v2.1/servers', 202, { server: { name, imageRef: ctx.imageId, flavorRef: ctx.flavorId } })
  const postAt = wall()
  const id = r.json.server.id as string
  ctx.live.add(id)
  let failed = false
  let pid: number | undefined
  const consoleP = waitForConsole(path.join(ctx.dataDir, 'instances', id, 'console.log'), ctx.markers, READY_TIMEOUT_MS, {
    cancelled: () => failed,
    alive: () => (pid !== undefined && !pidAlive(pid) ? `the QEMU of server ${id} (pid ${pid}) exited` : undefined),
  })
  consoleP.catch(() => undefined)
  let activeAt: number
  try {
    activeAt = await waitActive(ctx, id, READY_TIMEOUT_MS)
  } catch (err) {
    failed = true
    throw err
  }
  pid = Number.parseInt(await fs.readFile(path.join(ctx.dataDir, 'instances', id, 'qemu.pid'), 'utf8').catch(() => ''), 10) || undefined
  const seen = await consoleP
  const st = await instanceStamps(ctx, id)
  const cmdline = st.pid ? readFileSync(`/proc/${st.pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => i < all.length - 1 || a !== '') : undefined
  // The API path to the same console: the ready line must be visible there too.
  const out = await expect(ctx.api, 'POST', `/compute/v2.1/servers/${id}/action`, 200, { 'os-getConsoleOutput': {} })
  if (!String(out.json.output).includes(ctx.markers.ready)) throw new Error(`os-getConsoleOutput of ${id} lacks the ready line the log file has`)
  const ev = await buildEvent(ctx, id, r.requestId)
  const boot: CloudBoot = {
    id,
    requestId: r.requestId,
    t0,
    postAt,
    activeAt,
    bootAt: seen.bootAt,
    readyAt: seen.readyAt,
    hostname: seen.hostname,
    configDriveAt: st.configDriveAt,
    registryAt: st.registryAt,
    pidfileAt: st.pidfileAt,
    buildStartAt: ev.startAt,
    buildEndAt: ev.endAt,
    pid: st.pid,
    cmdline,
    deleteMs: NaN,
  }
  if (beforeDelete) await beforeDelete(boot, st.dir)
  boot.deleteMs = await deleteServer(ctx, id)
  if (pidAlive(st.pid)) throw new Error(`server ${id} is gone from the API but its QEMU (pid ${st.pid}) still runs`)
  return boot
}

// ------------------------------------------------------------------------------------------------ bare side

/** What a bare boot reuses from the warm-up guest. */
interface Template {
  binary: string
  argv: string[]
  /** Paths/ids in `argv` that belong to the warm-up instance, rewritten per boot. */
  instanceDir: string
  socketDir: string
  id: string
  base: string
  baseFormat: string
  virtualSize: number
  /** Our copy of the warm-up's config drive. */
  configDrive: string
}

interface BareBoot {
  t0: number
  filesAt: number
  spawnAt: number
  pidfileAt: number
  qmpAt: number
  bootAt: number
  readyAt: number
}

function rewriteArgv(tpl: Template, dir: string, id: string): string[] {
  const out = tpl.argv.map((a) => {
    let s = a.split(tpl.instanceDir).join(dir)
    if (tpl.socketDir !== tpl.instanceDir) s = s.split(tpl.socketDir).join(dir)
    return s.split(tpl.id).join(id)
  })
  const stale = out.find((a) => a.includes(tpl.instanceDir) || a.includes(tpl.id))
  if (stale) throw new Error(`argument still names the warm-up instance after rewriting: ${stale}`)
  return out
}

/**
 * Boots the template once: overlay + config drive copy → spawn (argument array) → QMP answers → ready line.
 * `hold` resolves when the caller lets the guest go (so that parallel boots keep running until all are ready).
 */
async function bareBoot(tpl: Template, dir: string, markers: Markers, timeoutMs: number, t0 = wall()): Promise<{ boot: BareBoot; stop: () => Promise<void> }> {
  await fs.mkdir(dir, { recursive: true })
  const disk = path.join(dir, 'disk.qcow2')
  await execFileP(QEMU_IMG, ['create', '-q', '-f', 'qcow2', '-b', tpl.base, '-F', tpl.baseFormat, disk, String(tpl.virtualSize)])
  await fs.copyFile(tpl.configDrive, path.join(dir, 'config-2.img'))
  const filesAt = wall()
  const argv = rewriteArgv(tpl, dir, randomUUID())
  const errFd = openSync(path.join(dir, 'qemu.log'), 'w')
  let child: ChildProcess
  try {
    // As the driver spawns it: detached (its own session, hence its own scheduler autogroup), stderr to qemu.log.
    child = trackChild(spawn(tpl.binary, argv, { detached: true, stdio: ['ignore', 'ignore', errFd], shell: false }))
  } finally {
    closeSync(errFd)
  }
  const spawnAt = wall()
  let exited: string | undefined
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `bare QEMU exited (${signal ?? code})`
      resolve()
    })
    child.once('error', (e) => {
      exited = `bare QEMU could not start: ${e.message}`
      resolve()
    })
  })
  const stop = async () => {
    qmp?.close()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exit
    await fs.rm(dir, { recursive: true, force: true })
  }
  let qmp: QmpClient | undefined
  try {
    qmp = await Promise.race([
      QmpClient.connect(path.join(dir, 'qmp.sock'), { timeoutMs: 15_000 }),
      exit.then(async () => {
        throw new Error(`${exited}: ${(await fs.readFile(path.join(dir, 'qemu.log'), 'utf8').catch(() => '')).trim()}`)
      }),
    ])
    const qmpAt = wall()
    const seen = await waitForConsole(path.join(dir, 'console.log'), markers, timeoutMs, { alive: () => exited })
    const pidfileAt = await mtime(path.join(dir, 'qemu.pid'))
    return { boot: { t0, filesAt, spawnAt, pidfileAt, qmpAt, bootAt: seen.bootAt, readyAt: seen.readyAt }, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function captureTemplate(boot: CloudBoot, instanceDir: string, into: string): Promise<Template> {
  if (!boot.cmdline?.length) throw new Error(`cannot read the command line of the warm-up guest (pid ${boot.pid})`)
  const [binary, ...argv] = boot.cmdline
  const info = JSON.parse((await execFileP(QEMU_IMG, ['info', '-U', '--output=json', path.join(instanceDir, 'disk.qcow2')])).stdout) as Record<string, any>
  const base = (info['full-backing-filename'] ?? info['backing-filename']) as string | undefined
  if (!base) throw new Error('the warm-up root disk has no backing file')
  const qmpArg = argv.find((a) => /(^|,)path=[^,]*\/qmp\.sock(,|$)/.test(a))
  const socketDir = qmpArg ? /(?:^|,)path=([^,]*)\/qmp\.sock(?:,|$)/.exec(qmpArg)![1]! : instanceDir
  const configDrive = path.join(into, 'config-2.template.img')
  await fs.copyFile(path.join(instanceDir, 'config-2.img'), configDrive)
  return {
    binary: binary!,
    argv,
    instanceDir,
    socketDir,
    id: boot.id,
    base,
    baseFormat: (info['backing-filename-format'] as string | undefined) ?? 'qcow2',
    virtualSize: info['virtual-size'] as number,
    configDrive,
  }
}

/** QEMU processes on this machine that are not this bench's (another test run shares the cores). */
function foreignQemus(ours: string[]): number {
  let n = 0
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8')
      if (cmd.startsWith('qemu-system') && !ours.some((o) => cmd.includes(o))) n++
    } catch {
      // gone
    }
  }
  return n
}

// ------------------------------------------------------------------------------------------------ the log

interface LogLine {
  time: string
  msg: string
  [k: string]: unknown
}

function readLog(file: string): LogLine[] {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const out: LogLine[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    try {
      out.push(JSON.parse(line) as LogLine)
    } catch {
      // a partial last line
    }
  }
  return out
}

/** Per cloud boot, from the log: the POST's server time, and driver.spawn's start and end (wall ms). */
function logPhases(log: LogLine[], boot: CloudBoot): { postServerMs: number; spawnStartAt: number; spawnEndAt: number } {
  const req = log.find((l) => l.msg === 'request' && l.request_id === boot.requestId)
  const spawned = log.find((l) => l.msg === 'spawned guest' && l.guest === boot.id)
  const end = spawned ? Date.parse(spawned.time) : NaN
  return {
    postServerMs: req ? Number(req.ms) : NaN,
    spawnStartAt: spawned ? end - Number(spawned.ms) : NaN,
    spawnEndAt: end,
  }
}

// ------------------------------------------------------------------------------------------------ the bench

const ms = (v: number) => `${fmt(v, 'ms')} ms`
const signed = (v: number) => `${v < 0 ? '−' : '+'}${fmt(Math.abs(v), 'ms')} ms`

/** The issue's aim for the cloud's overhead `over` on a boot that takes `bare` without it. */
function aimTarget(over: number, bare: number): Target {
  const text = `overhead < ${AIM_MS} ms or < ${AIM_RATIO * 100} %`
  if (over < AIM_MS || over < AIM_RATIO * bare) return { text, met: true }
  return { text, met: false, miss: `overhead ${ms(over)} (${((over / bare) * 100).toFixed(0)} % of the bare boot): ${ms(over - Math.max(AIM_MS, AIM_RATIO * bare))} over the looser of the two` }
}

export async function runComputeBench(log: (msg: string) => void): Promise<BenchOutput> {
  const imageFile = path.join(ROOT, 'build', 'guest-image', 'stackling-tiny.qcow2')
  if (!(await fs.stat(imageFile).catch(() => undefined))) throw new Error(`${path.relative(ROOT, imageFile)} is missing: run npm run build:guest-image`)
  const markers = loadMarkers()
  const bareRoot = makeTempDir('stackling-bench-compute-')
  const notes: string[] = []
  const raw: Record<string, unknown> = {}
  const host0 = hostCpuSeconds()
  const own0 = ownCpuSecondsWithReaped()
  const wall0 = wall()
  /** Foreign QEMUs seen at the start of each measured run: another test run on the same two cores skews both sides. */
  const foreign: number[] = []

  const cloud = await startCloud()
  const dataDir = cloud.dataDir
  // Guests live in their own session: whatever happens, nothing that names this run's folders survives the bench.
  const leftovers = () => [...killProcessesNaming(dataDir), ...killProcessesNaming(bareRoot)]
  const unhook = onCleanup(() => void leftovers())
  const countForeign = () => {
    const n = foreignQemus([dataDir, bareRoot])
    foreign.push(n)
    return n ? ` (${n} QEMU process${n > 1 ? 'es' : ''} of something else running)` : ''
  }
  const ctx: CloudCtx = { api: { port: cloud.port, token: '' }, dataDir, imageId: '', flavorId: '', markers, live: new Set() }
  let cloudLog: LogLine[] = []

  try {
    const demo = await issueToken(cloud.port, cloud.demo)
    ctx.api.token = demo.token
    // Image and flavor.
    const imgs = await expect(ctx.api, 'GET', '/image/v2/images?name=stackling-tiny', 200)
    const image = (imgs.json.images as any[]).find((i) => i.status === 'active')
    if (!image) throw new Error('the cloud did not register stackling-tiny (is build/guest-image complete?)')
    ctx.imageId = image.id
    const flavors = (await expect(ctx.api, 'GET', '/compute/v2.1/flavors/detail', 200)).json.flavors as any[]
    // m1.nano (128 MB) is the smallest flavor the image's min_ram allows; the dashboard e2e boots it.
    const flavor = flavors.find((f) => f.name === 'm1.nano' && f.ram >= (image.min_ram ?? 0)) ?? flavors.find((f) => f.name === 'm1.tiny')
    if (!flavor) throw new Error('neither m1.nano nor m1.tiny exists')
    ctx.flavorId = flavor.id
    log(`image stackling-tiny ${image.id}, flavor ${flavor.name} (${flavor.vcpus} vCPU, ${flavor.ram} MB, ${flavor.disk} GB)`)

    // Quota for the burst: raise it with the admin token only if the defaults do not allow it.
    const lim = (await expect(ctx.api, 'GET', '/compute/v2.1/limits', 200)).json.limits.absolute
    const short = (max: number, need: number) => max >= 0 && max < need
    if (short(lim.maxTotalInstances, BURST) || short(lim.maxTotalCores, BURST * flavor.vcpus) || short(lim.maxTotalRAMSize, BURST * flavor.ram)) {
      const admin = await issueToken(cloud.port, cloud.admin)
      await expect({ port: cloud.port, token: admin.token }, 'PUT', `/compute/v2.1/os-quota-sets/${demo.projectId}`, 200, {
        quota_set: { instances: Math.max(lim.maxTotalInstances, BURST), cores: Math.max(lim.maxTotalCores, BURST * flavor.vcpus), ram: Math.max(lim.maxTotalRAMSize, BURST * flavor.ram) },
      })
      notes.push(`Compute: the demo project's quota (instances ${lim.maxTotalInstances}, cores ${lim.maxTotalCores}, ram ${lim.maxTotalRAMSize}) did not allow ${BURST} × ${flavor.name}; raised with the admin token.`)
    }

    // Warm-up: one cloud boot, not measured; its QEMU command line becomes the bare template.
    log('warm-up: one server through the cloud (captures the QEMU command line)')
    let tpl: Template | undefined
    const warm = await cloudBoot(ctx, 'bench-warmup', async (b, dir) => {
      tpl = await captureTemplate(b, dir, bareRoot)
    })
    if (!tpl) throw new Error('no template captured')
    const template: Template = tpl
    const accel = template.argv[template.argv.indexOf('-accel') + 1]
    log(`warm-up: ready in ${ms(warm.readyAt - warm.t0)}; QEMU ${template.binary} with ${template.argv.length} arguments, -accel ${accel}`)
    raw.argv = template.argv
    raw.warmup = { readyMs: warm.readyAt - warm.t0, activeMs: warm.activeAt - warm.t0 }

    // Single boots, alternating which side goes first.
    const cloudRuns: CloudBoot[] = []
    const bareRuns: BareBoot[] = []
    const runBare = async (n: number) => {
      const { boot, stop } = await bareBoot(template, path.join(bareRoot, `bare-${n}`), markers, READY_TIMEOUT_MS)
      await stop()
      bareRuns.push(boot)
    }
    const runCloud = async (n: number) => {
      const b = await cloudBoot(ctx, `bench-${n}`)
      if (b.hostname !== `bench-${n}`) throw new Error(`guest of bench-${n} says hostname=${b.hostname}: the config drive did not reach it`)
      cloudRuns.push(b)
    }
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: ${i % 2 === 0 ? 'cloud, then bare' : 'bare, then cloud'}${countForeign()}`)
      if (i % 2 === 0) {
        await runCloud(i)
        await runBare(i)
      } else {
        await runBare(i)
        await runCloud(i)
      }
      const c = cloudRuns[cloudRuns.length - 1]!
      const b = bareRuns[bareRuns.length - 1]!
      log(`  cloud: ACTIVE ${ms(c.activeAt - c.t0)}, ready ${ms(c.readyAt - c.t0)}, delete ${ms(c.deleteMs)}; bare: QMP ${ms(b.qmpAt - b.t0)}, ready ${ms(b.readyAt - b.t0)}`)
    }

    // Five at once.
    type Burst = { readyMs: number; perReadyMs: number[]; perPidfileMs: number[]; perBootMs: number[] }
    const burstCloud: (Burst & { activeMs: number; deleteMs: number })[] = []
    const burstBare: (Burst & { qmpMs: number })[] = []
    const cloudBurst = async () => {
      const t0 = wall()
      const r = await expect(ctx.api, 'POST', '/compute/v2.1/servers', 202, {
        server: { name: 'burst', imageRef: ctx.imageId, flavorRef: ctx.flavorId, min_count: BURST, max_count: BURST, return_reservation_id: true },
      })
      const reservation = r.json.reservation_id as string
      const listed = await expect(ctx.api, 'GET', `/compute/v2.1/servers?reservation_id=${reservation}`, 200)
      const ids = (listed.json.servers as any[]).map((s) => s.id as string)
      ids.forEach((id) => ctx.live.add(id))
      if (ids.length !== BURST) throw new Error(`one POST with min_count=${BURST} made ${ids.length} servers`)
      let failed = false
      const status = new Map<string, string>()
      const consoles = ids.map((id) =>
        waitForConsole(path.join(dataDir, 'instances', id, 'console.log'), markers, BURST_TIMEOUT_MS, {
          cancelled: () => failed,
          alive: () => (status.get(id) === 'ERROR' ? `server ${id} went to ERROR` : undefined),
        }),
      )
      consoles.forEach((c) => c.catch(() => undefined))
      // All statuses with one request per poll.
      let activeAt = NaN
      const end = Date.now() + BURST_TIMEOUT_MS
      try {
        for (;;) {
          const d = await expect(ctx.api, 'GET', `/compute/v2.1/servers/detail?reservation_id=${reservation}`, 200)
          for (const s of d.json.servers as any[]) status.set(s.id, s.status)
          const errored = (d.json.servers as any[]).find((s) => s.status === 'ERROR')
          if (errored) throw new Error(`burst server ${errored.name} went to ERROR: ${errored.fault?.message ?? 'no fault'}`)
          if (ids.every((id) => status.get(id) === 'ACTIVE')) {
            activeAt = wall()
            break
          }
          if (Date.now() > end) throw new Error(`burst not ACTIVE within ${BURST_TIMEOUT_MS} ms: ${[...status.values()].join(', ')}`)
          await sleep(POLL_ACTIVE_MS)
        }
      } catch (err) {
        failed = true
        throw err
      }
      const seen = await Promise.all(consoles)
      const readyAt = Math.max(...seen.map((s) => s.readyAt))
      const stamps = await Promise.all(ids.map((id) => instanceStamps(ctx, id)))
      const d0 = wall()
      await Promise.all(ids.map((id) => deleteServer(ctx, id)))
      burstCloud.push({
        activeMs: activeAt - t0,
        readyMs: readyAt - t0,
        perReadyMs: seen.map((s) => s.readyAt - t0),
        perPidfileMs: stamps.map((s) => s.pidfileAt - t0),
        perBootMs: seen.map((s, k) => s.readyAt - stamps[k]!.pidfileAt),
        deleteMs: wall() - d0,
      })
    }
    const bareBurst = async () => {
      const t0 = wall()
      const started = await Promise.allSettled(
        Array.from({ length: BURST }, (_, k) => bareBoot(template, path.join(bareRoot, `burst-${k}`), markers, BURST_TIMEOUT_MS, t0)),
      )
      // Every guest runs until all are ready (as the cloud's do), then all go.
      const stops = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop] : []))
      await Promise.all(stops.map((s) => s()))
      const failed = started.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined
      if (failed) throw failed.reason
      const boots = started.map((s) => (s as PromiseFulfilledResult<{ boot: BareBoot }>).value.boot)
      burstBare.push({
        qmpMs: Math.max(...boots.map((b) => b.qmpAt)) - t0,
        readyMs: Math.max(...boots.map((b) => b.readyAt)) - t0,
        perReadyMs: boots.map((b) => b.readyAt - t0),
        perPidfileMs: boots.map((b) => b.pidfileAt - t0),
        perBootMs: boots.map((b) => b.readyAt - b.pidfileAt),
      })
    }
    for (let i = 0; i < BURST_RUNS; i++) {
      log(`${BURST} at once, ${i + 1}/${BURST_RUNS}: ${i % 2 === 0 ? 'cloud, then bare' : 'bare, then cloud'}${countForeign()}`)
      if (i % 2 === 0) {
        await cloudBurst()
        await bareBurst()
      } else {
        await bareBurst()
        await cloudBurst()
      }
      const c = burstCloud[burstCloud.length - 1]!
      const b = burstBare[burstBare.length - 1]!
      log(`  cloud: all ACTIVE ${ms(c.activeMs)}, all ready ${ms(c.readyMs)}; bare: all QMP ${ms(b.qmpMs)}, all ready ${ms(b.readyMs)}`)
    }

    cloudLog = readLog(path.join(dataDir, 'logs', 'stackling.log'))
    const accelLine = cloudLog.find((l) => l.msg === 'hypervisor accelerator')
    const problems = cloudLog.filter((l) => l.level === 'warn' || l.level === 'error')
    if (problems.length) notes.push(`Compute: the cloud logged ${problems.length} warning(s)/error(s), first: ${problems[0]!.msg} ${JSON.stringify(problems[0]).slice(0, 300)}`)

    // ---- figures
    const rel = (xs: { t0: number }[], k: string) => xs.map((x) => (x as unknown as Record<string, number>)[k]! - x.t0)
    const cActive = median(rel(cloudRuns, 'activeAt'))
    const cReady = median(rel(cloudRuns, 'readyAt'))
    const bQmp = median(rel(bareRuns, 'qmpAt'))
    const bReady = median(rel(bareRuns, 'readyAt'))
    // Each pair ran back to back, so a change in the machine's load between pairs cancels out of the difference.
    const pairs = cloudRuns.map((c, k) => c.readyAt - c.t0 - (bareRuns[k]!.readyAt - bareRuns[k]!.t0))
    const over = median(pairs)
    const bcActive = median(burstCloud.map((b) => b.activeMs))
    const bcReady = median(burstCloud.map((b) => b.readyMs))
    const bbQmp = median(burstBare.map((b) => b.qmpMs))
    const bbReady = median(burstBare.map((b) => b.readyMs))

    // ---- where the time goes (medians over the single runs; wall ms from the POST / from the start of the bare boot)
    const phases = cloudRuns.map((b) => ({ b, l: logPhases(cloudLog, b) }))
    const med = (f: (x: (typeof phases)[number]) => number) => median(phases.map(f).filter(Number.isFinite))
    const cloudTimeline = {
      postAnsweredMs: med(({ b }) => b.postAt - b.t0),
      postServerMs: med(({ l }) => l.postServerMs),
      buildStartMs: med(({ b }) => b.buildStartAt - b.t0),
      driverSpawnStartMs: med(({ b, l }) => l.spawnStartAt - b.t0),
      configDriveWrittenMs: med(({ b }) => b.configDriveAt - b.t0),
      registryWrittenMs: med(({ b }) => b.registryAt - b.t0),
      qemuPidfileMs: med(({ b }) => b.pidfileAt - b.t0),
      driverSpawnEndMs: med(({ b, l }) => l.spawnEndAt - b.t0),
      buildEndMs: med(({ b }) => b.buildEndAt - b.t0),
      activeSeenMs: cActive,
      bootMarkerMs: med(({ b }) => b.bootAt - b.t0),
      readyMs: cReady,
      pidfileToReadyMs: med(({ b }) => b.readyAt - b.pidfileAt),
    }
    const bm = (f: (b: BareBoot) => number) => median(bareRuns.map(f).filter(Number.isFinite))
    const bareTimeline = {
      overlayAndConfigCopyMs: bm((b) => b.filesAt - b.t0),
      spawnedMs: bm((b) => b.spawnAt - b.t0),
      qemuPidfileMs: bm((b) => b.pidfileAt - b.t0),
      qmpMs: bQmp,
      bootMarkerMs: bm((b) => b.bootAt - b.t0),
      readyMs: bReady,
      pidfileToReadyMs: bm((b) => b.readyAt - b.pidfileAt),
    }
    raw.overheadPairedMs = pairs
    raw.cloud = cloudRuns.map(({ cmdline: _c, ...b }) => b)
    raw.bare = bareRuns
    raw.cloudTimeline = cloudTimeline
    raw.bareTimeline = bareTimeline
    raw.burstCloud = burstCloud
    raw.burstBare = burstBare
    raw.flavor = flavor.name
    raw.accelerator = accelLine ? { accelerator: accelLine.accelerator, note: accelLine.note } : accel

    const ct = cloudTimeline
    const bt = bareTimeline
    notes.push(
      `Compute: ${RUNS} single boots per side (alternating order, after one unmeasured warm-up), flavor ${flavor.name}, -accel ${accel}` +
        `${accelLine?.note ? ` (${String(accelLine.note)})` : ''}; markers seen by polling the console log file every ${POLL_CONSOLE_MS} ms on both sides, ACTIVE by GET every ${POLL_ACTIVE_MS} ms.`,
      `Compute, cloud timeline (median ms from the POST): answered ${fmt(ct.postAnsweredMs, 'ms')} (server side ${fmt(ct.postServerMs, 'ms')}) → build task starts ${fmt(ct.buildStartMs, 'ms')} → driver.spawn starts ${fmt(ct.driverSpawnStartMs, 'ms')} → config drive written ${fmt(ct.configDriveWrittenMs, 'ms')} → registry written ${fmt(ct.registryWrittenMs, 'ms')} → QEMU pidfile ${fmt(ct.qemuPidfileMs, 'ms')} → QMP up / spawn done ${fmt(ct.driverSpawnEndMs, 'ms')} → ACTIVE written ${fmt(ct.buildEndMs, 'ms')} → ACTIVE seen ${fmt(ct.activeSeenMs, 'ms')} → boot marker ${fmt(ct.bootMarkerMs, 'ms')} → ready ${fmt(ct.readyMs, 'ms')}.`,
      `Compute, bare timeline (median ms from the start): overlay + config drive copy ${fmt(bt.overlayAndConfigCopyMs, 'ms')} → spawned ${fmt(bt.spawnedMs, 'ms')} → QEMU pidfile ${fmt(bt.qemuPidfileMs, 'ms')} → QMP up ${fmt(bt.qmpMs, 'ms')} → boot marker ${fmt(bt.bootMarkerMs, 'ms')} → ready ${fmt(bt.readyMs, 'ms')}.`,
      `Compute: overhead to the ready line per pair (cloud − bare, back to back): ${pairs.map((v) => signed(v)).join(', ')}; median ${signed(over)}; difference of the medians ${signed(cReady - bReady)}.`,
      `Compute: before QEMU runs, the cloud takes ${ms(ct.qemuPidfileMs)} against ${ms(bt.qemuPidfileMs)} bare (${signed(ct.qemuPidfileMs - bt.qemuPidfileMs)}); QEMU pidfile → ready line takes ${ms(ct.pidfileToReadyMs)} under the cloud against ${ms(bt.pidfileToReadyMs)} bare (${signed(ct.pidfileToReadyMs - bt.pidfileToReadyMs)}: the guest's own boot, noise).`,
      `Compute, ${BURST} at once (${BURST_RUNS} run${BURST_RUNS > 1 ? 's' : ''} per side, alternating): overhead ${signed(bcReady - bbReady)} (${(((bcReady - bbReady) / bbReady) * 100).toFixed(0)} %). ` +
        `QEMU pidfiles written from ${ms(median(burstCloud.map((b) => Math.min(...b.perPidfileMs))))} to ${ms(median(burstCloud.map((b) => Math.max(...b.perPidfileMs))))} after the POST (bare: ${ms(median(burstBare.map((b) => Math.min(...b.perPidfileMs))))} to ${ms(median(burstBare.map((b) => Math.max(...b.perPidfileMs))))}); ` +
        `per-guest pidfile → ready median ${ms(median(burstCloud.flatMap((b) => b.perBootMs)))} against ${ms(median(burstBare.flatMap((b) => b.perBootMs)))} bare; ` +
        `per-guest ready (ms): cloud ${burstCloud.map((b) => b.perReadyMs.map((v) => fmt(v, 'ms')).join('/')).join('; ')}, bare ${burstBare.map((b) => b.perReadyMs.map((v) => fmt(v, 'ms')).join('/')).join('; ')}.`,
    )

    return {
      name: 'compute',
      figures: [
        figure({ id: 'compute.active', label: `Server create → ACTIVE (median of ${RUNS})`, unit: 'ms', value: cActive, baseline: { label: 'bare: overlay + spawn → QMP up', value: bQmp } }),
        figure({ id: 'compute.qemu', label: `Server create → QEMU running (pidfile; median of ${RUNS})`, unit: 'ms', value: ct.qemuPidfileMs, baseline: { label: 'bare: overlay + spawn → pidfile', value: bt.qemuPidfileMs } }),
        figure({ id: 'compute.ready', label: `Server create → ready line (median of ${RUNS})`, unit: 'ms', value: cReady, baseline: { label: 'bare qemu, same argv', value: bReady } }),
        figure({ id: 'compute.overhead', label: `Cloud overhead to the ready line (median of ${RUNS} pairs; ${((over / bReady) * 100).toFixed(1)} %)`, unit: 'ms', value: over, target: aimTarget(over, bReady) }),
        figure({ id: 'compute.delete', label: `Server delete → 404 (median of ${RUNS})`, unit: 'ms', value: median(cloudRuns.map((b) => b.deleteMs)) }),
        figure({ id: 'compute.burst.active', label: `${BURST} servers at once (one POST) → all ACTIVE`, unit: 'ms', value: bcActive, baseline: { label: `${BURST} bare → all QMP up`, value: bbQmp } }),
        figure({ id: 'compute.burst.ready', label: `${BURST} servers at once → all ready (wall)`, unit: 'ms', value: bcReady, baseline: { label: `${BURST} bare boots at once`, value: bbReady } }),
      ],
      raw,
      notes,
    }
  } finally {
    // Servers first (through the API, so the cloud removes its files), then the cloud, then anything left (bare
    // boots stop themselves when they fail; their QEMUs are tracked children as well).
    for (const id of [...ctx.live]) {
      await deleteServer(ctx, id, 15_000).catch((e: Error) => log(`cleanup: ${e.message}`))
    }
    if (!cloudLog.length) cloudLog = readLog(path.join(dataDir, 'logs', 'stackling.log'))
    await cloud.stop()
    const killed = leftovers()
    unhook()
    if (killed.length) log(`cleanup: killed ${killed.length} leftover process(es) naming the bench's folders: ${killed.join(', ')}`)
    removeTempDir(bareRoot)
    // The cloud and every QEMU are reaped now, so their CPU is in ours: the rest of the machine's busy time was
    // someone else's. (`notes` is the array of the output returned above, so this still reaches the report.)
    const host1 = hostCpuSeconds()
    const own1 = ownCpuSecondsWithReaped()
    if (host0 && host1 && own0 !== undefined && own1 !== undefined) {
      const seconds = (wall() - wall0) / 1000
      const other = host1.busy - host0.busy - (own1 - own0)
      const steal = host1.steal - host0.steal
      raw.machine = { seconds, ownCpuSeconds: own1 - own0, otherCpuSeconds: other, stealSeconds: steal, foreignQemusPerRun: foreign }
      const busy = other / seconds > 0.05 || foreign.some((n) => n > 0)
      notes.push(
        `Compute: other processes used ${other.toFixed(1)} CPU-s (${((other / seconds) * 100).toFixed(0)} % of one core on average) during the ${seconds.toFixed(0)} s of this bench, ` +
          `steal ${steal.toFixed(1)} s; foreign QEMUs at the start of each run: ${foreign.join(' ') || 'none'}${busy ? ' — the machine was shared: the boot figures are noisier than usual, rerun on a quiet machine to compare' : ''}.`,
      )
    }
  }
}
