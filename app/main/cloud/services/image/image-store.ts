import { randomBytes } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { safeJoin } from '../../platform/paths'
import { ParallelHasher } from '../../platform/fs/parallel-hash'
import { DurableFileWriter } from '../../platform/fs/durable-writer'

/** Bytes received and hashed, in a temp file nobody else sees yet. */
export interface StagedData {
  tempPath: string
  size: number
  md5: string
  sha512: string
}

export class DataTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`)
  }
}

/**
 * Where image bytes live. `receive` streams into a temp file while hashing (memory stays flat whatever the size);
 * nothing is visible until `commit` (fsync, rename, fsync the folder). On any failure the temp file is removed.
 */
export interface ImageStore {
  readonly id: string
  receive(source: Readable, opts: { maxBytes: number }): Promise<StagedData>
  commit(staged: StagedData, name: string): Promise<string>
  discard(staged: StagedData): Promise<void>
  /** A read stream of the stored bytes, optionally a byte range (inclusive end). */
  open(location: string, range?: { start: number; end: number }): Readable
  remove(location: string): Promise<void>
  /** Absolute path for a location (the filesystem store only; qemu-img and the hypervisor read it). */
  path(location: string): string
}

/** The default store: files under <data-dir>/images. Locations are paths relative to the data dir. */
export class FilesystemStore implements ImageStore {
  readonly id = 'file'
  private readonly dir: string
  private readonly tmpDir: string

  constructor(private readonly dataDir: string, subdir = 'images') {
    this.dir = path.join(dataDir, subdir)
    this.tmpDir = path.join(this.dir, '.incoming')
  }

  async init(): Promise<void> {
    await fs.mkdir(this.tmpDir, { recursive: true })
  }

  async receive(source: Readable, opts: { maxBytes: number }): Promise<StagedData> {
    await this.init()
    const tempPath = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`)
    // md5 and sha512 run in worker threads: on the HTTP thread they would halve the upload rate.
    const hasher = new ParallelHasher(['md5', 'sha512'])
    let size = 0
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        size += chunk.length
        if (size > opts.maxBytes) return cb(new DataTooLarge(opts.maxBytes))
        hasher.update(chunk).then(() => cb(null, chunk), cb)
      },
    })
    try {
      await pipeline(source, counter, new DurableFileWriter(tempPath))
      const [md5, sha512] = await hasher.digest()
      return { tempPath, size, md5: md5!, sha512: sha512! }
    } catch (err) {
      hasher.close()
      await fs.rm(tempPath, { force: true })
      throw err
    }
  }

  async commit(staged: StagedData, name: string): Promise<string> {
    const fh = await fs.open(staged.tempPath, 'r+')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
    const location = path.relative(this.dataDir, path.join(this.dir, name))
    await fs.rename(staged.tempPath, this.path(location))
    if (process.platform !== 'win32') {
      const d = await fs.open(this.dir, 'r')
      await d.sync().finally(() => d.close())
    }
    return location
  }

  async discard(staged: StagedData): Promise<void> {
    await fs.rm(staged.tempPath, { force: true })
  }

  open(location: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(location), { ...(range ?? {}), highWaterMark: 1024 * 1024 })
  }

  async remove(location: string): Promise<void> {
    await fs.rm(this.path(location), { force: true })
  }

  path(location: string): string {
    return safeJoin(this.dataDir, location)
  }

  /** Files in the store (relative locations), temp files included, for reconciliation at start. */
  async list(): Promise<{ files: string[]; temps: string[] }> {
    await this.init()
    const files = (await fs.readdir(this.dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(this.dataDir, path.join(this.dir, e.name)))
    const temps = (await fs.readdir(this.tmpDir)).map((n) => path.join(this.tmpDir, n))
    return { files, temps }
  }
}

/** The read-only http(s) store that web-download reads from. Follows up to five redirects; 30 s without data fails. */
export class HttpStore {
  readonly id = 'http'

  open(url: URL, signal: AbortSignal, redirects = 5): Promise<Readable> {
    return new Promise((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http
      const req = lib.get(url, { signal, timeout: 30_000 }, (res) => {
        const status = res.statusCode ?? 0
        if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
          res.resume()
          resolve(this.open(new URL(res.headers.location, url), signal, redirects - 1))
        } else if (status !== 200) {
          res.resume()
          reject(new Error(`GET ${url.href} answered ${status}`))
        } else resolve(res)
      })
      req.on('timeout', () => req.destroy(new Error(`GET ${url.href} timed out`)))
      req.on('error', reject)
    })
  }
}
