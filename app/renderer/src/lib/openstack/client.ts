import { CallLog, redact } from './call-log'
import { cliEquivalent } from './cli-equivalent'
import { OpenStackError, parseFault } from './errors'
import type { CatalogService, KeystoneToken, ServiceType, Session } from './types'

export interface ClientOptions {
  /** The cloud's origin, e.g. http://127.0.0.1:8799 (the page's own origin in the dashboard). */
  origin: string
  /** Where every call is recorded for the API drawer. */
  log: CallLog
  /** Called once when a request with our token answers 401: the session is over. */
  onUnauthorized?: () => void
  fetch?: typeof fetch
  /** Makes the XMLHttpRequest of upload() (tests pass a fake). */
  xhr?: () => XMLHttpRequest
}

export interface PasswordCredentials {
  username: string
  password: string
  project: string
  /** Domain of both user and project, by name. */
  domain?: string
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | boolean | undefined> | URLSearchParams
  headers?: Record<string, string>
  /** Send without our token (public calls such as version documents). */
  anonymous?: boolean
  /** Do not treat this call's 401 as the end of the session. */
  ignoreUnauthorized?: boolean
  /** The CLI command to show in the API drawer instead of the one cliEquivalent() finds. */
  cli?: string | null
  /** Content-Type of the JSON body (default application/json), e.g. Glance's application/openstack-images-v2.1-json-patch. */
  contentType?: string
  signal?: AbortSignal
}

export interface UploadOptions {
  method?: 'PUT' | 'POST'
  /** Default application/octet-stream. */
  contentType?: string
  headers?: Record<string, string>
  /** Bytes sent so far and in all, as the browser reports them (XMLHttpRequest upload progress). */
  onProgress?: (loaded: number, total: number) => void
  /** Aborting cancels the transfer; the promise then rejects with an OpenStackError of kind 'aborted'. */
  signal?: AbortSignal
  /** The CLI command to show in the API drawer instead of the one cliEquivalent() finds. */
  cli?: string | null
  /** What the API drawer shows as the request body (the bytes are never shown), e.g. the file's name. */
  describeBody?: string
}

export interface Response<T> {
  status: number
  headers: Headers
  body: T
}

const REQUEST_TIMEOUT_MS = 60_000

/**
 * A plain OpenStack client for the browser. Logs in with Keystone v3 (password method, project scope), keeps
 * the token in memory only, reads endpoints from the token's catalog, sends X-Auth-Token, and turns fault
 * bodies into OpenStackError. Every call, failed or not, is recorded in the CallLog.
 */
export class OpenStackClient {
  private unauthorizedReported = false

  private constructor(
    private readonly opts: ClientOptions,
    readonly session: Session,
  ) {}

