import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import type { IncomingHttpHeaders } from 'node:http'
import type { AuthContext } from '../../../platform/auth-context'
import { BadRequest, NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import type { ApiRequest, Reply } from '../../../platform/http/types'
import type { PolicyEnforcer } from '../../../platform/policy'
import { authorize, validAcl, validTempUrl, type Operation } from '../access'
import { LengthRequired, PreconditionFailed, Unauthorized } from '../errors'
import type { Metadata, ObjectRecord } from '../models'
import { LIMITS, splitPath, type Content, type NewObject, type ObjectStoreManager } from '../object-store-manager'
import { checkConditions, parseRange } from './http-conditions'
import { CONTENT_TYPES, httpDate, lastModifiedSeconds, listingFormat, metadataHeaders, renderContainers, renderObjects, xTimestamp } from './views'

const PUBLIC = { policy: 'public', auth: 'optional', rawBody: true } as const

/** The capabilities document (GET /info), as swiftclient's `swift capabilities` reads it. */
export function swiftInfo(): Record<string, unknown> {
  return {
    swift: {
      version: '2.32.0',
      max_file_size: LIMITS.maxFileSize,
      max_object_name_length: LIMITS.maxObjectNameBytes,
      max_container_name_length: LIMITS.maxContainerNameBytes,
      container_listing_limit: LIMITS.listingLimit,
      account_listing_limit: LIMITS.listingLimit,
      max_meta_name_length: LIMITS.maxMetaNameLength,
      max_meta_value_length: LIMITS.maxMetaValueLength,
      max_meta_count: LIMITS.maxMetaCount,
      max_meta_overall_size: LIMITS.maxMetaOverallSize,
      max_header_size: 8192,
      extra_header_count: 0,
      strict_cors_mode: true,
      policies: [{ name: 'Policy-0', default: true }],
    },
    slo: { max_manifest_segments: LIMITS.maxManifestSegments, max_manifest_size: LIMITS.maxManifestBytes, min_segment_size: 1, yield_frequency: 10 },
    dlo: { max_segments: 10000 },
    tempurl: { methods: ['GET', 'HEAD', 'PUT'], incoming_remove_headers: ['x-timestamp'], incoming_allow_headers: [], outgoing_remove_headers: ['x-object-meta-*'], outgoing_allow_headers: ['x-object-meta-public-*'], allowed_digests: ['sha1', 'sha256', 'sha512'] },
    container_quotas: {},
  }
}

function h(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

function projectOf(req: ApiRequest): string {
  const m = /^AUTH_([^/]+)$/.exec(req.params.account ?? '')
  if (!m) throw new NotFound('The resource could not be found.')
  return m[1]!
}

function ctxOf(req: ApiRequest): AuthContext | undefined {
  return req.ctx as AuthContext | undefined
}

/** Metadata updates from request headers: x-<kind>-meta-* (empty removes), x-remove-<kind>-meta-* and, for containers, ACLs and quotas. */
function headerUpdates(headers: IncomingHttpHeaders, kind: 'account' | 'container'): Metadata {
  const out: Metadata = {}
  const extra = kind === 'container' ? ['x-container-read', 'x-container-write', 'x-versions-location', 'x-history-location'] : []
  for (const [k, raw] of Object.entries(headers)) {
    const v = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
    if (k.startsWith(`x-${kind}-meta-`) || extra.includes(k)) out[k] = v.trim()
    else if (k.startsWith(`x-remove-${kind}-meta-`)) out[`x-${kind}-meta-` + k.slice(`x-remove-${kind}-meta-`.length)] = ''
    else if (kind === 'container' && extra.includes('x-' + k.slice('x-remove-'.length)) && k.startsWith('x-remove-')) out['x-' + k.slice('x-remove-'.length)] = ''
  }
  if (kind === 'container') {
    for (const acl of ['x-container-read', 'x-container-write']) {
      if (out[acl] && !validAcl(out[acl]!)) throw new BadRequest(`Invalid ACL in ${acl}.`)
    }
    for (const q of ['x-container-meta-quota-bytes', 'x-container-meta-quota-count']) {
      if (out[q] && !/^\d+$/.test(out[q]!)) throw new BadRequest(`Invalid ${q}: must be a non-negative integer.`)
    }
  }
  return out
}

function objectMetaFromHeaders(headers: IncomingHttpHeaders): Metadata {
  const out: Metadata = {}
  for (const [k, raw] of Object.entries(headers)) {
    const v = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
    if (k.startsWith('x-object-meta-') || k === 'content-disposition' || k === 'content-encoding' || k === 'x-object-manifest') out[k] = v.trim()
  }
  const manifest = out['x-object-manifest']
  if (manifest !== undefined && !/^[^/]+\/.*$/.test(decodeURIComponentSafe(manifest))) {
    throw new BadRequest('X-Object-Manifest must be in the format container/prefix')
  }
  if (manifest !== undefined) out['x-object-manifest'] = decodeURIComponentSafe(manifest)
  return out
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    throw new PreconditionFailed('Invalid UTF8 or contains NULL')
  }
}

/** X-Delete-At / X-Delete-After → unix seconds; undefined when neither is sent, null for X-Remove-Delete-At. */
function deleteAtFrom(headers: IncomingHttpHeaders): number | null | undefined {
  const after = h(headers, 'x-delete-after')
  const at = h(headers, 'x-delete-at')
  const now = Date.now() / 1000
  if (after !== undefined) {
    if (!/^\d+$/.test(after.trim())) throw new BadRequest('Non-integer X-Delete-After')
    if (Number(after) <= 0) throw new BadRequest('X-Delete-After in past')
    return Math.floor(now + Number(after))
  }
  if (at !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(at.trim())) throw new BadRequest('Non-integer X-Delete-At')
    if (Number(at) <= now) throw new BadRequest('X-Delete-At in past')
    return Math.floor(Number(at))
  }
  if (h(headers, 'x-remove-delete-at') !== undefined) return null
  return undefined
}

