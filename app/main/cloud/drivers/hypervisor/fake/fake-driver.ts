import { promises as fs } from 'node:fs'
import path from 'node:path'
import { Duplex } from 'node:stream'
import type { Logger } from '../../../platform/log'
import {
  DriverError,
  GuestNotFound,
  type DiskAttachment,
  type DriverCapabilities,
  type GuestInfo,
  type GuestSpec,
  type GuestStateEvent,
  type HostInfo,
  type HypervisorDriver,
  type PowerState,
} from '../hypervisor-driver'

/**
 * An in-memory hypervisor for the compute manager's unit tests. It documents the semantics every real driver
 * has (the contract suite checks both), like Nova's virt/fake.py:
 *
 *   state      spawn(powerOn) → running | shutdown
 *   running    pause → paused · suspend → suspended · powerOff → shutdown · reboot → running · destroy → gone
 *   paused     unpause → running · suspend → suspended · powerOff → shutdown · reboot HARD → running
 *   suspended  resume / powerOn → running (memory restored) · powerOff → shutdown (memory dropped) ·
 *              reboot → running (fresh boot) · attach/detach → DriverError
 *   shutdown   powerOn → running · reboot → running · pause/unpause/suspend/console → DriverError
 *
 * Idempotent: destroy (also of unknown ids), powerOff of a stopped guest, powerOn of a running one, attaching the
 * same volume twice, resume of a running (not suspended) guest. Unknown ids: every other method throws
 * GuestNotFound. spawn of an existing id throws DriverError; a failed spawn leaves nothing.
 *
 * Files: spawn writes `disk.fake` (the "root disk") and `guest.json` into the instance folder; destroy empties
 * it (keepDisks keeps disk.fake); snapshot writes the target file. Guests live in a FakeHost shared by every
 * FakeDriver made with the same dataDir, so a second driver "after a restart" adopts them.
 *
 * Test hooks: simulateGuestPowerOff / simulateCrash (spontaneous changes, reported by onDidChangeState),
 * failNext(method, error) (the next call of that method throws), and `calls` (every call, in order).
 */

interface FakeGuest {
  spec: GuestSpec
  state: PowerState
  volumes: DiskAttachment[]
  /** resizeVolume: volume id → bytes. */
  sizes: Map<string, number>
  console: string
  startedAt: number
  boots: number
}

/** The "machine" the fake guests run on: outlives a FakeDriver, as QEMU processes outlive the cloud. */
export class FakeHost {
  private static readonly hosts = new Map<string, FakeHost>()
  readonly guests = new Map<string, FakeGuest>()

  static for(dataDir: string): FakeHost {
    let h = FakeHost.hosts.get(dataDir)
    if (!h) FakeHost.hosts.set(dataDir, (h = new FakeHost()))
    return h
  }
}

export interface FakeDriverOptions {
  dataDir?: string
  log?: Logger
  accelerator?: string
  host?: FakeHost
}

type Method = 'spawn' | 'destroy' | 'powerOff' | 'powerOn' | 'reboot' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'snapshot' | 'attachVolume' | 'detachVolume' | 'resizeVolume' | 'getInfo' | 'initHost'

export class FakeDriver implements HypervisorDriver {
  readonly name = 'fake'
  readonly capabilities: DriverCapabilities = {
    supportsPause: true,
    supportsSuspend: true,
    supportsSnapshot: true,
    supportsLiveAttach: true,
    supportsSerialConsole: true,
  }
  readonly host: FakeHost
  readonly calls: Array<{ method: string; id?: string }> = []
  private readonly listeners = new Set<(e: GuestStateEvent) => void>()
  private readonly failures = new Map<Method, Error>()
  private initialized = false

  constructor(private readonly opts: FakeDriverOptions = {}) {
    this.host = opts.host ?? (opts.dataDir ? FakeHost.for(opts.dataDir) : new FakeHost())
  }

  // ---------------------------------------------------------------- test hooks

