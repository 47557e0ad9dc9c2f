import { isAdmin } from '../auth-context'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import {
  ApiError,
  BadRequest,
  InternalError,
  MethodNotAllowed,
  NotFound,
  NotImplemented,
  PayloadTooLarge,
  Unauthorized,
  UnsupportedMediaType,
} from '../errors'
import type { AuthContext } from '../auth-context'
import type { Logger } from '../log'
import type { PolicyEnforcer } from '../policy'
import type { Service } from '../../services/service'
import { validateBody } from './validation'
import type { ApiRequest, HttpMethod, Reply } from './types'
import type { RouteMatch } from './router'
import type { StaticFiles } from './static-files'

/** Turns an X-Auth-Token into who is calling. Implemented by the identity service. */
export interface Authenticator {
  /** @throws Unauthorized when the token is unknown, expired, revoked or its user/project is disabled. */
  authenticate(token: string): Promise<AuthContext>
}

const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * The one HTTP endpoint: dispatches by path prefix to the services (as DevStack does), authenticates, parses
 * and validates bodies, enforces policy, and renders every error in the owning service's fault shape. Nothing
 * but an ApiError's message ever reaches a client; other errors become 500 with the request id, logged in full.
 */
export class Gateway {
  private readonly services: Service[]

  constructor(
    services: Service[],
    private readonly deps: {
      authenticator: () => Authenticator
      policy: PolicyEnforcer
      log: Logger
      baseUrl: () => string
      staticFiles?: StaticFiles
    },
  ) {
    // Longest prefix first, so /identity never swallows a hypothetical /identity-x.
    this.services = [...services].sort((a, b) => b.prefix.length - a.prefix.length)
  }