const EXT_TYPES: Record<string, string> = {
  txt: 'text/plain', html: 'text/html', htm: 'text/html', css: 'text/css', js: 'application/javascript', json: 'application/json',
  xml: 'application/xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', iso: 'application/x-iso9660-image',
  qcow2: 'application/octet-stream', mp4: 'video/mp4', csv: 'text/csv', md: 'text/markdown',
}

function contentTypeFor(headers: IncomingHttpHeaders, name: string): string {
  const ct = h(headers, 'content-type')?.trim()
  const detect = (h(headers, 'x-detect-content-type') ?? '').toLowerCase() === 'true'
  if (ct && !detect) return ct.replace(/;\s*swift_bytes=\d+/, '')
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase()
  return (ext && EXT_TYPES[ext]) || 'application/octet-stream'
}

function validateObjectName(name: string): void {
  if (!name) throw new BadRequest('Object name cannot be empty.')
  if (Buffer.byteLength(name) > LIMITS.maxObjectNameBytes) throw new BadRequest(`Object name length of ${Buffer.byteLength(name)} longer than ${LIMITS.maxObjectNameBytes}`)
  if (name.includes('\0') || name.includes('\uFFFD')) throw new PreconditionFailed('Invalid UTF8 or contains NULL')
}

function boolParam(v: string | null): boolean {
  return v !== null && ['true', '1', 'yes', 'on', 't', 'y'].includes(v.toLowerCase())
}

function listingParams(q: URLSearchParams) {
  const limitRaw = q.get('limit')
  let limit = LIMITS.listingLimit
  if (limitRaw !== null && limitRaw !== '') {
    if (!/^\d+$/.test(limitRaw)) throw new PreconditionFailed('Value of limit must be a positive integer')
    limit = Number(limitRaw)
    if (limit > LIMITS.listingLimit) throw new PreconditionFailed(`Maximum limit is ${LIMITS.listingLimit}`)
  }
  const delimiter = q.get('delimiter') || undefined
  if (delimiter && delimiter.length !== 1) throw new PreconditionFailed('Bad delimiter')
  return {
    limit,
    marker: q.get('marker') ?? undefined,
    endMarker: q.get('end_marker') ?? undefined,
    prefix: q.get('prefix') ?? undefined,
    delimiter,
    reverse: boolParam(q.get('reverse')),
  }
}

/**
 * Swift v1 (account, container, object) on /v1/AUTH_{project_id}. Every route is optional-auth: the token, when
 * sent, says who calls, and access.ts decides (owner by policy, container ACLs, public containers); TempURL
 * signatures open single objects without a token.
 */
