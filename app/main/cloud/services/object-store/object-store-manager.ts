import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Logger } from '../../platform/log'
import { BadRequest, Conflict } from '../../platform/errors'
import { ObjectFiles, TooLarge, type StagedObject } from './object-files'
import { ObjectRepository } from './object-repository'
import { walkListing, type Listed } from './listing'
import {
  ContainerNotEmpty,
  ContainerNotFound,
  EtagMismatch,
  ObjectNotFound,
  PreconditionFailed,
  QuotaExceeded,
  UnprocessableEntity,
} from './errors'
import type { ContainerRecord, ListingParams, Metadata, ObjectRecord, SloSegment } from './models'

export const LIMITS = {
  maxFileSize: 5 * 1024 ** 4,
  maxObjectNameBytes: 1024,
  maxContainerNameBytes: 256,
  listingLimit: 10_000,
  maxMetaNameLength: 128,
  maxMetaValueLength: 256,
  maxMetaCount: 90,
  maxMetaOverallSize: 4096,
  maxManifestSegments: 1000,
  maxManifestBytes: 8 * 1024 * 1024,
}

/** One piece of an object's content: a byte span of a data file. */
interface Piece {
  file: string
  start: number
  /** Inclusive. */
  end: number
}

/** What a GET serves: the pieces in order, and the size and ETag the client sees. */
export interface Content {
  pieces: Piece[]
  size: number
  /** Unquoted hex for a plain object; for large objects Swift's md5 of the segments' etags. */
  etag: string
  large: 'slo' | 'dlo' | null
}

/** Fields of a new object besides its bytes. */
export interface NewObject {
  contentType: string
  metadata: Metadata
  deleteAt: number | null
  /** The ETag the client sent (hex, unquoted): the data must hash to it. */
  expectEtag?: string
  expectedSize?: number
}

const md5Hex = (s: string) => createHash('md5').update(s).digest('hex')

/** md5 of the concatenated segment etags: the ETag Swift gives large objects. */
export function largeObjectEtag(etags: string[]): string {
  return md5Hex(etags.join(''))
}

/**
 * The object store's logic: accounts, containers, objects, large objects, expiry, and reconciliation with the
 * files at start. Access is checked by the routes before they call it; every mutation here is one transaction of
 * SQL, after the bytes are durable (temp file → fdatasync → rename → folder fsync → commit).
 */
export class ObjectStoreManager {
  private sweeper: NodeJS.Timeout | undefined
  private readonly inFlight = new Set<Promise<unknown>>()
  private readonly commitQueue: { record: ObjectRecord; resolve: (old: ObjectRecord | undefined) => void; reject: (err: unknown) => void }[] = []
  private committing = false

  constructor(
    readonly repo: ObjectRepository,
    readonly files: ObjectFiles,
    private readonly log: Logger,
  ) {}

  // ---- containers ----

  async container(projectId: string, name: string): Promise<ContainerRecord> {
    const c = await this.repo.container(projectId, name)
    if (!c) throw new ContainerNotFound()
    return c
  }

  /** Returns true when the container was created (201), false when it existed (202). */
  async putContainer(projectId: string, name: string, updates: Metadata): Promise<boolean> {
    validateContainerName(name)
    return this.repo.db.transaction(async (tx) => {
      const existing = await this.repo.container(projectId, name, tx)
      const metadata = applyUpdates(existing?.metadata ?? {}, updates)
      checkMetadataLimits(metadata)
      return this.repo.putContainer(tx, projectId, name, metadata)
    })
  }