  /** POST /identity/v3/auth/tokens. @throws OpenStackError (401 for wrong credentials). */
  static async login(opts: ClientOptions, creds: PasswordCredentials): Promise<OpenStackClient> {
    const domain = { name: creds.domain ?? 'Default' }
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: creds.username, domain, password: creds.password } } },
        scope: { project: { name: creds.project, domain } },
      },
    }
    const identityRoot = `${opts.origin}/identity`
    const res = await send<{ token: KeystoneToken }>(opts, {
      service: 'identity',
      serviceRoot: identityRoot,
      method: 'POST',
      path: '/v3/auth/tokens',
      body,
    })
    const token = res.headers.get('X-Subject-Token')
    if (!token) throw new OpenStackError(500, 'Keystone did not return an X-Subject-Token header.', { method: 'POST', path: '/identity/v3/auth/tokens' })
    return new OpenStackClient(opts, toSession(res.body.token, token, opts.origin, 'password'))
  }

  /**
   * Adopts a token issued elsewhere (the desktop app) and fetches its catalog and roles with
   * GET /v3/auth/tokens. @throws OpenStackError (404/401 when the token is no longer valid).
   */
  static async fromToken(opts: ClientOptions, token: string, identityUrl?: string): Promise<OpenStackClient> {
    const identityRoot = identityUrl ? normalizeIdentity(rebase(identityUrl, opts.origin)) : `${opts.origin}/identity`
    const res = await send<{ token: KeystoneToken }>(opts, {
      service: 'identity',
      serviceRoot: identityRoot,
      method: 'GET',
      path: '/v3/auth/tokens',
      headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
    })
    return new OpenStackClient(opts, toSession(res.body.token, token, opts.origin, 'desktop'))
  }

  get origin(): string {
    return this.opts.origin
  }

  get isAdmin(): boolean {
    return this.session.roles.includes('admin')
  }

  /** The public endpoint of a service type; undefined when the catalog does not list it. */
  endpoint(service: ServiceType): string | undefined {
    return this.session.endpoints[service]
  }

  /** Calls `path` below the service's catalog endpoint (for identity: its unversioned root, so `/v3/…`). */
  async request<T = unknown>(service: ServiceType, method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const root = this.endpoint(service)
    if (!root) {
      throw new OpenStackError(0, `The service catalog has no ${service} endpoint: this cloud does not offer that service.`, { method, path })
    }
    return this.requestUrl<T>(service, root, method, path, options)
  }

  /** Like request() but for an explicit root URL (version probes of arbitrary catalog entries). */
  async requestUrl<T = unknown>(service: ServiceType, root: string, method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers }
    if (!options.anonymous) headers['X-Auth-Token'] = this.session.token
    try {
      return await send<T>(this.opts, {
        service,
        serviceRoot: root,
        method,
        path,
        body: options.body,
        contentType: options.contentType,
        query: options.query,
        headers,
        signal: options.signal,
        cli: options.cli,
      })
    } catch (err) {
      if (err instanceof OpenStackError && err.status === 401 && !options.anonymous && !options.ignoreUnauthorized && !this.unauthorizedReported) {
        this.unauthorizedReported = true
        this.opts.onUnauthorized?.()
      }
      throw err
    }
  }

  /**
   * Sends raw bytes (an image file) below the service's endpoint with XMLHttpRequest, whose upload events give
   * progress (fetch has none). Recorded in the call log like every other call.
   * @throws OpenStackError (kind 'aborted' when options.signal cancelled it)
   */
  async upload<T = unknown>(service: ServiceType, path: string, data: Blob, options: UploadOptions = {}): Promise<Response<T>> {
    const method = options.method ?? 'PUT'
    const root = this.endpoint(service)
    if (!root) {
      throw new OpenStackError(0, `The service catalog has no ${service} endpoint: this cloud does not offer that service.`, { method, path })
    }
    try {
      return await sendBytes<T>(this.opts, {
        service,
        serviceRoot: root,
        method,
        path,
        data,
        headers: { ...options.headers, 'X-Auth-Token': this.session.token },
        contentType: options.contentType ?? 'application/octet-stream',
        onProgress: options.onProgress,
        signal: options.signal,
        cli: options.cli,
        describeBody: options.describeBody,
      })
    } catch (err) {
      if (err instanceof OpenStackError && err.status === 401 && !this.unauthorizedReported) {
        this.unauthorizedReported = true
        this.opts.onUnauthorized?.()
      }
      throw err
    }
  }

  /**
   * GETs raw bytes (an object to save) below the service's endpoint with fetch, reading the body as a stream so
   * `onProgress` can follow it. Recorded in the call log like every other call. @throws OpenStackError
   */
  async download(service: ServiceType, path: string, options: { onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal; cli?: string | null } = {}): Promise<Blob> {
    const root = this.endpoint(service)
    if (!root) throw new OpenStackError(0, `The service catalog has no ${service} endpoint: this cloud does not offer that service.`, { method: 'GET', path })
    const url = new URL(joinUrl(root, path))
    const displayPath = url.pathname + url.search
    const id = this.opts.log.start({ method: 'GET', path: displayPath, service, cli: options.cli !== undefined ? options.cli : cliEquivalent({ service, method: 'GET', path }) })
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    let res: globalThis.Response
    try {
      res = await (this.opts.fetch ?? fetch)(url, { headers: { 'X-Auth-Token': this.session.token }, signal: options.signal, credentials: 'omit', cache: 'no-store' })
    } catch {
      this.opts.log.finish(id, { status: 0, durationMs: elapsed(), error: 'Could not reach the cloud.' })
      throw new OpenStackError(0, options.signal?.aborted ? 'The download was cancelled.' : 'Could not reach the cloud.', { method: 'GET', path: displayPath, kind: options.signal?.aborted ? 'aborted' : undefined })
    }
    if (!res.ok) {
      const fault = parseFault(res.status, res.statusText, await res.text().catch(() => ''))
      this.opts.log.finish(id, { status: res.status, durationMs: elapsed(), error: fault.message })
      if (res.status === 401 && !this.unauthorizedReported) {
        this.unauthorizedReported = true
        this.opts.onUnauthorized?.()
      }
      throw new OpenStackError(res.status, fault.message, { method: 'GET', path: displayPath, kind: fault.kind })
    }
    const total = Number(res.headers.get('Content-Length') ?? 0)
    const chunks: Uint8Array[] = []
    let loaded = 0
    const reader = res.body?.getReader()
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        chunks.push(value)
        loaded += value.byteLength
        options.onProgress?.(loaded, total || loaded)
      }
    }
    this.opts.log.finish(id, { status: res.status, durationMs: elapsed() })
    return new Blob(chunks as BlobPart[], { type: res.headers.get('Content-Type') ?? 'application/octet-stream' })
  }

  get<T = unknown>(service: ServiceType, path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>(service, 'GET', path, { query }).then((r) => r.body)
  }

  post<T = unknown>(service: ServiceType, path: string, body?: unknown): Promise<T> {
    return this.request<T>(service, 'POST', path, { body }).then((r) => r.body)
  }

  put<T = unknown>(service: ServiceType, path: string, body?: unknown): Promise<T> {
    return this.request<T>(service, 'PUT', path, { body }).then((r) => r.body)
  }

  patch<T = unknown>(service: ServiceType, path: string, body?: unknown): Promise<T> {
    return this.request<T>(service, 'PATCH', path, { body }).then((r) => r.body)
  }

  delete<T = unknown>(service: ServiceType, path: string): Promise<T> {
    return this.request<T>(service, 'DELETE', path).then((r) => r.body)
  }

  /** Revokes the token (DELETE /v3/auth/tokens). Never throws: logging out must always work. */
  async logout(): Promise<void> {
    await this.request('identity', 'DELETE', '/v3/auth/tokens', {
      headers: { 'X-Subject-Token': this.session.token },
      ignoreUnauthorized: true,
    }).catch(() => undefined)
  }
}