  /** The next call of `method` throws `error` (default a DriverError) after recording the call. */
  failNext(method: Method, error: Error = new DriverError(`fake ${method} failure`)): void {
    this.failures.set(method, error)
  }

  /** The guest powers itself off (e.g. `poweroff` inside it): state shutdown, listeners told. */
  simulateGuestPowerOff(id: string): void {
    const g = this.get(id)
    if (g.state !== 'running' && g.state !== 'paused') throw new DriverError(`fake guest ${id} is not running`)
    g.console += 'fake: power down\n'
    this.change(id, g, 'shutdown')
  }

  simulateCrash(id: string): void {
    this.change(id, this.get(id), 'crashed')
  }

  // ---------------------------------------------------------------- driver

  async initHost(): Promise<HostInfo> {
    this.enter('initHost')
    this.initialized = true
    return {
      hypervisorType: 'fake',
      hypervisorVersion: '1.0',
      accelerator: 'fake',
      acceleratorNote: 'fake (no guests really run)',
      architecture: 'x86_64',
    }
  }

  async listGuests(): Promise<string[]> {
    return [...this.host.guests.keys()]
  }

  async spawn(spec: GuestSpec, opts: { powerOn: boolean }): Promise<void> {
    this.enter('spawn', spec.id)
    if (this.host.guests.has(spec.id)) throw new DriverError(`A guest ${spec.id} already exists on this host.`)
    if (!path.isAbsolute(spec.instanceDir)) throw new DriverError(`The instance folder must be an absolute path (got ${spec.instanceDir}).`)
    const rootFile = 'volume' in spec.rootDisk ? spec.rootDisk.volume.file : spec.rootDisk.baseImage
    try {
      await fs.access(rootFile)
    } catch {
      throw new DriverError(`Cannot create the root disk: ${rootFile} does not exist.`)
    }
    await fs.mkdir(spec.instanceDir, { recursive: true })
    // A root volume is used as it is: no overlay file.
    if (!('volume' in spec.rootDisk)) await fs.writeFile(path.join(spec.instanceDir, 'disk.fake'), `overlay of ${spec.rootDisk.baseImage}\n`)
    await fs.writeFile(path.join(spec.instanceDir, 'guest.json'), JSON.stringify({ ...spec, configDrive: undefined }))
    const g: FakeGuest = { spec, state: 'shutdown', volumes: [...(spec.volumes ?? [])], sizes: new Map(), console: '', startedAt: 0, boots: 0 }
    this.host.guests.set(spec.id, g)
    if (opts.powerOn) this.boot(g)
  }

  async destroy(id: string, opts: { keepDisks: boolean }): Promise<void> {
    this.enter('destroy', id)
    const g = this.host.guests.get(id)
    if (!g) return
    this.host.guests.delete(id)
    for (const name of await fs.readdir(g.spec.instanceDir).catch(() => [] as string[])) {
      if (opts.keepDisks && name === 'disk.fake') continue
      await fs.rm(path.join(g.spec.instanceDir, name), { recursive: true, force: true })
    }
  }

  async powerOff(id: string, _opts: { timeoutMs: number }): Promise<void> {
    this.enter('powerOff', id)
    const g = this.get(id)
    if (g.state === 'shutdown') return
    if (g.state === 'running') g.console += 'fake: power down\n'
    g.state = 'shutdown'
  }

  async powerOn(id: string): Promise<void> {
    this.enter('powerOn', id)
    const g = this.get(id)
    if (g.state === 'running' || g.state === 'paused') return
    if (g.state === 'suspended') g.state = 'running'
    else this.boot(g)
  }

  async reboot(id: string, type: 'SOFT' | 'HARD'): Promise<void> {
    this.enter('reboot', id)
    const g = this.get(id)
    if (type === 'SOFT' && g.state === 'running') g.console += 'fake: power down\n'
    this.boot(g)
  }

  async pause(id: string): Promise<void> {
    this.enter('pause', id)
    const g = this.get(id)
    this.requireProcess(id, g, 'pause')
    g.state = 'paused'
  }

