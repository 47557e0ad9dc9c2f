import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { AuthContext } from '../auth-context'
import type { Logger } from '../log'

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'COPY' | 'OPTIONS'

export interface ApiRequest<Body = unknown> {
  readonly id: string
  readonly method: HttpMethod
  /** Path below the service prefix, e.g. /v3/projects/abc. */
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly headers: IncomingMessage['headers']
  /** Set on every route that has a policy (all but the public ones); on optional-auth routes only with a valid token. */
  readonly ctx: AuthContext
  /** The raw X-Auth-Token of the caller, on authenticated routes. */
  readonly token: string
  readonly body: Body
  /** http://127.0.0.1:PORT, for links and catalog URLs. */
  readonly baseUrl: string
  /** The service's own root URL, e.g. http://127.0.0.1:PORT/identity. */
  readonly serviceUrl: string
  readonly log: Logger
  /** The negotiated microversion, for services that have them. */
  readonly microversion?: string
  readonly raw: IncomingMessage
  readonly res: ServerResponse
}

export interface Reply {
  status: number
  /** A JSON value to serialise, a pre-serialised string/Buffer, or a stream to pipe. */
  body?: unknown
  text?: string | Buffer
  stream?: Readable
  headers?: Record<string, string | string[] | number>
}

export function json(status: number, body: unknown, headers?: Reply['headers']): Reply {
  return { status, body, headers }
}

export function noContent(headers?: Reply['headers']): Reply {
  return { status: 204, headers }
}
