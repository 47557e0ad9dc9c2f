import { randomBytes } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DurableFileWriter } from '../../platform/fs/durable-writer'
import { ParallelHasher } from '../../platform/fs/parallel-hash'
import type { ObjectStoreClient } from '../clients'

/**
 * The image stores a client may choose (Glance multi-store ids). `file` keeps the data under <data>/images;
 * `object-store` (Glance's `swift` store) keeps it as one object per image in the object store.
 */
export const STORE_IDS = ['file', 'object-store'] as const
export type StoreId = (typeof STORE_IDS)[number]

export const isStoreId = (s: string): s is StoreId => (STORE_IDS as readonly string[]).includes(s)

/**
 * Where the object store backend keeps images: the account `AUTH_stackling-images` (a reserved name, not a project
 * id, so no tenant token passes the object store's policy for it; only an admin can see it through Swift) and its
 * container `glance`, one object named by the image id (Glance's swift store does the same with its `glance`
 * container). Locations are `object-store://stackling-images/glance/<image-id>`.
 */
export const IMAGE_ACCOUNT = 'stackling-images'
export const IMAGE_CONTAINER = 'glance'
const SCHEME = 'object-store://'

/** The store a location belongs to: object-store locations carry their scheme, file ones are relative paths. */
export function storeOfLocation(location: string): StoreId {
  return location.startsWith(SCHEME) ? 'object-store' : 'file'
}

function objectName(location: string): string {
  const rest = location.slice(SCHEME.length).split('/')
  if (rest.length !== 3 || rest[0] !== IMAGE_ACCOUNT || rest[1] !== IMAGE_CONTAINER || !rest[2]) throw new Error(`not an image object location: ${location}`)
  return rest[2]
}

export class ImageObjectMissing extends Error {
  constructor(location: string) {
    super(`the object of ${location} is missing from the object store`)
  }
}

/**
 * Image data in the object store, through its internal client, plus the local cache that compute and volumes
 * boot from (they need a file path: qemu-img and the hypervisor read it, overlays name it as their backing file).
 *
 * The cache (<data>/images/cache/<image-id>, like Nova's image cache) is filled on first need: download to a temp
 * file, check size and md5 against the image, fsync, rename. It is removed when the image is deleted and nothing
 * holds it any more (the same moment a file store image's file goes), and at start for images no record names.
 */
export class ObjectStoreBackend {
  readonly cacheDir: string
  private readonly filling = new Map<string, Promise<string>>()

  constructor(
    private readonly client: () => ObjectStoreClient,
    dataDir: string,
  ) {
    this.cacheDir = path.join(dataDir, 'images', 'cache')
  }

  /** Streams a staged (hashed, inspected) file into the object; durable when this resolves. Returns the location. */
  async put(imageId: string, file: string, size: number, md5: string): Promise<string> {
    const c = this.client()
    await c.ensureContainer(IMAGE_ACCOUNT, IMAGE_CONTAINER)
    const o = await c.putObject(IMAGE_ACCOUNT, IMAGE_CONTAINER, imageId, createReadStream(file, { highWaterMark: 1024 * 1024 }), {
      size,
      metadata: { 'image-id': imageId },
    })
    const location = `${SCHEME}${IMAGE_ACCOUNT}/${IMAGE_CONTAINER}/${imageId}`
    if (o.etag !== md5 || o.size !== size) {
      await this.remove(location)
      throw new Error(`the object store stored ${o.size} bytes (etag ${o.etag}) for ${size} bytes (md5 ${md5})`)
    }
    return location
  }

  /**
   * The stored bytes, optionally a range (inclusive end). Served from the cache when it is there; otherwise from
   * the object, skipping to the range (the internal client has no ranged read).
   * @throws ImageObjectMissing
   */
  async open(location: string, imageId: string, range?: { start: number; end: number }): Promise<Readable> {
    const cached = this.cachePath(imageId)
    if (await fs.stat(cached).then((s) => s.isFile(), () => false)) {
      return createReadStream(cached, { ...(range ?? {}), highWaterMark: 1024 * 1024 })
    }
    const o = await this.client().getObject(IMAGE_ACCOUNT, IMAGE_CONTAINER, objectName(location))
    if (!o) throw new ImageObjectMissing(location)
    const stream = o.open()
    return range ? stream.pipe(slice(range.start, range.end)) : stream
  }

