import type { SqlExecutor } from '../../../platform/db/database'
import type { ApiRequest } from '../../../platform/http/types'
import type { IdentityManager } from '../identity-manager'
import type { IdentityRepository } from '../identity-repository'

/** What the identity route modules share. */
export interface IdentityApi {
  repo: IdentityRepository
  manager: IdentityManager
  /** Runs one transaction, then drops every cached token validation (roles, users or tokens may have changed). */
  mutate<T>(body: (tx: SqlExecutor) => Promise<T>): Promise<T>
}

export const v3Url = (req: ApiRequest): string => `${req.serviceUrl}/v3`

/** The collection URL with the request's query, for list `links.self`. */
export const selfUrl = (req: ApiRequest): string => {
  const q = req.query.toString()
  return `${req.serviceUrl}${req.path}${q ? `?${q}` : ''}`
}

/** Keystone query booleans: "true"/"True"/"1" and the bare key mean true. */
export function queryBool(req: ApiRequest, key: string): boolean | undefined {
  if (!req.query.has(key)) return undefined
  const v = (req.query.get(key) ?? '').toLowerCase()
  return v === '' || v === 'true' || v === '1' || v === 'yes'
}

export { listLinks } from './views'
