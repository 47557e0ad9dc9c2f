import { randomUUID } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { AuthContext } from '../../platform/auth-context'
import { isAdmin } from '../../platform/auth-context'
import type { CloudConfig } from '../../platform/config'
import { BadRequest, Conflict, Forbidden } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import { ImageNotFound, ImageQuotaExceeded, InvalidImageData, InvalidImageStatus } from './errors'
import { formatMismatch, inspectImage } from './image-inspector'
import type { ImageRepository } from './image-repository'
import { DataTooLarge, HttpStore, type FilesystemStore, type StagedData } from './image-store'
import { isStoreId, storeOfLocation, type ObjectStoreBackend, type StoreId } from './object-store-backend'
import type { Image, ImageMember, MemberStatus } from './models'

const now = () => new Date().toISOString()

/**
 * The image service's logic: visibility, status transitions, data in and out of the store, import tasks and
 * reconciliation. Handlers call it after policy; it runs every mutation as one transaction.
 */
export class ImageManager {
  private readonly tasks = new Set<AbortController>()
  private readonly http = new HttpStore()

  constructor(
    private readonly repo: ImageRepository,
    readonly store: FilesystemStore,
    private readonly config: CloudConfig,
    private readonly log: Logger,
    readonly objects: ObjectStoreBackend,
  ) {}

  /** The store new data goes to when the request names none (the imageStore setting). */
  defaultStore(): StoreId {
    return this.config.imageStore === 'object-store' ? 'object-store' : 'file'
  }

  /** Glance's X-Image-Meta-Store: a store id, or the default when absent. @throws BadRequest for an unknown id */
  storeFor(header: string | undefined): StoreId {
    if (header === undefined || header.trim() === '') return this.defaultStore()
    const id = header.trim()
    if (!isStoreId(id)) throw new BadRequest(`Store for identifier ${id} not found`, 'X-Image-Meta-Store')
    return id
  }

  /** A read stream of an image's data (optionally a byte range, inclusive end), from whichever store holds it. */
  async openData(image: Image, range?: { start: number; end: number }): Promise<Readable> {
    const location = image.location!
    if (storeOfLocation(location) === 'file') return this.store.open(location, range)
    return this.objects.open(location, image.id, range)
  }

  /**
   * The absolute path of an active image's data for compute and volumes: the file store's file, or for an image
   * in the object store its local cached copy (downloaded first when missing). Undefined when there is no data.
   */
  async dataFile(image: Pick<Image, 'id' | 'location' | 'size' | 'checksum'>): Promise<string | undefined> {
    if (!image.location) return undefined
    if (storeOfLocation(image.location) === 'file') return this.store.path(image.location)
    return this.objects.ensureCached(image.location, image.id, { size: image.size, md5: image.checksum })
  }

  /** Removes stored data at a location: a file store file, or an object and its cached copy. */
  private async removeData(location: string): Promise<void> {
    if (storeOfLocation(location) === 'file') await this.store.remove(location)
    else await this.objects.remove(location)
  }

  /** Whether ctx may see the image at all (owner, admin, public, community, or a member of a shared image). */
  async visible(ctx: AuthContext, image: Image): Promise<boolean> {
    if (isAdmin(ctx) || image.owner === ctx.projectId) return true
    if (image.visibility === 'public' || image.visibility === 'community') return true
    if (image.visibility === 'shared' && ctx.projectId) return !!(await this.repo.member(image.id, ctx.projectId))
    return false
  }

  /** @throws ImageNotFound when it does not exist or ctx may not see it. */
  async get(ctx: AuthContext, id: string): Promise<Image> {
    const image = await this.repo.get(id)
    if (!image || !(await this.visible(ctx, image))) throw new ImageNotFound(id)
    return image
  }

  async create(ctx: AuthContext, fields: Partial<Image> & { id?: string }): Promise<Image> {
    if (!ctx.projectId) throw new Forbidden('Images belong to a project: use a project-scoped token.')
    const image: Image = {
      id: fields.id ?? randomUUID(),
      name: fields.name ?? null,
      status: 'queued',
      visibility: fields.visibility ?? 'shared',
      owner: fields.owner ?? ctx.projectId,
      protected: fields.protected ?? false,
      os_hidden: fields.os_hidden ?? false,
      disk_format: fields.disk_format ?? null,
      container_format: fields.container_format ?? null,
      size: null,
      virtual_size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      min_disk: fields.min_disk ?? 0,
      min_ram: fields.min_ram ?? 0,
      location: null,
      staging: null,
      tags: [...new Set(fields.tags ?? [])],
      properties: fields.properties ?? {},
      created_at: now(),
      updated_at: now(),
    }
    await this.repo.db.transaction((tx) => this.repo.insert(tx, image)).catch((err) => {
      if ((err as { status?: number }).status === 409) throw new Conflict(`Image with identifier ${image.id} already exists!`)
      throw err
    })
    return image
  }