  async postContainer(projectId: string, name: string, updates: Metadata): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const existing = await this.repo.container(projectId, name, tx)
      if (!existing) throw new ContainerNotFound()
      const metadata = applyUpdates(existing.metadata, updates)
      checkMetadataLimits(metadata)
      await this.repo.setContainerMetadata(tx, projectId, name, metadata)
    })
  }

  async deleteContainer(projectId: string, name: string): Promise<void> {
    await this.expireDue()
    await this.repo.db.transaction(async (tx) => {
      const c = await this.repo.container(projectId, name, tx)
      if (!c) throw new ContainerNotFound()
      const any = await tx.get('SELECT 1 FROM swift_objects WHERE project_id = ? AND container = ? LIMIT 1', [projectId, name])
      if (any) throw new ContainerNotEmpty()
      await this.repo.deleteContainer(tx, projectId, name)
    })
  }

  async postAccount(projectId: string, updates: Metadata): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const row = await tx.get<{ metadata: string }>('SELECT metadata FROM swift_accounts WHERE project_id = ?', [projectId])
      const metadata = applyUpdates(row ? (JSON.parse(row.metadata) as Metadata) : {}, updates)
      checkMetadataLimits(metadata)
      await this.repo.setAccountMetadata(tx, projectId, metadata)
    })
  }

  listContainers(projectId: string, params: ListingParams): Promise<Listed<ContainerRecord>[]> {
    return walkListing(params, (c) => c.name, (p) => this.repo.containers(projectId, p))
  }

  async listObjects(projectId: string, container: string, params: ListingParams): Promise<Listed<ObjectRecord>[]> {
    // Expired objects not yet swept are left out after the walk: filtering inside it would end a page early.
    const now = Date.now() / 1000
    const items = await walkListing(params, (o: ObjectRecord) => o.name, (p) => this.repo.objects(projectId, container, p))
    return items.filter((i) => !('item' in i) || !expired(i.item, now))
  }

  // ---- objects ----

  /** The object, unless missing or expired. @throws ObjectNotFound */
  async object(projectId: string, container: string, name: string): Promise<ObjectRecord> {
    const o = await this.repo.object(projectId, container, name)
    if (!o || expired(o, Date.now() / 1000)) throw new ObjectNotFound()
    return o
  }

  /**
   * Stores `source` as the object. The bytes are durable before the row is committed; on any failure (client
   * gone, ETag mismatch 422, quota 413) nothing is visible and the temp file is gone. Returns the new record.
   */
  async putObject(projectId: string, container: string, name: string, source: Readable, fields: NewObject, known?: ContainerRecord): Promise<ObjectRecord> {
    // `known`: the container the caller already read (for its ACLs); the commit checks it again anyway.
    const c = known ?? (await this.container(projectId, container))
    checkQuota(c, fields.expectedSize ?? 0, 1)
    checkMetadataLimits(fields.metadata)
    let staged: StagedObject
    try {
      staged = await this.files.receive(source, { maxBytes: LIMITS.maxFileSize, expectedSize: fields.expectedSize })
    } catch (err) {
      if (err instanceof TooLarge) throw new QuotaExceeded('object too large')
      throw err
    }
    if (fields.expectEtag && fields.expectEtag.toLowerCase() !== staged.md5) {
      await this.files.discard(staged)
      throw new EtagMismatch()
    }
    if (fields.expectedSize !== undefined && fields.expectedSize !== staged.size) {
      await this.files.discard(staged)
      throw new BadRequest('The body is shorter than its Content-Length.')
    }
    return this.commitStaged(staged, {
      projectId,
      container,
      name,
      file: staged.id,
      size: staged.size,
      etag: staged.md5,
      contentType: fields.contentType,
      metadata: fields.metadata,
      slo: null,
      deleteAt: fields.deleteAt,
      createdAt: Date.now() / 1000,
    })
  }

  private async commitStaged(staged: StagedObject | undefined, record: ObjectRecord): Promise<ObjectRecord> {
    if (staged) await this.files.commit(staged).catch(async (err) => {
      await this.files.discard(staged)
      throw err
    })
    let old: ObjectRecord | undefined
    try {
      old = await this.groupCommit(record)
    } catch (err) {
      if (record.file) await this.files.remove(record.file)
      throw err
    }
    if (old?.file && old.file !== record.file) await this.files.remove(old.file)
    return record
  }

  /**
   * Commits object rows in groups: while one transaction runs, the rows that arrive wait and then share the next
   * one (one WAL fsync for many PUTs). Each row has its own savepoint, so one failing check (quota, container gone)
   * fails only its own PUT. Resolves with the replaced record once the group's COMMIT returned.
   */
  private groupCommit(record: ObjectRecord): Promise<ObjectRecord | undefined> {
    return new Promise((resolve, reject) => {
      this.commitQueue.push({ record, resolve, reject })
      if (!this.committing) void this.drainCommits()
    })
  }

  private async drainCommits(): Promise<void> {
    this.committing = true
    while (this.commitQueue.length) {
      const batch = this.commitQueue.splice(0, 256)
      const results: ({ ok: true; old: ObjectRecord | undefined } | { ok: false; err: unknown })[] = []
      try {
        await this.repo.db.transaction(async (tx) => {
          // Checks run in memory over the batch (each container read once, usage summed), so a group costs about
          // two statements a row; a failed check leaves its row out and fails only its own PUT.
          const containers = new Map<string, { c: ContainerRecord | undefined; count: number; bytes: number }>()
          for (const { record } of batch) {
            const key = `${record.projectId}\u0000${record.container}`
            let entry = containers.get(key)
            if (!entry) {
              entry = { c: await this.repo.container(record.projectId, record.container, tx), count: 0, bytes: 0 }
              containers.set(key, entry)
            }
            try {
              if (!entry.c) throw new ContainerNotFound()
              const prev = await this.repo.object(record.projectId, record.container, record.name, tx)
              const addCount = prev ? 0 : 1
              const addBytes = record.size - (prev?.size ?? 0)
              checkQuota({ ...entry.c, objectCount: entry.c.objectCount + entry.count, bytesUsed: entry.c.bytesUsed + entry.bytes }, addBytes, addCount)
              await this.repo.writeObjectRow(tx, record)
              entry.count += addCount
              entry.bytes += addBytes
              results.push({ ok: true, old: prev })
            } catch (err) {
              results.push({ ok: false, err })
            }
          }
          for (const { c, count, bytes } of containers.values()) {
            if (c && (count || bytes)) await this.repo.adjustUsage(tx, c.projectId, c.name, count, bytes)
          }
        })
        batch.forEach((b, i) => {
          const r = results[i]!
          if (r.ok) b.resolve(r.old)
          else b.reject(r.err)
        })
      } catch (err) {
        for (const b of batch) b.reject(err)
      }
    }
    this.committing = false
  }

  async postObject(o: ObjectRecord, contentType: string | undefined, userMeta: Metadata, deleteAt: number | null | undefined): Promise<void> {
    // A POST replaces all user metadata (Swift's fast-POST); system metadata stays unless sent.
    const kept = Object.fromEntries(Object.entries(o.metadata).filter(([k]) => !k.startsWith('x-object-meta-')))
    const metadata = { ...kept, ...userMeta }
    for (const [k, v] of Object.entries(metadata)) if (v === '') delete metadata[k]
    checkMetadataLimits(metadata)
    await this.repo.db.transaction((tx) => this.repo.updateObjectMetadata(tx, o, contentType ?? o.contentType, metadata, deleteAt === undefined ? o.deleteAt : deleteAt))
  }

  /** Idempotent on the file: the row goes in one transaction, the file after it. @throws ObjectNotFound */
  async deleteObject(projectId: string, container: string, name: string): Promise<ObjectRecord> {
    const old = await this.repo.db.transaction((tx) => this.repo.deleteObject(tx, projectId, container, name))
    if (!old) throw new ObjectNotFound()
    if (old.file) await this.files.remove(old.file)
    if (expired(old, Date.now() / 1000)) throw new ObjectNotFound()
    return old
  }

  /** What GET/HEAD serve for `o`: a plain file, an SLO's segments, or a DLO's prefix listing. */
  async content(o: ObjectRecord, depth = 0): Promise<Content> {
    if (depth > 10) throw new Conflict('Too many levels of nested large objects.')
    if (o.slo) {
      const pieces: Piece[] = []
      for (const seg of o.slo) {
        const [c, n] = splitPath(seg.name)
        const s = await this.repo.object(o.projectId, c, n)
        if (!s) throw new Conflict(`Segment ${seg.name} of the large object is missing.`)
        const inner = await this.content(s, depth + 1)
        pieces.push(...inner.pieces)
      }
      return { pieces, size: o.size, etag: o.etag, large: 'slo' }
    }
    const manifest = o.metadata['x-object-manifest']
    if (manifest !== undefined) {
      const [c, prefix] = splitPath('/' + manifest)
      const segments: ObjectRecord[] = []
      let after: string | undefined
      for (;;) {
        const batch = await this.repo.objects(o.projectId, c, { after, prefix, limit: 1000 })
        segments.push(...batch.filter((s) => s.file))
        if (batch.length < 1000) break
        after = batch[batch.length - 1]!.name
      }
      const pieces = segments.filter((s) => s.size > 0).map((s) => ({ file: s.file!, start: 0, end: s.size - 1 }))
      return { pieces, size: segments.reduce((n, s) => n + s.size, 0), etag: largeObjectEtag(segments.map((s) => s.etag)), large: 'dlo' }
    }
    return { pieces: o.size > 0 ? [{ file: o.file!, start: 0, end: o.size - 1 }] : [], size: o.size, etag: o.etag, large: null }
  }

  /** The bytes [start, end] of a content, streamed piece after piece. */
  stream(content: Content, start = 0, end = content.size - 1): Readable {
    const files = this.files
    // The common case, one file: its own read stream, without a generator in between.
    if (content.pieces.length === 1) {
      const p = content.pieces[0]!
      return files.open(p.file, { start: p.start + start, end: p.start + end })
    }
    if (!content.pieces.length || end < start) return Readable.from([])
    async function* gen(): AsyncGenerator<Buffer> {
      let offset = 0
      for (const p of content.pieces) {
        const len = p.end - p.start + 1
        const from = Math.max(start, offset)
        const to = Math.min(end, offset + len - 1)
        if (from <= to) {
          for await (const chunk of files.open(p.file, { start: p.start + from - offset, end: p.start + to - offset })) yield chunk as Buffer
        }
        offset += len
        if (offset > end) break
      }
    }
    return Readable.from(gen(), { objectMode: false, highWaterMark: 1024 * 1024 })
  }

  /** Server-side copy (COPY or PUT with X-Copy-From): the content is streamed into a new object. */
  async copyObject(src: ObjectRecord, projectId: string, container: string, name: string, fields: NewObject): Promise<ObjectRecord> {
    const content = await this.content(src)
    return this.putObject(projectId, container, name, this.stream(content), { ...fields, expectEtag: undefined, expectedSize: content.size })
  }

  /**
   * multipart-manifest=put: `segments` are Swift's manifest entries ({path, etag?, size_bytes?}); each must be an
   * existing object of the account with that etag and size. The manifest becomes the object (no data file).
   */
  async putStaticLargeObject(projectId: string, container: string, name: string, entries: unknown, fields: NewObject): Promise<ObjectRecord> {
    if (!Array.isArray(entries) || !entries.length) throw new BadRequest('Manifest must be a non-empty JSON list of segments.')
    if (entries.length > LIMITS.maxManifestSegments) throw new BadRequest(`Too many segments (${entries.length} > ${LIMITS.maxManifestSegments}).`)
    await this.container(projectId, container)
    const problems: string[] = []
    const segments: SloSegment[] = []
    for (const [i, e] of entries.entries()) {
      const entry = e as { path?: unknown; etag?: unknown; size_bytes?: unknown; range?: unknown }
      if (typeof entry?.path !== 'string' || !entry.path.replace(/^\//, '').includes('/')) {
        problems.push(`Index ${i}: path must be /container/object`)
        continue
      }
      if (entry.range !== undefined) {
        problems.push(`Index ${i}: segment ranges are not supported`)
        continue
      }
      const [c, n] = splitPath(entry.path.startsWith('/') ? entry.path : '/' + entry.path)
      const seg = await this.repo.object(projectId, c, n)
      if (!seg) {
        problems.push(`${entry.path}: 404 Not Found`)
        continue
      }
      if (typeof entry.etag === 'string' && entry.etag && entry.etag.replace(/"/g, '') !== seg.etag) problems.push(`${entry.path}: Etag Mismatch`)
      if (typeof entry.size_bytes === 'number' && entry.size_bytes !== seg.size) problems.push(`${entry.path}: Size Mismatch`)
      segments.push({ name: `/${c}/${n}`, hash: seg.etag, bytes: seg.size, content_type: seg.contentType, last_modified: listingDate(seg.createdAt) })
    }
    if (problems.length) throw new BadRequestList(problems)
    return this.commitStaged(undefined, {
      projectId,
      container,
      name,
      file: null,
      size: segments.reduce((n, s) => n + s.bytes, 0),
      etag: largeObjectEtag(segments.map((s) => s.hash)),
      contentType: fields.contentType,
      metadata: fields.metadata,
      slo: segments,
      deleteAt: fields.deleteAt,
      createdAt: Date.now() / 1000,
    })
  }

  /**
   * Object versioning (Swift's versioned_writes): with X-History-Location or X-Versions-Location on the container,
   * the current object is archived as `<3-hex byte length><name>/<timestamp>` in that container before a PUT
   * replaces it (and, in history mode, before a DELETE). Large-object manifests are archived as manifests.
   * @throws PreconditionFailed (412) when the versions container does not exist
   */
  async archiveCurrent(projectId: string, container: ContainerRecord, name: string): Promise<void> {
    const loc = container.metadata['x-history-location'] ?? container.metadata['x-versions-location']
    if (!loc) return
    const cur = await this.repo.object(projectId, container.name, name)
    if (!cur || expired(cur, Date.now() / 1000)) return
    const vc = await this.repo.container(projectId, loc)
    if (!vc) throw new PreconditionFailed(`The versions container ${loc} does not exist.`)
    const archived = { ...cur, container: loc, name: versionPrefix(name) + cur.createdAt.toFixed(5) }
    if (!cur.file) {
      await this.commitStaged(undefined, { ...archived, file: null })
      return
    }
    await this.putObject(projectId, loc, archived.name, this.files.open(cur.file), { contentType: cur.contentType, metadata: cur.metadata, deleteAt: cur.deleteAt, expectEtag: cur.etag, expectedSize: cur.size })
  }

  /**
   * DELETE in stack mode (X-Versions-Location): the newest archived version moves back in place of the deleted
   * object. Returns true when one was restored.
   */
  async restoreLatest(projectId: string, container: ContainerRecord, name: string): Promise<boolean> {
    const loc = container.metadata['x-versions-location']
    if (!loc || container.metadata['x-history-location']) return false
    const [latest] = await this.repo.objects(projectId, loc, { prefix: versionPrefix(name), reverse: true, limit: 1 })
    if (!latest) return false
    const restored = { ...latest, container: container.name, name, createdAt: Date.now() / 1000 }
    if (!latest.file) await this.commitStaged(undefined, restored)
    else await this.putObject(projectId, container.name, name, this.files.open(latest.file), { contentType: latest.contentType, metadata: latest.metadata, deleteAt: latest.deleteAt, expectEtag: latest.etag, expectedSize: latest.size })
    await this.deleteObject(projectId, loc, latest.name)
    return true
  }

  /** multipart-manifest=delete: the segments, then the manifest. */
  async deleteStaticLargeObject(o: ObjectRecord): Promise<{ deleted: number; notFound: number }> {
    let deleted = 0
    let notFound = 0
    for (const seg of o.slo ?? []) {
      const [c, n] = splitPath(seg.name)
      try {
        await this.deleteObject(o.projectId, c, n)
        deleted++
      } catch {
        notFound++
      }
    }
    await this.deleteObject(o.projectId, o.container, o.name)
    return { deleted: deleted + 1, notFound }
  }

  // ---- lifecycle ----

  /**
   * At start: removes temp files (interrupted uploads), files no row names, and rows whose file is gone; then
   * recomputes every container's usage from its rows, so listings and usage match the files.
   */
  async reconcile(): Promise<void> {
    await this.files.init()
    const { files, tempsRemoved } = await this.files.scan()
    const known = await this.repo.allFiles()
    const onDisk = new Set(files)
    let orphans = 0
    for (const f of files) {
      if (!known.has(f)) {
        await this.files.remove(f)
        orphans++
      }
    }
    const missing = [...known].filter((f) => !onDisk.has(f))
    await this.repo.db.transaction((tx) => this.repo.dropRowsWithoutFiles(tx, missing))
    if (tempsRemoved || orphans || missing.length) {
      this.log.warn('object store reconciled', { temp_files_removed: tempsRemoved, orphan_files_removed: orphans, rows_without_file_removed: missing.length })
    }
    await this.expireDue()
  }

  startSweeper(intervalMs = 30_000): void {
    this.sweeper = setInterval(() => {
      const p = this.expireDue().catch((err: Error) => this.log.error('object expiry failed', { error: err.message }))
      this.inFlight.add(p)
      void p.finally(() => this.inFlight.delete(p))
    }, intervalMs)
    this.sweeper.unref()
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper)
    await Promise.all(this.inFlight)
  }

  /** Deletes objects whose X-Delete-At has passed (Swift's object expirer). */
  async expireDue(): Promise<number> {
    let n = 0
    for (;;) {
      const due = await this.repo.expired(Date.now() / 1000, 500)
      if (!due.length) return n
      for (const o of due) {
        const gone = await this.repo.db.transaction(async (tx) => {
          const cur = await this.repo.object(o.projectId, o.container, o.name, tx)
          if (!cur || cur.file !== o.file || cur.deleteAt === null || cur.deleteAt > Date.now() / 1000) return undefined
          return this.repo.deleteObject(tx, o.projectId, o.container, o.name)
        })
        if (gone?.file) await this.files.remove(gone.file)
        n++
      }
      if (due.length < 500) return n
    }
  }
}

/** Where versions of `name` are archived: Swift's "%03x%s/" of its UTF-8 length and the name. */
export function versionPrefix(name: string): string {
  return Buffer.byteLength(name).toString(16).padStart(3, '0') + name + '/'
}

/** A 400 listing each bad manifest entry, as Swift's SLO middleware does. */
export class BadRequestList extends BadRequest {
  constructor(readonly problems: string[]) {
    super(`Errors:\n${problems.join('\n')}`)
  }
}

export function expired(o: ObjectRecord, now: number): boolean {
  return o.deleteAt !== null && o.deleteAt <= now
}

/** '/container/rest/of/name' → ['container', 'rest/of/name']. */
export function splitPath(p: string): [string, string] {
  const s = p.replace(/^\//, '')
  const i = s.indexOf('/')
  if (i <= 0) throw new BadRequest(`'${p}' is not of the form /container/object.`)
  return [s.slice(0, i), s.slice(i + 1)]
}

export function listingDate(ts: number): string {
  return new Date(Math.floor(ts * 1000)).toISOString().replace('Z', '000')
}

/** Header updates: an empty value removes the key. */
export function applyUpdates(current: Metadata, updates: Metadata): Metadata {
  const next = { ...current }
  for (const [k, v] of Object.entries(updates)) {
    if (v === '') delete next[k]
    else next[k] = v
  }
  return next
}

function validateContainerName(name: string): void {
  if (!name || Buffer.byteLength(name) > LIMITS.maxContainerNameBytes) throw new BadRequest(`Container name length of ${Buffer.byteLength(name)} longer than ${LIMITS.maxContainerNameBytes}`)
  if (name.includes('/')) throw new BadRequest('Container names cannot contain a slash.')
}

/** Swift's constraints on user metadata (x-*-meta-*): name, value, count and total size. */
export function checkMetadataLimits(metadata: Metadata): void {
  let count = 0
  let total = 0
  for (const [k, v] of Object.entries(metadata)) {
    const m = /^x-(?:account|container|object)-meta-(.*)$/.exec(k)
    if (!m) continue
    const key = m[1]!
    if (!key) throw new BadRequest('Metadata name cannot be empty')
    if (key.length > LIMITS.maxMetaNameLength) throw new BadRequest(`Metadata name too long; max ${LIMITS.maxMetaNameLength}`)
    if (v.length > LIMITS.maxMetaValueLength) throw new BadRequest(`Metadata value longer than ${LIMITS.maxMetaValueLength}`)
    count++
    total += key.length + v.length
  }
  if (count > LIMITS.maxMetaCount) throw new BadRequest(`Too many metadata items; max ${LIMITS.maxMetaCount}`)
  if (total > LIMITS.maxMetaOverallSize) throw new BadRequest(`Total metadata too large; max ${LIMITS.maxMetaOverallSize}`)
}

/** Container quotas (X-Container-Meta-Quota-Bytes / -Count). @throws QuotaExceeded (413) */
function checkQuota(c: ContainerRecord, addBytes: number, addCount: number): void {
  const qb = c.metadata['x-container-meta-quota-bytes']
  const qc = c.metadata['x-container-meta-quota-count']
  if (qb !== undefined && /^\d+$/.test(qb) && c.bytesUsed + addBytes > Number(qb)) throw new QuotaExceeded('container bytes quota')
  if (qc !== undefined && /^\d+$/.test(qc) && c.objectCount + addCount > Number(qc)) throw new QuotaExceeded('container object count quota')
}

export { UnprocessableEntity }