interface SendSpec {
  service: ServiceType
  serviceRoot: string
  method: string
  path: string
  body?: unknown
  contentType?: string
  query?: RequestOptions['query']
  headers?: Record<string, string>
  signal?: AbortSignal
  cli?: string | null
}

/** One HTTP exchange, recorded in the call log. @throws OpenStackError */
async function send<T>(opts: ClientOptions, spec: SendSpec): Promise<Response<T>> {
  const query = toSearchParams(spec.query)
  const qs = query.toString()
  const url = new URL(joinUrl(spec.serviceRoot, spec.path) + (qs ? `?${qs}` : ''))
  const method = spec.method.toUpperCase()
  const displayPath = url.pathname + url.search
  const headers: Record<string, string> = { Accept: 'application/json', ...spec.headers }
  let payload: string | undefined
  if (spec.body !== undefined) {
    headers['Content-Type'] = spec.contentType ?? 'application/json'
    payload = JSON.stringify(spec.body)
  }
  const id = opts.log.start({
    method,
    path: displayPath,
    service: spec.service,
    cli: spec.cli !== undefined ? spec.cli : cliEquivalent({ service: spec.service, method, path: spec.path, query, body: spec.body }),
    requestBody: spec.body === undefined ? undefined : redact(spec.body),
  })
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout
  let res: globalThis.Response
  try {
    res = await (opts.fetch ?? fetch)(url, { method, headers, body: payload, signal, credentials: 'omit', cache: 'no-store' })
  } catch (err) {
    const aborted = err instanceof DOMException && (err.name === 'AbortError' || err.name === 'TimeoutError')
    const message = aborted && !spec.signal?.aborted ? 'The cloud did not answer in time.' : 'Could not reach the cloud.'
    opts.log.finish(id, { status: 0, durationMs: elapsed(), error: message })
    throw new OpenStackError(0, message, { method, path: displayPath })
  }
  const text = method === 'HEAD' || res.status === 204 ? '' : await res.text().catch(() => '')
  const durationMs = elapsed()
  if (!res.ok && res.status !== 300) {
    const fault = parseFault(res.status, res.statusText, text)
    opts.log.finish(id, { status: res.status, durationMs, error: fault.message })
    throw new OpenStackError(res.status, fault.message, {
      method,
      path: displayPath,
      kind: fault.kind,
      requestId: res.headers.get('x-openstack-request-id') ?? undefined,
    })
  }
  opts.log.finish(id, { status: res.status, durationMs })
  return { status: res.status, headers: res.headers, body: parseBody(text, res.headers) as T }
}

