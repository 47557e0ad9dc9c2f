import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DurableFileWriter } from '../../platform/fs/durable-writer'
import { ParallelHasher } from '../../platform/fs/parallel-hash'

/** Bytes received into a temp file, flushed to disk, hashed; invisible until `commit`. */
export interface StagedObject {
  id: string
  tempPath: string
  size: number
  md5: string
}

export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`)
  }
}

// Below this size a worker thread costs more than hashing on the HTTP thread.
const PARALLEL_HASH_FROM = 8 * 1024 * 1024

/**
 * The object store's files: <data-dir>/objects/data/<uuid>, temp files in objects/.incoming. Files are named by
 * random ids only (names stay in SQLite), so no object name can reach a path. A file becomes visible by rename
 * after it is on disk; renames share a folder fsync (group commit) so that small concurrent PUTs do not each pay one.
 */
export class ObjectFiles {
  readonly dir: string
  private readonly tmpDir: string
  private dirSync: { waiting: (() => void)[]; failures: ((e: Error) => void)[] } | undefined
  private dirSyncRunning = false

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'objects', 'data')
    this.tmpDir = path.join(dataDir, 'objects', '.incoming')
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true })
    await fs.mkdir(this.tmpDir, { recursive: true })
  }

  /**
   * Streams `source` into a temp file while computing its md5; the file is flushed (fdatasync) when this resolves.
   * On failure (client gone, too large) the temp file is removed and the error rethrown.
   */
  async receive(source: Readable, opts: { maxBytes: number; expectedSize?: number }): Promise<StagedObject> {
    const id = randomUUID()
    const tempPath = path.join(this.tmpDir, `${id}.part`)
    const parallel = (opts.expectedSize ?? 0) >= PARALLEL_HASH_FROM ? new ParallelHasher(['md5'], 8) : undefined
    const inline = parallel ? undefined : createHash('md5')
    let size = 0
    const counter = new Transform({
      highWaterMark: 1024 * 1024,
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        size += chunk.length
        if (size > opts.maxBytes) return cb(new TooLarge(opts.maxBytes))
        if (inline) {
          inline.update(chunk)
          return cb(null, chunk)
        }
        parallel!.update(chunk).then(() => cb(null, chunk), cb)
      },
    })
    try {
      await pipeline(source, counter, new DurableFileWriter(tempPath, { syncEvery: 32 * 1024 * 1024 }))
      const md5 = parallel ? (await parallel.digest())[0]! : inline!.digest('hex')
      return { id, tempPath, size, md5 }
    } catch (err) {
      parallel?.close()
      await fs.rm(tempPath, { force: true })
      throw err
    }
  }

  /** Moves the staged file to its final name and makes the rename durable. Returns the file id. */
  async commit(staged: StagedObject): Promise<string> {
    await fs.rename(staged.tempPath, this.path(staged.id))
    await this.syncDir()
    return staged.id
  }

  async discard(staged: StagedObject): Promise<void> {
    await fs.rm(staged.tempPath, { force: true })
  }

  /** A read stream of the file, optionally a byte range (inclusive end). */
  open(file: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(file), { ...(range ?? {}), highWaterMark: 1024 * 1024 })
  }

  /** Idempotent. */
  async remove(file: string): Promise<void> {
    await fs.rm(this.path(file), { force: true })
  }

  path(file: string): string {
    if (!/^[0-9a-f-]{36}$/.test(file)) throw new Error(`not an object file id: ${file}`)
    return path.join(this.dir, file)
  }

  /** For reconciliation: data file ids, and removes every temp file (an interrupted upload). */
  async scan(): Promise<{ files: string[]; tempsRemoved: number }> {
    await this.init()
    const temps = await fs.readdir(this.tmpDir)
    for (const t of temps) await fs.rm(path.join(this.tmpDir, t), { force: true, recursive: true })
    const files = (await fs.readdir(this.dir)).filter((n) => /^[0-9a-f-]{36}$/.test(n))
    return { files, tempsRemoved: temps.length }
  }

  /** One folder fsync serves every rename done before it started. */
  private syncDir(): Promise<void> {
    if (process.platform === 'win32') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.dirSync ??= { waiting: [], failures: [] }
      this.dirSync.waiting.push(resolve)
      this.dirSync.failures.push(reject)
      if (!this.dirSyncRunning) void this.runDirSync()
    })
  }

  private async runDirSync(): Promise<void> {
    this.dirSyncRunning = true
    while (this.dirSync) {
      const batch = this.dirSync
      this.dirSync = undefined
      try {
        const d = await fs.open(this.dir, 'r')
        await d.sync().finally(() => d.close())
        batch.waiting.forEach((r) => r())
      } catch (err) {
        batch.failures.forEach((r) => r(err as Error))
      }
    }
    this.dirSyncRunning = false
  }
}
