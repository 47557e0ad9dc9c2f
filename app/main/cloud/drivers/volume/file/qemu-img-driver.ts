import { randomBytes } from 'node:crypto'
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { run } from '../../../platform/process/run'
import { diskFileName, parseDiskFileName, VolumeDriverError, type DiskInfo, type DiskRef, type SourceFile, type VolumeDriver } from '../volume-driver'

/**
 * On Linux qemu-img runs under `setpriv --pdeathsig KILL`: if the cloud dies (kill -9) in the middle of a convert,
 * the convert dies with it instead of writing on into a temp file that the next start removes.
 */
const SETPRIV = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) : undefined

/** Converting a multi-GiB image takes minutes on a slow disk; only a hung qemu-img is killed. */
const CONVERT_TIMEOUT_MS = 6 * 60 * 60 * 1000

/**
 * The default backend: qcow2 (or raw) files in <data-dir>/volumes, made with qemu-img (argv arrays only).
 * Snapshots are full qcow2/raw copies, not overlays: a snapshot must stay what it was while its volume is written
 * to, the volume must stay deletable while snapshots of it exist only as records (Cinder deletes a volume only
 * without snapshots, but a volume made from a snapshot outlives it), and a copy needs no backing-chain bookkeeping
 * at delete. The price is the space and time of a copy (qemu-img convert skips zero clusters, so a mostly empty
 * volume copies fast).
 */
export class QemuImgVolumeDriver implements VolumeDriver {
  readonly name = 'qemu-img'
  readonly formats = ['qcow2', 'raw'] as const
  readonly dir: string

  constructor(opts: { dataDir: string; qemuImg?: string }) {
    this.dir = path.join(opts.dataDir, 'volumes')
    this.qemuImg = opts.qemuImg ?? 'qemu-img'
  }
  private readonly qemuImg: string

  async initHost(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 })
  }

  path(ref: DiskRef): string {
    if (ref.format === 'vhdx') throw new VolumeDriverError('The qemu-img driver keeps qcow2 and raw disks only.')
    return path.join(this.dir, diskFileName(ref))
  }

  async createBlank(ref: DiskRef, sizeBytes: number): Promise<void> {
    await this.build(ref, async (tmp) => {
      await this.qemu(['create', '-q', '-f', ref.format, tmp, String(sizeBytes)], 'create')
    })
  }

  async createFromFile(ref: DiskRef, source: SourceFile, sizeBytes: number): Promise<void> {
    await this.build(ref, async (tmp) => {
      // -U reads a disk a running guest holds (crash-consistent, like a forced Cinder snapshot); -W writes
      // clusters out of order, which a non-backed target allows and which is faster.
      const args = ['convert', '-q', ...(source.inUse ? ['-U'] : []), '-W', '-f', source.format, '-O', ref.format, source.path, tmp]
      await this.qemu(args, 'convert', CONVERT_TIMEOUT_MS)
      const info = await this.infoOf(tmp, ref.format)
      if (info.virtualSize < sizeBytes) await this.qemu(['resize', '-q', '-f', ref.format, tmp, String(sizeBytes)], 'resize')
    })
  }

  async extend(ref: DiskRef, sizeBytes: number): Promise<void> {
    const file = this.path(ref)
    const info = await this.infoOf(file, ref.format)
    if (info.virtualSize >= sizeBytes) return
    await this.qemu(['resize', '-q', '-f', ref.format, file, String(sizeBytes)], 'resize')
    await syncFile(file)
  }

  async delete(ref: DiskRef): Promise<void> {
    await fs.rm(this.path(ref), { force: true })
  }

  async info(ref: DiskRef): Promise<DiskInfo | undefined> {
    const file = this.path(ref)
    try {
      await fs.access(file)
    } catch {
      return undefined
    }
    return this.infoOf(file, ref.format, true)
  }

  async list(): Promise<DiskRef[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[])
    return names.map(parseDiskFileName).filter((r): r is DiskRef => !!r && r.format !== 'vhdx')
  }

  tempPath(hint: string): string {
    return path.join(this.dir, `.${hint.replace(/[^A-Za-z0-9_-]/g, '_')}.${randomBytes(6).toString('hex')}.tmp`)
  }

  async removeTemps(): Promise<number> {
    let n = 0
    for (const name of await fs.readdir(this.dir).catch(() => [] as string[])) {
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        await fs.rm(path.join(this.dir, name), { force: true })
        n++
      }
    }
    return n
  }

  async freeBytes(): Promise<number> {
    await this.initHost()
    const s = await fs.statfs(this.dir)
    return Number(s.bavail) * Number(s.bsize)
  }

  /** temp file → work → fsync → rename → fsync the folder; the temp file goes on any failure. */
  private async build(ref: DiskRef, work: (tmp: string) => Promise<void>): Promise<void> {
    await this.initHost()
    const final = this.path(ref)
    const tmp = path.join(this.dir, `.${path.basename(final)}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      await work(tmp)
      await syncFile(tmp)
      await fs.rename(tmp, final)
    } catch (err) {
      await fs.rm(tmp, { force: true })
      throw err
    }
    await syncDir(this.dir)
  }

  private async infoOf(file: string, format: string, shared = false): Promise<DiskInfo> {
    const r = await run(this.qemuImg, ['info', '--output=json', ...(shared ? ['-U'] : []), '-f', format, file], { timeoutMs: 60_000 })
    if (r.code !== 0) throw new VolumeDriverError(`qemu-img info failed: ${r.stderr.trim()}`)
    const j = JSON.parse(r.stdout) as { 'virtual-size': number; 'actual-size'?: number }
    return { virtualSize: j['virtual-size'], actualSize: j['actual-size'] ?? 0 }
  }

  private async qemu(args: string[], op: string, timeoutMs = 120_000): Promise<void> {
    const r = SETPRIV ? await run(SETPRIV, ['--pdeathsig', 'KILL', '--', this.qemuImg, ...args], { timeoutMs }) : await run(this.qemuImg, args, { timeoutMs })
    if (r.code !== 0) throw new VolumeDriverError(`qemu-img ${op} failed: ${(r.stderr || `exit ${r.code}`).trim()}`)
  }
}

async function syncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const d = await fs.open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}