  /** Idempotent: removes the object and the cached copy. */
  async remove(location: string): Promise<void> {
    const name = objectName(location)
    await this.client().deleteObject(IMAGE_ACCOUNT, IMAGE_CONTAINER, name)
    await fs.rm(this.cachePath(name), { force: true })
  }

  cachePath(imageId: string): string {
    if (!/^[0-9a-zA-Z-]+$/.test(imageId)) throw new Error(`bad image id ${imageId}`)
    return path.join(this.cacheDir, imageId)
  }

  /**
   * The cached copy's path, downloading it first if needed (one download per image at a time).
   * @throws ImageObjectMissing, or an Error when the object's bytes are not the image's (size or md5)
   */
  ensureCached(location: string, imageId: string, expect: { size: number | null; md5: string | null }): Promise<string> {
    const running = this.filling.get(imageId)
    if (running) return running
    const p = this.fill(location, imageId, expect).finally(() => this.filling.delete(imageId))
    this.filling.set(imageId, p)
    return p
  }

  private async fill(location: string, imageId: string, expect: { size: number | null; md5: string | null }): Promise<string> {
    const target = this.cachePath(imageId)
    if (await fs.stat(target).then((s) => s.isFile(), () => false)) return target
    await fs.mkdir(this.cacheDir, { recursive: true })
    const o = await this.client().getObject(IMAGE_ACCOUNT, IMAGE_CONTAINER, objectName(location))
    if (!o) throw new ImageObjectMissing(location)
    const temp = path.join(this.cacheDir, `.${randomBytes(8).toString('hex')}.part`)
    const hasher = new ParallelHasher(['md5'])
    let size = 0
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        size += chunk.length
        hasher.update(chunk).then(() => cb(null, chunk), cb)
      },
    })
    try {
      await pipeline(o.open(), counter, new DurableFileWriter(temp))
      const [md5] = await hasher.digest()
      if ((expect.size !== null && size !== expect.size) || (expect.md5 !== null && md5 !== expect.md5)) {
        throw new Error(`the object of image ${imageId} is not its data (${size} bytes, md5 ${md5})`)
      }
      const fh = await fs.open(temp, 'r+')
      await fh.sync().finally(() => fh.close())
      await fs.rename(temp, target)
      if (process.platform !== 'win32') {
        const d = await fs.open(this.cacheDir, 'r')
        await d.sync().finally(() => d.close())
      }
      return target
    } catch (err) {
      hasher.close()
      await fs.rm(temp, { force: true })
      throw err
    }
  }

  /**
   * At start: removes interrupted cache downloads, cached copies and objects of images no record names
   * (`known`: image ids whose location is in this store). Returns what it removed.
   */
  async reconcile(known: Set<string>): Promise<{ objects: string[]; cached: string[] }> {
    const removed = { objects: [] as string[], cached: [] as string[] }
    const entries = await fs.readdir(this.cacheDir).catch(() => [] as string[])
    for (const e of entries) {
      if (e.endsWith('.part') || !known.has(e)) {
        await fs.rm(path.join(this.cacheDir, e), { force: true, recursive: true })
        if (!e.endsWith('.part')) removed.cached.push(e)
      }
    }
    // No container yet (nothing was ever stored there): nothing to remove.
    const objects = await Promise.resolve()
      .then(() => this.client().listObjects(IMAGE_ACCOUNT, IMAGE_CONTAINER))
      .catch(() => [])
    for (const o of objects) {
      if (!known.has(o.name)) {
        await this.client().deleteObject(IMAGE_ACCOUNT, IMAGE_CONTAINER, o.name)
        removed.objects.push(o.name)
      }
    }
    return removed
  }
}

/** Passes bytes [start, end] of the stream (inclusive) and drops the rest. */
function slice(start: number, end: number): Transform {
  let offset = 0
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      const from = Math.max(0, start - offset)
      const to = Math.min(chunk.length, end - offset + 1)
      offset += chunk.length
      cb(null, from < to ? chunk.subarray(from, to) : undefined)
    },
  })
}