export function registerSwiftRoutes(router: Router, manager: ObjectStoreManager, policy: PolicyEnforcer): void {
  const allow = (req: ApiRequest, projectId: string, op: Operation, container?: Metadata) =>
    authorize(policy, { ctx: ctxOf(req), referer: h(req.headers, 'referer') }, projectId, op, container)

  router.get('/info', { policy: 'public' }, () => ({ status: 200, body: swiftInfo(), headers: { 'Content-Type': 'application/json; charset=utf-8' } }))

  // ---- account ----
  router.get('/v1/:account', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    allow(req, projectId, 'list')
    const [account, usage] = await Promise.all([manager.repo.account(projectId), manager.repo.accountUsage(projectId)])
    const headers: Record<string, string | number> = {
      'X-Account-Container-Count': usage.containers,
      'X-Account-Object-Count': usage.objects,
      'X-Account-Bytes-Used': usage.bytes,
      'X-Timestamp': xTimestamp(account.createdAt),
      'X-Put-Timestamp': xTimestamp(account.createdAt),
      'X-Account-Storage-Policy-Policy-0-Container-Count': usage.containers,
      'X-Account-Storage-Policy-Policy-0-Object-Count': usage.objects,
      'X-Account-Storage-Policy-Policy-0-Bytes-Used': usage.bytes,
      ...metadataHeaders(account.metadata, { includeAcls: true }),
    }
    if (req.method === 'HEAD') return { status: 204, headers }
    const format = listingFormat(req.query, h(req.headers, 'accept'))
    const items = await manager.listContainers(projectId, listingParams(req.query))
    if (!items.length && format === 'plain') return { status: 204, headers }
    return { status: 200, text: renderContainers(items, format, `AUTH_${projectId}`), headers: { ...headers, 'Content-Type': CONTENT_TYPES[format] } }
  })

  router.post('/v1/:account', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    allow(req, projectId, 'write')
    await manager.postAccount(projectId, headerUpdates(req.headers, 'account'))
    return { status: 204 }
  })

  // ---- container ----
  router.get('/v1/:account/:container', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    const c = await manager.repo.container(projectId, req.params.container!)
    const { owner } = allow(req, projectId, 'list', c?.metadata)
    if (!c) throw new NotFound('The resource could not be found.')
    const headers: Record<string, string | number> = {
      'X-Container-Object-Count': c.objectCount,
      'X-Container-Bytes-Used': c.bytesUsed,
      'X-Timestamp': xTimestamp(c.createdAt),
      'X-Put-Timestamp': xTimestamp(c.updatedAt),
      'Last-Modified': httpDate(c.updatedAt),
      'X-Storage-Policy': 'Policy-0',
      ...metadataHeaders(c.metadata, { includeAcls: owner }),
    }
    if (req.method === 'HEAD') return { status: 204, headers }
    const format = listingFormat(req.query, h(req.headers, 'accept'))
    const items = await manager.listObjects(projectId, c.name, listingParams(req.query))
    if (!items.length && format === 'plain') return { status: 204, headers }
    return { status: 200, text: renderObjects(items, format, c.name), headers: { ...headers, 'Content-Type': CONTENT_TYPES[format] } }
  })

  router.put('/v1/:account/:container', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    allow(req, projectId, 'write')
    const created = await manager.putContainer(projectId, req.params.container!, headerUpdates(req.headers, 'container'))
    return { status: created ? 201 : 202, text: '', headers: { 'Content-Type': 'text/html; charset=UTF-8' } }
  })

  router.post('/v1/:account/:container', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    allow(req, projectId, 'write')
    await manager.postContainer(projectId, req.params.container!, headerUpdates(req.headers, 'container'))
    return { status: 204 }
  })

  router.delete('/v1/:account/:container', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    allow(req, projectId, 'write')
    await manager.deleteContainer(projectId, req.params.container!)
    return { status: 204 }
  })

  // ---- object ----
  /** Access to one object: a valid TempURL, or the token/ACL rules. Returns whether the caller is the owner. */
  const objectAccess = async (req: ApiRequest, projectId: string, op: Operation, containerName: string) => {
    const c = await manager.repo.container(projectId, containerName)
    const sig = req.query.get('temp_url_sig')
    const expires = req.query.get('temp_url_expires')
    if (sig !== null && expires !== null) {
      const account = await manager.repo.account(projectId)
      const keys = [
        account.metadata['x-account-meta-temp-url-key'],
        account.metadata['x-account-meta-temp-url-key-2'],
        c?.metadata['x-container-meta-temp-url-key'],
        c?.metadata['x-container-meta-temp-url-key-2'],
      ].filter((k): k is string => !!k)
      const rawPath = (req.raw.url ?? '').split('?')[0]!
      const paths = [rawPath, rawPath.replace(/^\/object-store/, ''), decodeURIComponentSafe(rawPath), decodeURIComponentSafe(rawPath).replace(/^\/object-store/, '')]
      const method = req.method
      const ok = (method === 'GET' || method === 'HEAD' || method === 'PUT') && validTempUrl({ method, sig, expires, paths: [...new Set(paths)], keys })
      if (!ok) throw new Unauthorized('Temp URL invalid')
      if (!c) throw new NotFound('The resource could not be found.')
      return { owner: false, container: c, tempUrl: true }
    }
    const { owner } = allow(req, projectId, op, c?.metadata)
    if (!c) throw new NotFound('The resource could not be found.')
    return { owner, container: c, tempUrl: false }
  }

  const objectGet = async (req: ApiRequest): Promise<Reply> => {
    const projectId = projectOf(req)
    const name = req.params.rest!
    const { tempUrl } = await objectAccess(req, projectId, 'read', req.params.container!)
    const o = await manager.object(projectId, req.params.container!, name)
    if (req.query.get('multipart-manifest') === 'get' && o.slo) {
      const text = JSON.stringify(o.slo)
      return { status: 200, text: req.method === 'HEAD' ? '' : text, headers: { ...objectHeaders(o, null), 'Content-Type': 'application/json; charset=utf-8', 'X-Static-Large-Object': 'True', ETag: `"${o.etag}"` } }
    }
    const content = await manager.content(o)
    const headers = objectHeaders(o, content)
    if (tempUrl) {
      for (const k of Object.keys(headers)) if (k.startsWith('x-object-meta-') && !k.startsWith('x-object-meta-public-')) delete headers[k]
      const filename = req.query.get('filename')
      if (filename !== null) headers['Content-Disposition'] = `attachment; filename="${filename.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`
      else if (req.query.has('inline')) headers['Content-Disposition'] = 'inline'
    }
    const cond = checkConditions(req.headers, content.etag, lastModifiedSeconds(o.createdAt), true)
    if (cond === 304) return { status: 304, headers: { ETag: headers.ETag!, 'Last-Modified': headers['Last-Modified']! } }
    const ranges = req.method === 'HEAD' ? undefined : parseRange(h(req.headers, 'range'), content.size)
    if (req.method === 'HEAD' || !ranges) {
      const stream = req.method === 'HEAD' ? Readable.from([]) : manager.stream(content)
      return streamReply(req, 200, { ...headers, 'Content-Length': content.size }, stream)
    }
    if (ranges.length === 1) {
      const r = ranges[0]!
      return streamReply(req, 206, { ...headers, 'Content-Length': r.end - r.start + 1, 'Content-Range': `bytes ${r.start}-${r.end}/${content.size}` }, manager.stream(content, r.start, r.end))
    }
    return multipartRanges(req, manager, content, ranges, headers)
  }
  router.get('/v1/:account/:container/*', PUBLIC, objectGet)

  router.put('/v1/:account/:container/*', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    const name = req.params.rest!
    validateObjectName(name)
    const { container } = await objectAccess(req, projectId, 'write', req.params.container!)
    if (h(req.headers, 'if-none-match')?.trim() === '*') {
      const existing = await manager.object(projectId, container.name, name).catch(() => undefined)
      if (existing) throw new PreconditionFailed('A precondition for this request was not met.')
    }
    await manager.archiveCurrent(projectId, container, name)
    const copyFrom = h(req.headers, 'x-copy-from')
    const fields = newObjectFields(req.headers, name)
    if (copyFrom !== undefined) {
      const [sc, sn] = splitPath('/' + decodeURIComponentSafe(copyFrom).replace(/^\//, ''))
      const src = await copySource(req, projectId, sc, sn)
      const o = await manager.copyObject(src, projectId, req.params.container!, name, mergeForCopy(src, req.headers, fields))
      return created(o, { 'X-Copied-From': `${sc}/${encodeURIComponent(sn).replace(/%2F/g, '/')}`, 'X-Copied-From-Last-Modified': httpDate(src.createdAt) })
    }
    if (req.query.get('multipart-manifest') === 'put') {
      const body = await readSmallBody(req, LIMITS.maxManifestBytes)
      let entries: unknown
      try {
        entries = JSON.parse(body.toString('utf8'))
      } catch {
        throw new BadRequest('Manifest must be valid JSON.')
      }
      const o = await manager.putStaticLargeObject(projectId, req.params.container!, name, entries, fields)
      return created(o, {})
    }
    const length = h(req.headers, 'content-length')
    const chunked = /chunked/i.test(h(req.headers, 'transfer-encoding') ?? '')
    if (length === undefined && !chunked) throw new LengthRequired('Missing Content-Length or chunked Transfer-Encoding.')
    if (length !== undefined && !/^\d+$/.test(length)) throw new BadRequest('Invalid Content-Length')
    if (length !== undefined && Number(length) > LIMITS.maxFileSize) throw new BadRequest('Your request is too large.')
    const etag = h(req.headers, 'etag')?.replace(/"/g, '').trim()
    const o = await manager.putObject(projectId, req.params.container!, name, req.raw, {
      ...fields,
      expectEtag: etag || undefined,
      expectedSize: length !== undefined ? Number(length) : undefined,
    }, container)
    return created(o, {})
  })

  router.add('COPY', '/v1/:account/:container/*', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    const dest = h(req.headers, 'destination')
    if (!dest) throw new PreconditionFailed('You must provide a Destination header.')
    const [dc, dn] = splitPath('/' + decodeURIComponentSafe(dest).replace(/^\//, ''))
    validateObjectName(dn)
    const src = await copySource(req, projectId, req.params.container!, req.params.rest!)
    await objectAccess(req, projectId, 'write', dc)
    const fields = newObjectFields(req.headers, dn)
    if (!h(req.headers, 'content-type')) fields.contentType = src.contentType
    const o = await manager.copyObject(src, projectId, dc, dn, mergeForCopy(src, req.headers, fields))
    return created(o, { 'X-Copied-From': `${req.params.container}/${encodeURIComponent(req.params.rest!).replace(/%2F/g, '/')}`, 'X-Copied-From-Last-Modified': httpDate(src.createdAt) })
  })

  router.post('/v1/:account/:container/*', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    await objectAccess(req, projectId, 'write', req.params.container!)
    const o = await manager.object(projectId, req.params.container!, req.params.rest!)
    const meta = objectMetaFromHeaders(req.headers)
    const merged: Metadata = {}
    for (const [k, v] of Object.entries(o.metadata)) if (!k.startsWith('x-object-meta-')) merged[k] = v
    Object.assign(merged, meta)
    const deleteAt = deleteAtFrom(req.headers)
    await manager.postObject(o, h(req.headers, 'content-type'), merged, deleteAt)
    return { status: 202, text: '', headers: { 'Content-Type': 'text/html; charset=UTF-8' } }
  })

  router.delete('/v1/:account/:container/*', PUBLIC, async (req) => {
    const projectId = projectOf(req)
    const { container } = await objectAccess(req, projectId, 'write', req.params.container!)
    if (req.query.get('multipart-manifest') === 'delete') {
      const o = await manager.object(projectId, req.params.container!, req.params.rest!)
      if (o.slo) {
        const r = await manager.deleteStaticLargeObject(o)
        const result = { 'Number Deleted': r.deleted, 'Number Not Found': r.notFound, 'Response Body': '', 'Response Status': '200 OK', Errors: [] }
        if ((h(req.headers, 'accept') ?? '').includes('json')) return { status: 200, body: result }
        return { status: 200, text: `Number Deleted: ${r.deleted}\nNumber Not Found: ${r.notFound}\nResponse Body: \nResponse Status: 200 OK\nErrors:\n`, headers: { 'Content-Type': 'text/plain' } }
      }
    }
    if (container.metadata['x-history-location']) await manager.archiveCurrent(projectId, container, req.params.rest!)
    const deleted = await manager.deleteObject(projectId, req.params.container!, req.params.rest!).then(
      () => true,
      (err: unknown) => {
        if (err instanceof NotFound && container.metadata['x-versions-location']) return false
        throw err
      },
    )
    const restored = await manager.restoreLatest(projectId, container, req.params.rest!)
    if (!deleted && !restored) throw new NotFound('The resource could not be found.')
    return { status: 204 }
  })

  async function copySource(req: ApiRequest, projectId: string, container: string, name: string): Promise<ObjectRecord> {
    const c = await manager.repo.container(projectId, container)
    allow(req, projectId, 'read', c?.metadata)
    if (!c) throw new NotFound('The resource could not be found.')
    return manager.object(projectId, container, name)
  }
}

function newObjectFields(headers: IncomingHttpHeaders, name: string): NewObject {
  const deleteAt = deleteAtFrom(headers)
  return { contentType: contentTypeFor(headers, name), metadata: objectMetaFromHeaders(headers), deleteAt: deleteAt ?? null }
}

/** A copy keeps the source's metadata under the request's (unless X-Fresh-Metadata). */
function mergeForCopy(src: ObjectRecord, headers: IncomingHttpHeaders, fields: NewObject): NewObject {
  const fresh = (h(headers, 'x-fresh-metadata') ?? '').toLowerCase() === 'true'
  const base = fresh ? {} : Object.fromEntries(Object.entries(src.metadata).filter(([k]) => k !== 'x-object-manifest'))
  return {
    ...fields,
    contentType: h(headers, 'content-type') ? fields.contentType : src.contentType,
    metadata: { ...base, ...fields.metadata },
  }
}

function objectHeaders(o: ObjectRecord, content: Content | null): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': o.contentType,
    ETag: content?.large ? `"${content.etag}"` : o.etag,
    'Last-Modified': httpDate(o.createdAt),
    'X-Timestamp': xTimestamp(o.createdAt),
    'Accept-Ranges': 'bytes',
    ...metadataHeaders(o.metadata, { includeAcls: true }),
  }
  if (o.deleteAt !== null) headers['X-Delete-At'] = String(o.deleteAt)
  if (o.slo) headers['X-Static-Large-Object'] = 'True'
  return headers
}