  async unpause(id: string): Promise<void> {
    this.enter('unpause', id)
    const g = this.get(id)
    this.requireProcess(id, g, 'unpause')
    g.state = 'running'
  }

  async suspend(id: string): Promise<void> {
    this.enter('suspend', id)
    const g = this.get(id)
    this.requireProcess(id, g, 'suspend')
    g.state = 'suspended'
  }

  async resume(id: string): Promise<void> {
    this.enter('resume', id)
    const g = this.get(id)
    if (g.state === 'running' || g.state === 'paused') return
    if (g.state !== 'suspended') throw new DriverError(`Guest ${id} is not suspended.`)
    g.state = 'running'
  }

  /**
   * A fake guest never writes to its disk, so its snapshot is its image: a copy of the base when the format matches,
   * else an empty disk of the base's size in `format` (a valid image either way, for the image service's checks).
   */
  async snapshot(id: string, targetFile: string, format: 'qcow2' | 'raw'): Promise<void> {
    this.enter('snapshot', id)
    const g = this.get(id)
    const root = g.spec.rootDisk
    const base = 'volume' in root ? { baseImage: root.volume.file, baseFormat: root.volume.format } : root
    if (base.baseFormat === format) {
      await fs.copyFile(base.baseImage, targetFile)
      return
    }
    const size = Math.max(512, Math.ceil((await fs.stat(base.baseImage)).size / 512) * 512)
    if (format === 'raw') {
      const fh = await fs.open(targetFile, 'w')
      await fh.truncate(size)
      await fh.close()
    } else {
      await fs.writeFile(targetFile, emptyQcow2(size))
    }
  }

  async attachVolume(id: string, disk: DiskAttachment): Promise<void> {
    this.enter('attachVolume', id)
    const g = this.get(id)
    if (g.state === 'suspended') throw new DriverError(`Guest ${id} is suspended: resume it before attaching a volume.`)
    const existing = g.volumes.find((v) => v.id === disk.id)
    if (existing) {
      if (existing.file === disk.file) return
      throw new DriverError(`Volume ${disk.id} is already attached to guest ${id}.`)
    }
    g.volumes.push({ ...disk })
  }

  async detachVolume(id: string, diskId: string): Promise<void> {
    this.enter('detachVolume', id)
    const g = this.get(id)
    if (g.state === 'suspended') throw new DriverError(`Guest ${id} is suspended: resume it before detaching a volume.`)
    if (!g.volumes.some((v) => v.id === diskId)) throw new DriverError(`Volume ${diskId} is not attached to guest ${id}.`)
    g.volumes = g.volumes.filter((v) => v.id !== diskId)
  }

  async resizeVolume(id: string, diskId: string, bytes: number): Promise<void> {
    this.enter('resizeVolume', id)
    const g = this.get(id)
    if (g.state === 'suspended') throw new DriverError(`Guest ${id} is suspended: resume it before growing a volume.`)
    const root = g.spec.rootDisk
    if (!g.volumes.some((v) => v.id === diskId) && !('volume' in root && root.volume.id === diskId)) throw new DriverError(`Volume ${diskId} is not attached to guest ${id}.`)
    g.sizes.set(diskId, Math.max(bytes, g.sizes.get(diskId) ?? 0))
  }

  async attachedVolumes(id: string): Promise<string[]> {
    return this.get(id).volumes.map((v) => v.id)
  }

  /** The size each volume was last grown to (test helper). */
  volumeSizesOf(id: string): Map<string, number> {
    return new Map(this.get(id).sizes)
  }

  /** The volumes attached to a guest (test helper). */
  volumesOf(id: string): DiskAttachment[] {
    return [...this.get(id).volumes]
  }

  async getInfo(id: string): Promise<GuestInfo> {
    this.enter('getInfo', id)
    const g = this.get(id)
    const info: GuestInfo = { state: g.state, vcpus: g.spec.vcpus, memoryMb: g.spec.memoryMb }
    if (g.state === 'running' || g.state === 'paused') info.uptimeSeconds = Math.round((Date.now() - g.startedAt) / 1000)
    return info
  }

