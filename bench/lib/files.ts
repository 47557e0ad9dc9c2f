import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, promises as fs } from 'node:fs'
import { pipeline } from 'node:stream/promises'

const MiB = 1024 * 1024

/** Writes `size` random (incompressible) bytes to `file`. */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  const out = createWriteStream(file)
  for (let written = 0; written < size; written += 8 * MiB) {
    if (!out.write(randomBytes(Math.min(8 * MiB, size - written)))) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** The floor of a durable upload: copy `src` to `dst`, fsync the copy, remove it; returns MiB/s. */
export async function copyWithFsync(src: string, dst: string): Promise<number> {
  const { size } = await fs.stat(src)
  const t0 = process.hrtime.bigint()
  await pipeline(createReadStream(src, { highWaterMark: MiB }), createWriteStream(dst, { highWaterMark: MiB }))
  const fh = await fs.open(dst, 'r+')
  await fh.sync()
  await fh.close()
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  await fs.rm(dst)
  return size / MiB / s
}
