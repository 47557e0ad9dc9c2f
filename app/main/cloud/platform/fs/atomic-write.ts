import { promises as fs } from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * Writes `data` to `file` so that a reader (or a crash) sees either the old content or the new, never a torn
 * one: temp file in the same folder, fsync, rename, fsync the folder. On failure the temp file is removed.
 */
export async function atomicWriteFile(file: string, data: string | Buffer, opts: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await fs.open(tmp, 'wx', opts.mode ?? 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (err) {
    await handle.close().catch(() => undefined)
    await fs.rm(tmp, { force: true })
    throw err
  }
  await handle.close()
  try {
    await fs.rename(tmp, file)
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw err
  }
  await fsyncDir(dir)
}

async function fsyncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is durable enough there.
  if (process.platform === 'win32') return
  const d = await fs.open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}

/** Removes temp files left by an atomic write that a crash interrupted. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      await fs.rm(path.join(dir, name), { force: true })
      removed++
    }
  }
  return removed
}
