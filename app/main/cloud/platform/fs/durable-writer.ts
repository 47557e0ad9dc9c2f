import { promises as fs, type PathLike } from 'node:fs'
import { Writable } from 'node:stream'

/**
 * A file write stream that flushes to disk as it goes: every `syncEvery` bytes it starts an fdatasync in the
 * background, so the disk writes back while more data arrives instead of all at the end (a 1 GiB upload would
 * otherwise wait seconds for one final fsync). When the stream finishes, everything is on disk.
 */
export class DurableFileWriter extends Writable {
  private handle: fs.FileHandle | undefined
  private sinceSync = 0
  private syncing: Promise<void> = Promise.resolve()

  constructor(private readonly file: PathLike, private readonly opts: { flags?: string; syncEvery?: number } = {}) {
    super({ highWaterMark: 1024 * 1024 })
  }

  override _construct(callback: (err?: Error | null) => void): void {
    fs.open(this.file, this.opts.flags ?? 'wx').then(
      (h) => {
        this.handle = h
        callback()
      },
      (err: Error) => callback(err),
    )
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback)
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback)
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.syncing
      .then(() => this.handle!.datasync())
      .then(() => callback(), callback)
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const h = this.handle
    this.handle = undefined
    this.syncing
      .catch(() => undefined)
      .then(() => h?.close())
      .then(() => callback(err), () => callback(err))
  }

  private async writeAll(chunks: Buffer[]): Promise<void> {
    const { bytesWritten } = await this.handle!.writev(chunks)
    const total = chunks.reduce((n, c) => n + c.length, 0)
    if (bytesWritten !== total) {
      // Short write (rare): finish it the slow way.
      const rest = Buffer.concat(chunks).subarray(bytesWritten)
      await this.handle!.write(rest)
    }
    this.sinceSync += total
    if (this.sinceSync >= (this.opts.syncEvery ?? 64 * 1024 * 1024)) {
      this.sinceSync = 0
      // One background flush at a time; a failed one fails the stream at _final.
      this.syncing = this.syncing.then(() => this.handle?.datasync())
    }
  }
}
