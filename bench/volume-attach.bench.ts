/**
 * Volumes: attach-to-visible-in-guest — from the moment the attach is asked for to the moment the new disk shows in
 * /sys/block inside the guest — through the cloud (POST os-volume_attachments of a 1 GiB volume), against a bare
 * QEMU booted with the very argument array the driver used for the cloud's guest, into which the same disk objects
 * are hot-plugged directly over QMP (blockdev-add + device_add, as guest-argv.ts builds them), in the same run.
 *
 * Both guests are watched the same way: a shell on the guest's serial console socket (console.sock, the same chardev
 * on both sides) runs a loop that prints a marker once the number of vd* disks in /sys/block grows; the time is taken
 * when the marker reaches the host. Runs alternate between the two guests; every run is followed by a detach (API
 * DELETE / QMP device_del + DEVICE_DELETED + blockdev-del). Both guests are up together during the runs, so both see
 * the same load. Everything this bench starts is deleted or killed at the end, however it ends.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { closeSync, openSync, promises as fs, readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { QmpClient } from '../app/main/cloud/drivers/hypervisor/qemu/qmp-client'
import { volumeBlockdev, volumeDevice, volumeNames, type AttachedVolume } from '../app/main/cloud/drivers/hypervisor/qemu/guest-argv'
import { fetchOnce, median } from './lib/load'
import { killProcessesNaming, makeTempDir, onCleanup, removeTempDir, sleep, trackChild } from './lib/processes'
import { figure, type BenchOutput } from './lib/report'
import { JSON_HEADERS, passwordAuthBody, startCloud } from './lib/servers'

const RUNS = 9
const QEMU_IMG = process.env.STACKLING_QEMU_IMG ?? 'qemu-img'
const execFileP = promisify(execFile)
const wall = () => performance.timeOrigin + performance.now()

interface Api {
  port: number
  token: string
}

async function call(api: Api, method: string, p: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetchOnce(api.port, { method: method as 'GET', path: p, headers: { ...JSON_HEADERS, 'X-Auth-Token': api.token }, body: body === undefined ? undefined : JSON.stringify(body) })
  let json: any
  try {
    json = res.body ? JSON.parse(res.body) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, json, text: res.body }
}

async function expect(api: Api, method: string, p: string, status: number, body?: unknown) {
  const r = await call(api, method, p, body)
  if (r.status !== status) throw new Error(`${method} ${p}: ${r.status} (expected ${status}): ${r.text.slice(0, 500)}`)
  return r
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(everyMs)
  }
}

/**
 * A root shell on a guest's serial console socket (the stackling-tiny console offers one on Enter). `expectLine`
 * resolves with the wall time at which a line containing the text arrived.
 */
class ConsoleShell {
  private buf = ''
  private readonly waiters: { text: string; from: number; resolve: (at: number) => void }[] = []
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      const at = wall()
      this.buf += d.toString('utf8')
      for (const w of [...this.waiters]) {
        if (this.buf.indexOf(w.text, w.from) >= 0) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(at)
        }
      }
    })
    sock.on('error', () => undefined)
  }

  static async open(socketPath: string, timeoutMs = 120_000): Promise<ConsoleShell> {
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(socketPath)
      s.once('connect', () => resolve(s))
      s.once('error', reject)
    })
    const sh = new ConsoleShell(sock)
    const end = Date.now() + timeoutMs
    while (!/root@[^\s:]*:[^\n#]*# /.test(sh.buf)) {
      if (Date.now() > end) throw new Error(`no shell on ${socketPath}: ${sh.buf.slice(-1000)}`)
      sock.write('\r')
      await sleep(1000)
    }
    return sh
  }

  /** Types a line; resolves once `text` appears after it (printed by the guest, not the echo: see the marker trick). */
  expectLine(text: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`'${text}' did not appear within ${timeoutMs} ms: ${this.buf.slice(-800)}`)), timeoutMs)
      this.waiters.push({ text, from: this.buf.length, resolve: (at) => (clearTimeout(timer), resolve(at)) })
    })
  }

  send(line: string): void {
    this.sock.write(`${line}\r`)
  }

  /**
   * Starts a loop in the guest that prints `<tag>:42` (the 42 computed, so the echoed command never matches) when
   * the count of vd* disks exceeds what it is now; resolves when the loop is running, with the wait for the marker.
   */
  async armDiskWatch(tag: string, timeoutMs: number): Promise<{ seen: Promise<number> }> {
    const armed = this.expectLine(`${tag}-armed:42`, 10_000)
    const seen = this.expectLine(`${tag}:42`, timeoutMs)
    seen.catch(() => undefined)
    // The next disk is the next letter (the lowest free one: the guest's vd* are contiguous here); the loop itself is
    // a shell builtin test plus usleep, so it costs the guest's one vCPU little.
    this.send(
      `n=$(ls /sys/block | grep -c '^vd'); t=/sys/block/vd$(echo abcdefghijklmnopqrstuvwxyz | cut -c$((n+1))); echo "${tag}-armed:$((6*7))"; ` +
        `while [ ! -e $t ]; do usleep 2000; done; echo "${tag}:$((6*7))"`,
    )
    await armed
    // Wrapped: an async function returning the promise itself would wait for it.
    return { seen }
  }

  close(): void {
    this.sock.destroy()
  }
}