function created(o: ObjectRecord, extra: Record<string, string>): Reply {
  return {
    status: 201,
    text: '',
    headers: { ETag: o.slo ? `"${o.etag}"` : o.etag, 'Last-Modified': httpDate(o.createdAt), 'Content-Type': 'text/html; charset=UTF-8', ...extra },
  }
}

/** A streamed answer whose failure mid-way ends the connection (the client sees a short body, never a wrong one). */
function streamReply(req: ApiRequest, status: number, headers: Record<string, string | number>, stream: Readable): Reply {
  stream.once('error', (err) => {
    req.log.error('object read failed', { request_id: req.id, error: err.message })
    req.res.destroy(err)
  })
  return { status, headers, stream }
}

function multipartRanges(req: ApiRequest, manager: ObjectStoreManager, content: Content, ranges: { start: number; end: number }[], headers: Record<string, string>): Reply {
  const boundary = randomBytes(16).toString('hex')
  const type = headers['Content-Type'] ?? 'application/octet-stream'
  const parts = ranges.map((r, i) => ({
    head: Buffer.from(`${i ? '\r\n' : ''}--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${content.size}\r\n\r\n`),
    r,
  }))
  const tail = Buffer.from(`\r\n--${boundary}--`)
  const length = parts.reduce((n, p) => n + p.head.length + p.r.end - p.r.start + 1, 0) + tail.length
  async function* gen(): AsyncGenerator<Buffer> {
    for (const p of parts) {
      yield p.head
      for await (const chunk of manager.stream(content, p.r.start, p.r.end)) yield chunk as Buffer
    }
    yield tail
  }
  return streamReply(req, 206, { ...headers, 'Content-Type': `multipart/byteranges;boundary=${boundary}`, 'Content-Length': length }, Readable.from(gen()))
}

async function readSmallBody(req: ApiRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req.raw as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new BadRequest(`Manifest is larger than ${limit} bytes.`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