  async save(image: Image): Promise<Image> {
    const updated = { ...image, updated_at: now() }
    await this.repo.db.transaction((tx) => this.repo.update(tx, updated))
    return updated
  }

  /** Deletes the record; the file goes now, or when the last instance or volume built on it lets go. */
  async delete(image: Image): Promise<void> {
    if (image.protected) throw new Forbidden(`Image ${image.id} is protected and cannot be deleted.`)
    await this.repo.db.transaction((tx) => this.repo.markDeleted(tx, image.id))
    await this.purgeUnheld()
  }

  /** Records the holder; for an image in the object store, also makes sure its cached copy (the file used) exists. */
  async hold(imageId: string, holder: string): Promise<void> {
    await this.repo.db.transaction((tx) => this.repo.hold(tx, imageId, holder))
    const image = await this.repo.get(imageId)
    if (image?.location && storeOfLocation(image.location) === 'object-store') await this.dataFile(image)
  }

  async release(imageId: string, holder: string): Promise<void> {
    await this.repo.db.transaction((tx) => this.repo.release(tx, imageId, holder))
    await this.purgeUnheld()
  }

  /** Removes the files of deleted images that nothing holds, then their rows. */
  async purgeUnheld(): Promise<void> {
    for (const p of await this.repo.purgeable()) {
      for (const loc of [p.location, p.staging]) if (loc) await this.removeData(loc)
      await this.repo.db.transaction((tx) => this.repo.purge(tx, p.id))
    }
  }

