import { promises as fs } from 'node:fs'
import path from 'node:path'
import { run } from '../../../platform/process/run'
import { DriverError } from '../hypervisor-driver'

/**
 * The config drive: a VFAT image labelled `config-2` (what Nova writes with `config_drive_format=vfat`, and what the
 * stackling-tiny guest mounts: it tries ISO 9660, then VFAT). Made without root with mtools (Debian package mtools):
 * `mformat` creates and formats the image file, `mcopy -s` copies a staged folder tree into it.
 */

/** Checks a config-drive path: relative, `/`-separated, no `.`/`..` parts, printable ASCII without `\`, `:`. */
export function checkConfigDrivePath(p: string): string {
  const parts = p.split('/')
  if (p.startsWith('/') || parts.some((x) => x === '' || x === '.' || x === '..' || !/^[\x21-\x7e]+$/.test(x) || /[\\:*?"<>|]/.test(x))) {
    throw new DriverError(`Config drive path '${p}' is not a plain relative path.`)
  }
  return p
}

/** Image size in 512-byte sectors: the content with generous slack, at least a 1.44 MB floppy's 2880. */
export function configDriveSectors(files: Record<string, string | Buffer>): number {
  let bytes = 0
  for (const c of Object.values(files)) bytes += Math.ceil(Buffer.byteLength(c) / 4096 + 1) * 4096
  return Math.max(2880, Math.ceil((bytes * 1.25 + 512 * 1024) / 512))
}

/** Writes `image` (must not exist) holding `files`; the staging folder `${image}.d` is removed afterwards. */
export async function buildConfigDrive(image: string, files: Record<string, string | Buffer>): Promise<void> {
  const stage = `${image}.d`
  await fs.rm(stage, { recursive: true, force: true })
  await fs.mkdir(stage, { recursive: true })
  try {
    const tops = new Set<string>()
    for (const [p, content] of Object.entries(files)) {
      checkConfigDrivePath(p)
      const dest = path.join(stage, ...p.split('/'))
      await fs.mkdir(path.dirname(dest), { recursive: true })
      await fs.writeFile(dest, content)
      tops.add(p.split('/')[0]!)
    }
    await mtool('mformat', ['-C', '-i', image, '-T', String(configDriveSectors(files)), '-v', 'config-2', '::'])
    if (tops.size > 0) await mtool('mcopy', ['-s', '-i', image, ...[...tops].sort().map((t) => path.join(stage, t)), '::/'])
  } catch (err) {
    await fs.rm(image, { force: true })
    throw err
  } finally {
    await fs.rm(stage, { recursive: true, force: true })
  }
}

async function mtool(program: string, args: string[]): Promise<void> {
  const r = await run(program, args, { timeoutMs: 30_000 }).catch((e: Error) => {
    throw new DriverError(`Cannot build the config drive: ${e.message} (install the mtools package).`)
  })
  if (r.code !== 0) throw new DriverError(`Cannot build the config drive: ${program} failed: ${r.stderr.trim() || `exit ${r.code}`}`)
}