/** QEMU argv of the cloud's guest, rewritten for a bare boot in `dir` (its own overlay, config drive, sockets). */
function rewriteArgv(argv: string[], instanceDir: string, socketDir: string, id: string, dir: string): string[] {
  return argv.map((a) => {
    let s = a.split(instanceDir).join(dir)
    if (socketDir !== instanceDir) s = s.split(socketDir).join(dir)
    return s.split(id).join(`bare-${id.slice(0, 8)}`)
  })
}

export async function runVolumeAttachBench(log: (msg: string) => void): Promise<BenchOutput> {
  const bareRoot = makeTempDir('stackling-bench-volume-bare-')
  const cloud = await startCloud()
  const dataDir = cloud.dataDir
  const leftovers = () => [...killProcessesNaming(dataDir), ...killProcessesNaming(bareRoot)]
  const unhook = onCleanup(() => void leftovers())
  const notes: string[] = []
  let serverId: string | undefined
  const volumeIds: string[] = []
  let bare: ChildProcess | undefined
  let qmp: QmpClient | undefined
  const shells: ConsoleShell[] = []
  try {
    const auth = await fetchOnce(cloud.port, { method: 'POST', path: '/identity/v3/auth/tokens', headers: JSON_HEADERS, body: passwordAuthBody(cloud.demo) })
    if (auth.status !== 201) throw new Error(`token: ${auth.status} ${auth.body.slice(0, 200)}`)
    const api: Api = { port: cloud.port, token: auth.headers['x-subject-token'] as string }
    const projectId = JSON.parse(auth.body).token.project.id as string
    const images = (await expect(api, 'GET', '/image/v2/images?name=stackling-tiny', 200)).json.images as { id: string }[]
    if (!images[0]) throw new Error('the cloud has no stackling-tiny image (npm run build:guest-image)')

    // The cloud's guest.
    const created = await expect(api, 'POST', '/compute/v2.1/servers', 202, { server: { name: 'vol-bench', imageRef: images[0].id, flavorRef: '42', networks: 'none' } })
    serverId = created.json.server.id as string
    await until('server ACTIVE', 120_000, async () => {
      const s = (await expect(api, 'GET', `/compute/v2.1/servers/${serverId}`, 200)).json.server
      if (s.status === 'ERROR') throw new Error(`server went to ERROR: ${JSON.stringify(s.fault)}`)
      return s.status === 'ACTIVE' ? true : undefined
    }, 200)
    const instanceDir = path.join(dataDir, 'instances', serverId)
    const pid = Number.parseInt(await fs.readFile(path.join(instanceDir, 'qemu.pid'), 'utf8'), 10)
    const [binary, ...argv] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => i < all.length - 1 || a !== '')
    const consoleArg = argv.find((a) => /(^|,)path=[^,]*\/console\.sock(,|$)/.test(a))!
    const socketDir = /(?:^|,)path=([^,]*)\/console\.sock(?:,|$)/.exec(consoleArg)![1]!
    const cloudShell = await ConsoleShell.open(path.join(socketDir, 'console.sock'))
    shells.push(cloudShell)

    // The bare guest: same argv, its own overlay on the same base and a copy of the config drive.
    const info = JSON.parse((await execFileP(QEMU_IMG, ['info', '-U', '--output=json', path.join(instanceDir, 'disk.qcow2')])).stdout) as Record<string, any>
    const base = (info['full-backing-filename'] ?? info['backing-filename']) as string
    await execFileP(QEMU_IMG, ['create', '-q', '-f', 'qcow2', '-b', base, '-F', (info['backing-filename-format'] as string) ?? 'qcow2', path.join(bareRoot, 'disk.qcow2'), String(info['virtual-size'])])
    await fs.copyFile(path.join(instanceDir, 'config-2.img'), path.join(bareRoot, 'config-2.img'))
    const errFd = openSync(path.join(bareRoot, 'qemu.log'), 'w')
    try {
      bare = trackChild(spawn(binary!, rewriteArgv(argv, instanceDir, socketDir, serverId, bareRoot), { detached: true, stdio: ['ignore', 'ignore', errFd], shell: false }))
    } finally {
      closeSync(errFd)
    }
    qmp = await QmpClient.connect(path.join(bareRoot, 'qmp.sock'), { timeoutMs: 15_000 })
    const bareShell = await ConsoleShell.open(path.join(bareRoot, 'console.sock'))
    shells.push(bareShell)
    log('both guests have a shell')

    // Volumes: the cloud's through the API; the bare guest's are plain raw files of the same size.
    for (let i = 0; i < RUNS; i++) {
      const v = await expect(api, 'POST', `/volume/v3/${projectId}/volumes`, 202, { volume: { size: 1, name: `bench-${i}` } })
      volumeIds.push(v.json.volume.id as string)
    }
    for (const id of volumeIds) {
      await until(`volume ${id} available`, 60_000, async () => ((await expect(api, 'GET', `/volume/v3/${projectId}/volumes/${id}`, 200)).json.volume.status === 'available' ? true : undefined))
    }

    const cloudMs: number[] = []
    const bareMs: number[] = []
    const apiMs: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // Cloud: POST → the disk in the guest's /sys/block.
      const tag = `c${i}${Math.random().toString(36).slice(2, 6)}`
      const { seen } = await cloudShell.armDiskWatch(tag, 60_000)
      const t0 = wall()
      await expect(api, 'POST', `/compute/v2.1/servers/${serverId}/os-volume_attachments`, 200, { volumeAttachment: { volumeId: volumeIds[i] } })
      apiMs.push(wall() - t0)
      cloudMs.push(
        await seen.then(
          (at) => at - t0,
          async (err: Error) => {
            const list = await call(api, 'GET', `/compute/v2.1/servers/${serverId}/os-volume_attachments`)
            throw new Error(`${err.message}\nattachments: ${list.text}`)
          },
        ),
      )
      await expect(api, 'DELETE', `/compute/v2.1/servers/${serverId}/os-volume_attachments/${volumeIds[i]}`, 202)

      // Bare: blockdev-add + device_add of the same objects → the disk in the guest's /sys/block.
      const file = path.join(bareRoot, `vol-${i}.raw`)
      await execFileP(QEMU_IMG, ['create', '-q', '-f', 'raw', file, '1G'])
      const id = randomUUID()
      const vol: AttachedVolume = { id, file, format: 'raw', ...volumeNames(id) }
      const btag = `b${i}${Math.random().toString(36).slice(2, 6)}`
      const { seen: bseen } = await bareShell.armDiskWatch(btag, 60_000)
      const b0 = wall()
      await qmp.execute('blockdev-add', volumeBlockdev(vol))
      await qmp.execute('device_add', volumeDevice(vol))
      bareMs.push((await bseen) - b0)
      const gone = qmp.waitForEvent('DEVICE_DELETED', 30_000, (e) => e.data?.device === vol.deviceId)
      await qmp.execute('device_del', { id: vol.deviceId })
      await gone
      await qmp.execute('blockdev-del', { 'node-name': vol.nodeName })
      log(`run ${i + 1}: cloud ${cloudMs[i]!.toFixed(0)} ms (API answered after ${apiMs[i]!.toFixed(0)} ms), bare ${bareMs[i]!.toFixed(0)} ms`)
    }
    const c = median(cloudMs)
    const b = median(bareMs)
    notes.push(`cloud runs (ms): ${cloudMs.map((x) => x.toFixed(0)).join(', ')}; bare runs: ${bareMs.map((x) => x.toFixed(0)).join(', ')}`)
    notes.push('Most of either figure is the guest: ACPI PCI hot-plug notification, virtio-blk probe under TCG, the 2 ms poll loop in the guest.')
    return {
      name: 'volume-attach',
      figures: [
        figure({ id: 'volume.attach.visible', label: `Attach → disk in the guest's /sys/block (median of ${RUNS})`, unit: 'ms', value: c, baseline: { label: 'bare qemu, same argv: QMP blockdev-add + device_add', value: b } }),
        figure({ id: 'volume.attach.api', label: `POST os-volume_attachments → 200 (median of ${RUNS})`, unit: 'ms', value: median(apiMs) }),
      ],
      raw: { cloudMs, bareMs, apiMs },
      notes,
    }
  } finally {
    for (const s of shells) s.close()
    qmp?.close()
    if (bare && bare.exitCode === null && bare.signalCode === null) bare.kill('SIGKILL')
    if (serverId) {
      const auth = await fetchOnce(cloud.port, { method: 'POST', path: '/identity/v3/auth/tokens', headers: JSON_HEADERS, body: passwordAuthBody(cloud.demo) }).catch(() => undefined)
      const token = auth?.headers['x-subject-token'] as string | undefined
      if (token) {
        const a: Api = { port: cloud.port, token }
        await call(a, 'DELETE', `/compute/v2.1/servers/${serverId}`).catch(() => undefined)
        await until('server deleted', 30_000, async () => ((await call(a, 'GET', `/compute/v2.1/servers/${serverId}`)).status === 404 ? true : undefined)).catch((e: Error) => log(`cleanup: ${e.message}`))
      }
    }
    await cloud.stop()
    const killed = leftovers()
    unhook()
    if (killed.length) log(`cleanup: killed ${killed.length} leftover process(es): ${killed.join(', ')}`)
    removeTempDir(bareRoot)
  }
}