function parseBody(text: string, headers: Headers): unknown {
  if (!text) return undefined
  if (!(headers.get('Content-Type') ?? '').includes('json')) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

interface BytesSpec {
  service: ServiceType
  serviceRoot: string
  method: string
  path: string
  data: Blob
  contentType: string
  headers: Record<string, string>
  onProgress?: (loaded: number, total: number) => void
  signal?: AbortSignal
  cli?: string | null
  describeBody?: string
}

/** One upload with XMLHttpRequest (for its progress events), recorded in the call log. @throws OpenStackError */
function sendBytes<T>(opts: ClientOptions, spec: BytesSpec): Promise<Response<T>> {
  const url = new URL(joinUrl(spec.serviceRoot, spec.path))
  const method = spec.method.toUpperCase()
  const displayPath = url.pathname + url.search
  const size = spec.data.size
  const id = opts.log.start({
    method,
    path: displayPath,
    service: spec.service,
    cli: spec.cli !== undefined ? spec.cli : cliEquivalent({ service: spec.service, method, path: spec.path }),
    requestBody: `(${size} bytes of ${spec.contentType}${spec.describeBody ? `: ${spec.describeBody}` : ''})`,
  })
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  return new Promise<Response<T>>((resolve, reject) => {
    const fail = (status: number, message: string, kind?: string, requestId?: string) => {
      opts.log.finish(id, { status, durationMs: elapsed(), error: message })
      reject(new OpenStackError(status, message, { method, path: displayPath, kind, requestId }))
    }
    if (spec.signal?.aborted) {
      fail(0, 'The upload was cancelled.', 'aborted')
      return
    }
    const xhr = opts.xhr ? opts.xhr() : new XMLHttpRequest()
    const onAbort = () => xhr.abort()
    spec.signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => spec.signal?.removeEventListener('abort', onAbort)
    xhr.open(method, url.toString())
    xhr.setRequestHeader('Accept', 'application/json')
    for (const [k, v] of Object.entries(spec.headers)) xhr.setRequestHeader(k, v)
    xhr.setRequestHeader('Content-Type', spec.contentType)
    if (spec.onProgress) {
      const report = spec.onProgress
      xhr.upload.onprogress = (e: ProgressEvent) => report(e.loaded, e.lengthComputable && e.total > 0 ? e.total : size)
    }
    xhr.onload = () => {
      done()
      const headers = parseResponseHeaders(xhr.getAllResponseHeaders())
      const text = xhr.status === 204 ? '' : (xhr.responseText ?? '')
      if (xhr.status < 200 || xhr.status >= 300) {
        const fault = parseFault(xhr.status, xhr.statusText, text)
        fail(xhr.status, fault.message, fault.kind, headers.get('x-openstack-request-id') ?? undefined)
        return
      }
      opts.log.finish(id, { status: xhr.status, durationMs: elapsed() })
      resolve({ status: xhr.status, headers, body: parseBody(text, headers) as T })
    }
    xhr.onerror = () => {
      done()
      fail(0, 'Could not reach the cloud.')
    }
    xhr.onabort = () => {
      done()
      fail(0, 'The upload was cancelled.', 'aborted')
    }
    xhr.send(spec.data)
  })
}

function parseResponseHeaders(raw: string): Headers {
  const headers = new Headers()
  for (const line of raw.split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) {
      try {
        headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim())
      } catch {
        // A header name the Headers class refuses: not one we read.
      }
    }
  }
  return headers
}

function toSearchParams(query: RequestOptions['query']): URLSearchParams {
  if (query instanceof URLSearchParams) return query
  const out = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) out.set(k, String(v))
  return out
}

function joinUrl(root: string, path: string): string {
  if (!path) return root
  return root.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`)
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * The catalog names the cloud as http://127.0.0.1:PORT; a page opened as http://localhost:PORT must still call
 * its own origin (the CSP allows only 'self'). Endpoints elsewhere are left as they are.
 */
export function rebase(url: string, origin: string): string {
  try {
    const u = new URL(url, origin)
    const o = new URL(origin)
    if (u.origin !== o.origin && LOOPBACK.has(u.hostname) && LOOPBACK.has(o.hostname) && u.port === o.port) {
      return o.origin + u.pathname + u.search
    }
    return u.toString().replace(/\/+$/, '')
  } catch {
    return url
  }
}

/** Identity calls are made relative to its unversioned root, so that paths read /v3/… like the API reference. */
function normalizeIdentity(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v3$/, '')
}

/** Public endpoints by service type, rebased on our origin. */
export function publicEndpoints(catalog: readonly CatalogService[], origin: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const svc of catalog) {
    const ep = svc.endpoints.find((e) => e.interface === 'public') ?? svc.endpoints[0]
    if (!ep || out[svc.type]) continue
    const url = rebase(ep.url, origin)
    out[svc.type] = svc.type === 'identity' ? normalizeIdentity(url) : url.replace(/\/+$/, '')
  }
  // Volume v3 is listed as block-storage in newer clouds and volumev3 in older ones; accept either.
  out['volumev3'] ??= out['block-storage']!
  if (!out['volumev3']) delete out['volumev3']
  return out
}

function toSession(token: KeystoneToken, id: string, origin: string, source: Session['source']): Session {
  const catalog = token.catalog ?? []
  const endpoints = publicEndpoints(catalog, origin)
  endpoints.identity ??= `${origin}/identity`
  return {
    token: id,
    expiresAt: token.expires_at,
    user: token.user,
    project: token.project,
    roles: (token.roles ?? []).map((r) => r.name),
    endpoints,
    catalog,
    source,
  }
}
