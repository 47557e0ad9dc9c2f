import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { nodeExecutor, PowerShellRunner, type Executor } from '../../hypervisor/hyperv/powershell'
import { diskFileName, parseDiskFileName, VolumeDriverError, type DiskInfo, type DiskRef, type SourceFile, type VolumeDriver } from '../volume-driver'
import * as c from './vhdx-commands'

/**
 * Volumes as dynamic VHDX files for Hyper-V hosts: New-VHD, Convert-VHD (copies of VHDX sources: snapshots,
 * clones), Resize-VHD, and qemu-img for images in other formats. Same temp → flush → rename rule as the file
 * driver (the rename is Node's; MoveFileEx replaces atomically on NTFS). Never run on CI: its commands are
 * unit-tested through a recording executor.
 */
export class VhdxVolumeDriver implements VolumeDriver {
  readonly name = 'vhdx'
  readonly formats = ['vhdx'] as const
  readonly dir: string
  private readonly ps: PowerShellRunner
  private readonly executor: Executor
  private readonly qemuImg: string

  constructor(opts: { dataDir: string; executor?: Executor; qemuImg?: string; pathModule?: typeof path }) {
    this.pm = opts.pathModule ?? path.win32
    this.dir = this.pm.join(opts.dataDir, 'volumes')
    this.executor = opts.executor ?? nodeExecutor
    this.ps = new PowerShellRunner({ executor: this.executor })
    this.qemuImg = opts.qemuImg ?? 'qemu-img.exe'
  }
  private readonly pm: typeof path

  async initHost(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true })
  }

  path(ref: DiskRef): string {
    if (ref.format !== 'vhdx') throw new VolumeDriverError('The Hyper-V volume driver keeps VHDX disks only.')
    return this.pm.join(this.dir, diskFileName(ref))
  }

  async createBlank(ref: DiskRef, sizeBytes: number): Promise<void> {
    await this.build(ref, (tmp) => this.ps.run(c.newVhd(tmp, sizeBytes)))
  }

  async createFromFile(ref: DiskRef, source: SourceFile, sizeBytes: number): Promise<void> {
    await this.build(ref, async (tmp) => {
      if (source.format === 'vhdx' || source.format === 'vpc') await this.ps.run(c.convertVhd(source.path, tmp))
      else {
        const call = c.qemuImgToVhdx(this.qemuImg, source.path, source.format, tmp)
        const r = await this.executor(call.program, call.args, { timeoutMs: 6 * 60 * 60 * 1000 })
        if (r.code !== 0) throw new VolumeDriverError(`qemu-img convert failed: ${r.stderr.trim()}`)
      }
      await this.ps.run(c.resizeVhd(tmp, sizeBytes))
    })
  }

  async extend(ref: DiskRef, sizeBytes: number): Promise<void> {
    await this.ps.run(c.resizeVhd(this.path(ref), sizeBytes))
  }

  async delete(ref: DiskRef): Promise<void> {
    await fs.rm(this.path(ref), { force: true })
  }

  async info(ref: DiskRef): Promise<DiskInfo | undefined> {
    const r = (await this.ps.run(c.getVhd(this.path(ref)))) as { exists: boolean; size?: number; fileSize?: number }
    return r.exists ? { virtualSize: Number(r.size), actualSize: Number(r.fileSize ?? 0) } : undefined
  }

  async list(): Promise<DiskRef[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[])
    return names.map(parseDiskFileName).filter((r): r is DiskRef => r?.format === 'vhdx')
  }

  tempPath(hint: string): string {
    return this.pm.join(this.dir, `.${hint.replace(/[^A-Za-z0-9_-]/g, '_')}.${randomBytes(6).toString('hex')}.tmp`)
  }

  async removeTemps(): Promise<number> {
    let n = 0
    for (const name of await fs.readdir(this.dir).catch(() => [] as string[])) {
      if (/^\..*\.tmp(\.vhdx)?$/.test(name)) {
        await fs.rm(this.pm.join(this.dir, name), { force: true })
        n++
      }
    }
    return n
  }

  async freeBytes(): Promise<number> {
    const s = await fs.statfs(this.dir)
    return Number(s.bavail) * Number(s.bsize)
  }

  private async build(ref: DiskRef, work: (tmp: string) => Promise<unknown>): Promise<void> {
    const final = this.path(ref)
    // New-VHD and Convert-VHD insist on a .vhdx name: the temp file is .volume-<id>.<rand>.tmp.vhdx
    const tmp = this.pm.join(this.dir, `.${this.pm.basename(final)}.${randomBytes(6).toString('hex')}.tmp.vhdx`)
    try {
      await work(tmp)
      const fh = await fs.open(tmp, 'r+')
      await fh.sync().finally(() => fh.close())
      await fs.rename(tmp, final)
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined)
      throw err
    }
  }
}
