import type { ApiError } from '../platform/errors'
import { Router } from '../platform/http/router'
import { json, type ApiRequest } from '../platform/http/types'
import type { CatalogEntry, Service } from './service'

export interface PlaceholderSpec {
  type: string
  prefix: string
  catalog: CatalogEntry[]
  renderFault: (err: ApiError, requestId: string) => { contentType: string; body: string }
  /** Version discovery: path below the prefix → (status, body). These answer even before the service exists. */
  versions: Record<string, (req: ApiRequest) => { status: number; body: unknown }>
}

/**
 * A service whose API a later release fills in: it is in the catalog, answers its version discovery document,
 * and answers every other call with 501 in its own fault shape, so clients get a clear "not implemented".
 */
export function placeholderService(spec: PlaceholderSpec): Service {
  const router = new Router()
  for (const [path, doc] of Object.entries(spec.versions)) {
    router.get(path, { policy: 'public' }, (req) => {
      const { status, body } = doc(req)
      return json(status, body)
    })
  }
  return {
    type: spec.type,
    prefix: spec.prefix,
    catalog: spec.catalog,
    router,
    policies: {},
    migrations: [],
    maxBodyBytes: 1024 * 1024,
    placeholder: true,
    renderFault: spec.renderFault,
  }
}