  createServer(): http.Server {
    const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res)
    })
    server.headersTimeout = 70_000
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
      const service = this.services.find((s) => path.startsWith(s.prefix + '/'))
      const handled = hostAllowed(req.headers.host) && service?.upgrade?.(req, socket, head, path.slice(service.prefix.length), this.deps.authenticator())
      if (!handled) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    })
    return server
  }

  async handle(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint()
    const requestId = `req-${randomUUID()}`
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    // A service that keeps names in its paths (Swift objects may be called `a/../b`) routes on the raw path:
    // the URL parser would otherwise resolve the dots and send the request to another resource.
    const rawPath = (raw.url ?? '/').startsWith('/') ? (raw.url ?? '/').split('?')[0]! : path
    const rawService = this.services.find((s) => s.rawPaths && rawPath.startsWith(s.prefix + '/'))
    const service = rawService ?? this.services.find((s) => path === s.prefix || path.startsWith(s.prefix + '/'))
    let ctx: AuthContext | undefined
    res.setHeader('x-openstack-request-id', requestId)

    const finish = (status: number) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      this.deps.log.request({
        requestId,
        method: raw.method ?? '',
        path,
        status,
        ms: Math.round(ms * 1000) / 1000,
        service: service?.type,
        userId: ctx?.userId,
        projectId: ctx?.projectId,
      })
    }

    try {
      if (!hostAllowed(raw.headers.host)) throw new BadRequest('Host header must name 127.0.0.1 or localhost.')
      if (!service) {
        if (this.deps.staticFiles && (raw.method === 'GET' || raw.method === 'HEAD')) {
          const status = await this.deps.staticFiles.serve(path, raw, res)
          return finish(status)
        }
        throw new NotFound('The resource could not be found.')
      }
      const pre = service.preflight?.(raw)
      for (const [k, v] of Object.entries(pre?.headers ?? {})) res.setHeader(k, v)
      const subPath = (rawService ? rawPath : path).slice(service.prefix.length) || '/'
      const match = service.router.match(raw.method ?? 'GET', subPath)
      const token = headerValue(raw.headers['x-auth-token'])
      if (!match) {
        if (service.placeholder) {
          // Even a placeholder tells nothing to a caller without a valid token.
          ctx = await this.authenticateOrThrow(token)
          throw new NotImplemented(`The ${service.type} service is not implemented yet in this Stackling release.`)
        }
        throw new NotFound('The resource could not be found.')
      }
      if ('methodNotAllowed' in match) {
        const err = new MethodNotAllowed(`The method ${raw.method} is not allowed for this resource.`)
        err.headers.Allow = match.methodNotAllowed.join(', ')
        throw err
      }
      const options = match.route.options
      if (options.policy !== 'public') ctx = await this.authenticateOrThrow(token)
      else if (options.auth === 'optional' && token) ctx = await this.authenticateOrAnonymous(token)
      // A project id in the URL (Cinder's /v3/{project_id}/…) must be the token's, as Cinder checks, so a member's
      // URL never chooses the project a request acts in (admins act across projects anyway).
      const urlProject = service.urlProjectParam ? match.params[service.urlProjectParam] : undefined
      if (urlProject !== undefined && ctx?.projectId && urlProject !== ctx.projectId && !isAdmin(ctx)) {
        throw new BadRequest(`Malformed request URL: the URL's project_id '${urlProject}' does not match the token's project_id '${ctx.projectId}'.`)
      }
      const body = options.body ? await readJsonBody(raw, service.maxBodyBytes, options.bodyTypes) : undefined
      if (options.body) validateBody(options.body, body)
      const req: ApiRequest = {
        id: requestId,
        method: raw.method as HttpMethod,
        path: subPath,
        params: match.params,
        query: url.searchParams,
        headers: raw.headers,
        ctx: ctx as AuthContext,
        token: token ?? '',
        body,
        baseUrl: this.deps.baseUrl(),
        serviceUrl: this.deps.baseUrl() + service.prefix,
        log: this.deps.log,
        microversion: pre?.microversion,
        raw,
        res,
      }
      const resource = await this.authorize(req, match)
      const reply = await match.route.handler(req, resource)
      if (!res.headersSent) this.send(res, raw.method === 'HEAD', reply)
      finish(reply.status)
    } catch (err) {
      const apiError = err instanceof ApiError ? err : new InternalError(requestId)
      if (!(err instanceof ApiError)) {
        this.deps.log.error('unhandled error', {
          request_id: requestId,
          error: (err as Error)?.stack ?? String(err),
        })
      }
      if (!res.headersSent) {
        const fault = service ? service.renderFault(apiError, requestId) : plainFault(apiError)
        const headers: Record<string, string> = { 'Content-Type': fault.contentType, ...apiError.headers }
        if (apiError.status === 413) headers.Connection = 'close'
        this.send(res, raw.method === 'HEAD', { status: apiError.status, text: fault.body, headers })
      } else {
        res.destroy()
      }
      // A body we did not read must not poison the keep-alive connection.
      if (!raw.complete) raw.resume()
      finish(apiError.status)
    }
  }

  /** Loads the target resource and enforces the route's policy. A foreign project's resource is a 404. */
  private async authorize(req: ApiRequest, match: RouteMatch): Promise<unknown> {
    const { options } = match.route
    if (options.policy === 'public') return undefined
    const resource = options.load ? await options.load(req) : undefined
    const target = options.target
      ? options.target(req, resource)
      : { project_id: req.ctx.projectId, domain_id: req.ctx.projectDomainId ?? req.ctx.domainId, user_id: req.ctx.userId }
    if (!this.deps.policy.check(req.ctx, options.policy, target)) {
      const foreign = options.load && target.project_id !== undefined && target.project_id !== req.ctx.projectId
      if (foreign && options.hidden) throw options.hidden(req)
      this.deps.policy.enforce(req.ctx, options.policy, target)
    }
    return resource
  }

  private async authenticateOrThrow(token: string | undefined): Promise<AuthContext> {
    if (!token) throw this.unauthorized(new Unauthorized())
    try {
      return await this.deps.authenticator().authenticate(token)
    } catch (err) {
      throw err instanceof Unauthorized ? this.unauthorized(err) : err
    }
  }

  /** Optional auth: a token that does not validate makes the caller anonymous (Swift's delay_auth_decision). */
  private async authenticateOrAnonymous(token: string): Promise<AuthContext | undefined> {
    try {
      return await this.deps.authenticator().authenticate(token)
    } catch (err) {
      if (err instanceof Unauthorized) return undefined
      throw err
    }
  }

  private unauthorized(err: ApiError): ApiError {
    err.headers['WWW-Authenticate'] = `Keystone uri="${this.deps.baseUrl()}/identity"`
    return err
  }

  private send(res: ServerResponse, head: boolean, reply: Reply): void {
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v)
    if (reply.stream) {
      res.writeHead(reply.status)
      if (head) {
        reply.stream.destroy()
        res.end()
      } else reply.stream.pipe(res)
      return
    }
    let payload: string | Buffer | undefined = reply.text
    if (payload === undefined && reply.body !== undefined) {
      payload = JSON.stringify(reply.body)
      if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json')
    }
    if (payload === undefined || reply.status === 204 || reply.status === 304) {
      if (reply.status !== 204 && reply.status !== 304) res.setHeader('Content-Length', 0)
      res.writeHead(reply.status)
      res.end()
      return
    }
    res.setHeader('Content-Length', Buffer.byteLength(payload))
    res.writeHead(reply.status)
    res.end(head ? undefined : payload)
  }
}

function hostAllowed(host: string | undefined): boolean {
  if (!host) return true
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!
  return ALLOWED_HOSTS.has(name.toLowerCase())
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function plainFault(err: ApiError): { contentType: string; body: string } {
  return { contentType: 'application/json', body: JSON.stringify({ error: { code: err.status, message: err.message } }) }
}

/** Reads a JSON body: 415 unless it says JSON, 413 over `limit` bytes, 400 when it does not parse. */
export async function readJsonBody(raw: IncomingMessage, limit: number, types?: string[]): Promise<unknown> {
  const type = (raw.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  const declared = Number(raw.headers['content-length'] ?? NaN)
  if (declared > limit) throw new PayloadTooLarge(`Request is too large: the body may be at most ${limit} bytes.`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new PayloadTooLarge(`Request is too large: the body may be at most ${limit} bytes.`)
    chunks.push(chunk)
  }
  if (size === 0) throw new BadRequest('The request body is empty; a JSON body is required.', '(body)')
  const accepted = types ? types.includes(type) : type === 'application/json' || type.endsWith('+json')
  if (!accepted) {
    throw new UnsupportedMediaType(`Unsupported Content-Type '${type || '(none)'}': send ${types?.join(' or ') ?? 'application/json'}.`)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new BadRequest('Malformed request body: it is not valid JSON.', '(body)')
  }
}
