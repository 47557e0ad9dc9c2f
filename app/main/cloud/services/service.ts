import type { Check } from '../platform/policy'
import type { Migration } from '../platform/db/migrations'
import type { ApiError } from '../platform/errors'
import type { Router } from '../platform/http/router'
import type { Database } from '../platform/db/database'
import type { DataPaths } from '../platform/paths'
import type { Logger } from '../platform/log'
import type { PolicyEnforcer } from '../platform/policy'
import type { CloudConfig } from '../platform/config'
import type { ServiceClients } from './clients'

/** A catalog entry: a service may be listed under several types (Cinder is both volumev3 and block-storage). */
export interface CatalogEntry {
  type: string
  name: string
  /** Path below the cloud's base URL; `{project_id}` is replaced with the token's project. */
  path: string
}

/** What every service is. One folder under services/ provides one, through its index.ts factory. */
export interface Service {
  readonly type: string
  /** URL prefix on the one HTTP endpoint, as DevStack lays it out: /identity, /compute, … */
  readonly prefix: string
  readonly catalog: readonly CatalogEntry[]
  readonly router: Router
  readonly policies: Record<string, Check>
  readonly migrations: readonly Migration[]
  /** Largest JSON body the service accepts (bytes); larger → 413. */
  readonly maxBodyBytes: number
  /** Route on the raw request path (no dot-segment resolution): names in the path are data (Swift objects). */
  readonly rawPaths?: boolean
  /** True while the service is only a placeholder: unknown routes answer 501 rather than 404. */
  readonly placeholder?: boolean
  /**
   * Runs before routing on every request to the service: returns headers for every answer (errors too) and the
   * negotiated microversion; throws an ApiError (e.g. 406) to refuse the request.
   */
  /**
   * The route parameter that carries a project id in this service's URLs (Cinder's /v3/{project_id}/…): the gateway
   * answers 400 when it is not the token's project (admins excepted), so a URL never picks the project a member acts in.
   */
  urlProjectParam?: string
  preflight?(raw: import('node:http').IncomingMessage): { headers: Record<string, string>; microversion?: string }
  /**
   * Handles a websocket upgrade below the prefix (consoles, the cloud shell); returns false when the path is not
   * its. The gateway checks no token here: `auth` validates one when the service's protocol carries it.
   */
  upgrade?(
    raw: import('node:http').IncomingMessage,
    socket: import('node:stream').Duplex,
    head: Buffer,
    subPath: string,
    auth?: import('../platform/http/gateway').Authenticator,
  ): boolean
  /** This service's OpenStack error body for `err` (content type and text). */
  renderFault(err: ApiError, requestId: string): { contentType: string; body: string }
  /** After migrations: reconcile rows with reality, seed first-start data. */
  start?(): Promise<void>
  /** Idempotent. */
  stop?(): Promise<void>
  /** What this service offers the others (see clients.ts). */
  readonly client?: unknown
}

/** What a service factory receives. Services talk to each other only through `clients`, never through tables. */
export interface ServiceDeps {
  db: Database
  paths: DataPaths
  log: Logger
  policy: PolicyEnforcer
  config: CloudConfig
  /** http://127.0.0.1:PORT */
  baseUrl(): string
  /** Every service's catalog entries (for identity's catalog). */
  catalog(): readonly CatalogEntry[]
  /** Internal clients of the other services; usable from start() on. */
  clients: ServiceClients
}