  async consoleLog(id: string, lines?: number): Promise<string> {
    const text = this.get(id).console
    if (lines === undefined) return text
    const all = text.split('\n')
    const trailing = all[all.length - 1] === '' ? 1 : 0
    return all.slice(Math.max(0, all.length - trailing - lines)).join('\n')
  }

  async openSerialConsole(id: string): Promise<NodeJS.ReadWriteStream & { close(): void }> {
    const g = this.get(id)
    if (g.state !== 'running' && g.state !== 'paused') throw new DriverError(`Guest ${id} is not running: its serial console is not available.`)
    // An echoing terminal with a prompt after every line.
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const text = chunk.toString()
        this.push(text.replace(/\n/g, '\r\nfake# '))
        cb()
      },
    })
    return Object.assign(stream, { close: () => void stream.destroy() })
  }

  onDidChangeState(listener: (e: GuestStateEvent) => void): { dispose(): void } {
    this.listeners.add(listener)
    return { dispose: () => void this.listeners.delete(listener) }
  }

  async shutdownHost(): Promise<void> {
    this.listeners.clear()
    this.initialized = false
  }

  /** Whether initHost ran (managers must call it first). */
  get isInitialized(): boolean {
    return this.initialized
  }

  // ---------------------------------------------------------------- internals

  private enter(method: Method, id?: string): void {
    this.calls.push({ method, id })
    const err = this.failures.get(method)
    if (err) {
      this.failures.delete(method)
      throw err
    }
  }

  private get(id: string): FakeGuest {
    const g = this.host.guests.get(id)
    if (!g) throw new GuestNotFound(id)
    return g
  }

  private requireProcess(id: string, g: FakeGuest, what: string): void {
    if (g.state !== 'running' && g.state !== 'paused') throw new DriverError(`Cannot ${what} guest ${id}: it is not running.`)
  }

  private boot(g: FakeGuest): void {
    g.state = 'running'
    g.startedAt = Date.now()
    g.boots++
    g.console += `fake: boot ${g.boots} of ${g.spec.name}\n`
  }

  private change(id: string, g: FakeGuest, state: PowerState): void {
    if (g.state === state) return
    g.state = state
    this.opts.log?.info('guest changed state on its own', { guest: id, state })
    for (const l of this.listeners) l({ id, state })
  }
}

/**
 * An empty qcow2 (version 2, 64 KiB clusters) of `virtualSize` bytes, as `qemu-img create -f qcow2` would write
 * it: header, refcount table, one refcount block, L1 table (all L2 entries absent: the disk reads as zeros).
 */
export function emptyQcow2(virtualSize: number): Buffer {
  const cluster = 65536
  const l1Size = Math.max(1, Math.ceil(virtualSize / (cluster * (cluster / 8))))
  const l1Clusters = Math.ceil((l1Size * 8) / cluster)
  const clusters = 3 + l1Clusters // header, refcount table, refcount block, L1
  const buf = Buffer.alloc(clusters * cluster)
  buf.write('QFI\xfb', 0, 'latin1')
  buf.writeUInt32BE(2, 4) // version
  buf.writeUInt32BE(16, 20) // cluster_bits
  buf.writeBigUInt64BE(BigInt(virtualSize), 24)
  buf.writeUInt32BE(l1Size, 36)
  buf.writeBigUInt64BE(BigInt(3 * cluster), 40) // l1_table_offset
  buf.writeBigUInt64BE(BigInt(cluster), 48) // refcount_table_offset
  buf.writeUInt32BE(1, 56) // refcount_table_clusters
  buf.writeBigUInt64BE(BigInt(2 * cluster), cluster) // refcount table[0] → refcount block
  for (let i = 0; i < clusters; i++) buf.writeUInt16BE(1, 2 * cluster + 2 * i) // every cluster used once
  return buf
}