  /** PUT /file: queued → saving → active. Interrupted → queued again; data that is not what it claims → killed. */
  async upload(image: Image, source: Readable, storeId: StoreId = this.defaultStore()): Promise<Image> {
    if (!image.disk_format || !image.container_format) {
      throw new BadRequest('Properties disk_format, container_format must be set prior to saving data.', 'disk_format')
    }
    const moved = await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['queued'], 'saving'))
    if (!moved) throw new InvalidImageStatus((await this.repo.get(image.id))?.status ?? image.status, 'saving')
    return this.ingest(image, () => this.receive(image, source), 'queued', storeId)
  }

  /** PUT /stage: queued → uploading, with the bytes kept in the staging area until an import. */
  async stage(image: Image, source: Readable): Promise<void> {
    const moved = await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['queued'], 'uploading'))
    if (!moved) throw new InvalidImageStatus((await this.repo.get(image.id))?.status ?? image.status, 'uploading')
    let staged: StagedData | undefined
    try {
      staged = await this.receive(image, source)
      const location = await this.store.commit(staged, `${image.id}.staged`)
      const current = (await this.repo.get(image.id))!
      await this.repo.db.transaction((tx) => this.repo.update(tx, { ...current, staging: location, updated_at: now() }))
    } catch (err) {
      if (staged) await this.store.discard(staged)
      await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['uploading'], 'queued'))
      throw err
    }
  }

  /** POST /import: glance-direct (from staging) or web-download (from a URL), run in the background. */
  async import(image: Image, method: { name: string; uri?: string }, storeId: StoreId = this.defaultStore()): Promise<void> {
    if (!image.disk_format || !image.container_format) {
      throw new Conflict('The image needs disk_format and container_format before it can be imported.')
    }
    if (method.name === 'glance-direct') {
      if (image.status !== 'uploading' || !image.staging) throw new Conflict(`Image ${image.id} has no staged data: PUT it to /v2/images/${image.id}/stage first.`)
      await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['uploading'], 'importing'))
      const stagedPath = this.store.path(image.staging)
      this.background(image.id, 'glance-direct', () =>
        this.ingest(image, () => this.receive(image, createReadStream(stagedPath)), 'uploading', storeId, async () => {
          await this.store.remove(image.staging!)
        }),
      )
      return
    }
    if (method.name === 'web-download') {
      const uri = parseDownloadUri(method.uri)
      if (image.status !== 'queued') throw new InvalidImageStatus(image.status, 'importing')
      await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['queued'], 'importing'))
      this.background(image.id, 'web-download', (signal) =>
        this.ingest(image, async () => this.receive(image, await this.http.open(uri, signal), this.config.webDownloadMaxBytes), 'queued', storeId),
      )
      return
    }
    throw new BadRequest(`Import method ${method.name} is not supported; use glance-direct or web-download.`, 'method/name')
  }

  async setActive(image: Image, active: boolean): Promise<void> {
    if (active) {
      if (image.status === 'active') return
      if (!(await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['deactivated'], 'active')))) {
        throw new Forbidden(`Not allowed to reactivate image in status '${image.status}'`)
      }
    } else {
      if (image.status === 'deactivated') return
      if (!(await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, ['active'], 'deactivated')))) {
        throw new Forbidden(`Not allowed to deactivate image in status '${image.status}'`)
      }
    }
  }

  // Members
  async addMember(image: Image, memberId: string): Promise<ImageMember> {
    if (image.visibility !== 'shared') {
      throw new Forbidden(`Only shared images have members; this image's visibility is ${image.visibility}.`)
    }
    if (memberId === image.owner) throw new Conflict('The owner of an image cannot be a member of it.')
    const m: ImageMember = { image_id: image.id, member_id: memberId, status: 'pending', created_at: now(), updated_at: now() }
    await this.repo.db.transaction((tx) => this.repo.insertMember(tx, m)).catch((err) => {
      if ((err as { status?: number }).status === 409) throw new Conflict(`Member ${memberId} already exists on image ${image.id}.`)
      throw err
    })
    return m
  }

  async setMemberStatus(m: ImageMember, status: MemberStatus): Promise<ImageMember> {
    const updated = { ...m, status, updated_at: now() }
    await this.repo.db.transaction((tx) => this.repo.updateMember(tx, updated))
    return updated
  }

  /** At start: unfinished work goes back to a state a user can act on; stray files go. */
  async reconcile(): Promise<void> {
    for (const image of await this.repo.withStatus(['saving', 'importing'])) {
      const back = image.status === 'importing' && image.staging ? 'uploading' : 'queued'
      await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, [image.status], back))
      this.log.warn('image upload interrupted by a restart', { image_id: image.id, was: image.status, now: back })
    }
    const { files, temps } = await this.store.list()
    for (const t of temps) await fs.rm(t, { force: true })
    const known = await this.repo.knownFiles()
    for (const f of files) {
      if (!known.has(f)) {
        await fs.rm(this.store.path(f), { force: true })
        this.log.warn('removed an image file no record points to', { file: f })
      }
    }
    const inObjectStore = new Set((await this.repo.locations()).filter((r) => storeOfLocation(r.location) === 'object-store').map((r) => r.id))
    const removed = await this.objects.reconcile(inObjectStore)
    if (removed.objects.length || removed.cached.length) this.log.warn('removed image objects or cached copies no record points to', removed)
    await this.purgeUnheld()
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) t.abort()
  }

  /** Registers the built guest image as the public image `stackling-tiny`, once per built file. */
  async registerGuestImage(ownerProjectId: string | undefined, dir: string | undefined): Promise<void> {
    if (!dir || !ownerProjectId) return
    const file = path.join(dir, 'stackling-tiny.qcow2')
    let meta: { sha256?: string; properties?: Record<string, string>; recipe_hash?: string; min_ram?: number; min_disk?: number } = {}
    try {
      await fs.access(file)
      meta = JSON.parse(await fs.readFile(path.join(dir, 'stackling-tiny.json'), 'utf8').catch(() => '{}'))
    } catch {
      this.log.info('no built guest image: run `npm run build:guest-image` to get stackling-tiny', { looked_in: dir })
      return
    }
    const tag = `build-${meta.recipe_hash ?? meta.sha256 ?? 'unknown'}`.slice(0, 60)
    const existing = (await this.repo.listVisible(ownerProjectId, true)).find((i) => i.name === 'stackling-tiny' && i.tags.includes(tag))
    if (existing) return
    const props: Record<string, string> = { hw_architecture: 'x86_64', os_distro: 'stackling-tiny', os_type: 'linux', ...(meta.properties ?? {}) }
    const image = await this.create({ projectId: ownerProjectId } as AuthContext, {
      name: 'stackling-tiny',
      visibility: 'public',
      disk_format: 'qcow2',
      container_format: 'bare',
      min_ram: meta.min_ram ?? 0,
      min_disk: meta.min_disk ?? 0,
      tags: ['stackling', tag],
      properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)])),
    })
    // Always the file store: the object store starts after the image service.
    await this.upload(image, createReadStream(file), 'file')
    this.log.info('registered the built guest image', { image_id: image.id, file })
  }

  private async receive(image: Image, source: Readable, cap = Infinity): Promise<StagedData> {
    const used = await this.repo.usedBytes(image.owner)
    const remaining = Math.max(0, this.config.imageQuotaBytes - used)
    try {
      return await this.store.receive(source, { maxBytes: Math.min(remaining, cap) })
    } catch (err) {
      if (err instanceof DataTooLarge) {
        if (remaining <= cap) throw new ImageQuotaExceeded(this.config.imageQuotaBytes, used)
        throw new InvalidImageData(`The download is larger than the ${cap}-byte limit for web-download.`)
      }
      throw err
    }
  }

  /**
   * Receives, inspects and commits data for an image in a transitional status. On failure the bytes are gone;
   * the image returns to `retryStatus` (interrupted, over quota) or is killed (the data is not what it claims).
   */
  private async ingest(image: Image, receive: () => Promise<StagedData>, retryStatus: Image['status'], storeId: StoreId, after?: () => Promise<void>): Promise<Image> {
    let staged: StagedData | undefined
    const current = () => this.repo.get(image.id)
    const t0 = Date.now()
    try {
      staged = await receive()
      const t1 = Date.now()
      const found = await inspectImage(staged.tempPath)
      const t2 = Date.now()
      const reason = found.unsafe ? `The image was refused: ${found.unsafe}.` : formatMismatch(image.disk_format!, found)
      if (reason) {
        await this.store.discard(staged)
        staged = undefined
        const img = await current()
        if (img) await this.repo.db.transaction((tx) => this.repo.update(tx, { ...img, status: 'killed', updated_at: now() }))
        throw new InvalidImageData(reason.charAt(0).toUpperCase() + reason.slice(1) + (reason.endsWith('.') ? '' : '.'), 'disk_format')
      }
      const hashes = { md5: staged.md5, sha512: staged.sha512 }
      const size = staged.size
      let location: string
      if (storeId === 'file') {
        location = await this.store.commit(staged, image.id)
      } else {
        // Hashed and inspected in the temp file; the object is committed (durable) before the image goes active.
        location = await this.objects.put(image.id, staged.tempPath, staged.size, staged.md5)
        await this.store.discard(staged)
      }
      staged = undefined
      const done = await this.repo.db.transaction(async (tx) => {
        const img = await this.repo.get(image.id, tx)
        if (!img) return undefined
        const used = await this.repo.usedBytes(image.owner, tx)
        if (used + size > this.config.imageQuotaBytes) throw new ImageQuotaExceeded(this.config.imageQuotaBytes, used)
        const updated: Image = {
          ...img,
          status: 'active',
          location,
          staging: retryStatus === 'uploading' ? null : img.staging,
          size,
          virtual_size: found.virtualSize,
          checksum: hashes.md5,
          os_hash_algo: 'sha512',
          os_hash_value: hashes.sha512,
          updated_at: now(),
        }
        await this.repo.update(tx, updated)
        return updated
      }).catch(async (err) => {
        await this.removeData(location)
        throw err
      })
      if (!done) {
        await this.removeData(location)
        throw new ImageNotFound(image.id)
      }
      this.log.info('image data stored', { image_id: image.id, store: storeId, bytes: done.size, receive_ms: t1 - t0, inspect_ms: t2 - t1, commit_ms: Date.now() - t2 })
      await after?.()
      return done
    } catch (err) {
      if (staged) await this.store.discard(staged)
      if (!(err instanceof InvalidImageData)) {
        const img = await current()
        if (img && img.status !== 'active') await this.repo.db.transaction((tx) => this.repo.transition(tx, image.id, [img.status], retryStatus))
      }
      throw err
    }
  }

  private background(imageId: string, method: string, work: (signal: AbortSignal) => Promise<unknown>): void {
    const ctrl = new AbortController()
    this.tasks.add(ctrl)
    work(ctrl.signal)
      .then(() => this.log.info('image import finished', { image_id: imageId, method }))
      .catch(async (err: Error) => {
        this.log.warn('image import failed', { image_id: imageId, method, error: err.message })
        const img = await this.repo.get(imageId)
        if (img) await this.save({ ...img, properties: { ...img.properties, os_glance_failed_import: method, os_glance_import_error: err.message.slice(0, 255) } })
      })
      .finally(() => this.tasks.delete(ctrl))
  }
}

function parseDownloadUri(uri: string | undefined): URL {
  let url: URL
  try {
    url = new URL(uri ?? '')
  } catch {
    throw new BadRequest('web-download needs a valid http or https URI.', 'method/uri')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadRequest('web-download only fetches http and https URIs.', 'method/uri')
  return url
}
