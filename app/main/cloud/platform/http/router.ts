import type { PolicyTarget } from '../policy'
import type { JsonSchema } from './validation'
import type { ApiRequest, HttpMethod, Reply } from './types'

/**
 * How a route is protected. `public` routes (version discovery, token issue) run without a token; every other
 * route names a policy action that the router enforces before the handler, against the target that `load`
 * returns (or the caller's own project for collection calls).
 */
export interface RouteOptions<R> {
  policy: string | 'public'
  /**
   * With policy `public` only: `optional` authenticates the token when one is sent (an invalid one leaves the
   * caller anonymous) and leaves every access decision to the handler (Swift's ACLs, public containers, TempURL).
   */
  auth?: 'optional'
  /** JSON body schema; a route with one gets its body parsed (415/413/400) and validated before it runs. */
  body?: JsonSchema
  /** Content types the JSON body may declare (default: application/json and any +json). */
  bodyTypes?: string[]
  /** The body is read by the handler itself (streams); no parsing, no size cap. */
  rawBody?: boolean
  /**
   * Loads the resource the call is about; throws NotFound when it does not exist. If the policy then fails
   * and the resource belongs to another project than the caller's, the caller gets the same NotFound (as
   * OpenStack does: no hint that it exists).
   */
  load?: (req: ApiRequest) => Promise<R>
  target?: (req: ApiRequest, resource: R) => PolicyTarget
  /** Builds the NotFound to answer when a foreign resource is hidden. Required with `load`. */
  hidden?: (req: ApiRequest) => Error
}

export type Handler<R> = (req: ApiRequest<any>, resource: R) => Promise<Reply> | Reply

export interface Route<R = any> {
  method: HttpMethod
  pattern: string
  regex: RegExp
  keys: string[]
  options: RouteOptions<R>
  handler: Handler<R>
}

export interface RouteMatch {
  route: Route
  params: Record<string, string>
}

/** A service's routing table. Patterns: /v3/projects/:project_id; a trailing `*` matches the rest. */
export class Router {
  readonly routes: Route[] = []

  add<R = undefined>(method: HttpMethod, pattern: string, options: RouteOptions<R>, handler: Handler<R>): this {
    const keys: string[] = []
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1))
          return '([^/]+)'
        }
        if (seg === '*') {
          keys.push('rest')
          return '(.*)'
        }
        return seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      })
      .join('/')
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}/?$`), keys, options, handler })
    return this
  }

  get<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('GET', p, o, h)
  }
  head<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('HEAD', p, o, h)
  }
  post<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('POST', p, o, h)
  }
  put<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('PUT', p, o, h)
  }
  patch<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('PATCH', p, o, h)
  }
  delete<R = undefined>(p: string, o: RouteOptions<R>, h: Handler<R>): this {
    return this.add('DELETE', p, o, h)
  }

  /**
   * Finds the route for method + path. HEAD falls back to GET. Returns `methodNotAllowed` when the path
   * exists under other methods, so the gateway can answer 405 rather than 404.
   */
  match(method: string, path: string): RouteMatch | { methodNotAllowed: string[] } | undefined {
    const allowed: string[] = []
    let headFallback: RouteMatch | undefined
    for (const route of this.routes) {
      const m = route.regex.exec(path)
      if (!m) continue
      const params: Record<string, string> = {}
      route.keys.forEach((k, i) => {
        params[k] = safeDecode(m[i + 1] ?? '')
      })
      if (route.method === method) return { route, params }
      if (method === 'HEAD' && route.method === 'GET' && !headFallback) headFallback = { route, params }
      allowed.push(route.method)
    }
    if (headFallback) return headFallback
    return allowed.length ? { methodNotAllowed: [...new Set(allowed)] } : undefined
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
