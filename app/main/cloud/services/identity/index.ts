import type { AuthContext } from '../../platform/auth-context'
import type { SqlExecutor } from '../../platform/db/database'
import type { ApiError } from '../../platform/errors'
import type { Authenticator } from '../../platform/http/gateway'
import { keystoneFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import type { LocalSession } from '../../start-cloud'
import type { Service, ServiceDeps } from '../service'
import type { IdentityClient } from '../clients'
import { registerAppCredentialRoutes } from './api/app-credentials.routes'
import { registerAuthRoutes } from './api/auth.routes'
import { registerCatalogRoutes } from './api/catalog.routes'
import type { IdentityApi } from './api/deps'
import { registerDomainRoutes } from './api/domains.routes'
import { registerGroupRoutes } from './api/groups.routes'
import { registerProjectRoutes } from './api/projects.routes'
import { registerRoleRoutes } from './api/roles.routes'
import { registerUserRoutes } from './api/users.routes'
import { registerVersionRoutes } from './api/versions.routes'
import { keystoneTime } from './api/views'
import { bootstrapIdentity, readCredentials, writeClientConfig } from './bootstrap'
import { IdentityManager } from './identity-manager'
import { IdentityRepository } from './identity-repository'
import { IDENTITY_MIGRATIONS } from './migrations'
import { DEFAULT_DOMAIN_ID } from './models'
import { IDENTITY_POLICIES } from './policies'

/** Keystone's default max_request_body_size. */
const MAX_BODY = 114_688

export interface IdentityService extends Service, Authenticator {
  readonly client: IdentityClient
  readonly firstStart: boolean
  localAdminSession(): Promise<LocalSession>
}

/** Identity (Keystone v3 subset) at /identity. Also the authenticator every other service relies on. */
export async function createIdentityService(deps: ServiceDeps): Promise<IdentityService> {
  const repo = new IdentityRepository(deps.db)
  const manager = new IdentityManager(repo, deps.catalog)
  const api: IdentityApi = {
    repo,
    manager,
    async mutate<T>(body: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      try {
        return await deps.db.transaction(body)
      } finally {
        manager.invalidate()
      }
    },
  }
  const router = new Router()
  registerVersionRoutes(router)
  registerAuthRoutes(router, api)
  registerDomainRoutes(router, api)
  registerProjectRoutes(router, api)
  registerUserRoutes(router, api)
  registerGroupRoutes(router, api)
  registerRoleRoutes(router, api)
  registerCatalogRoutes(router, manager)
  registerAppCredentialRoutes(router, api)

  let firstStart = false
  let purgeTimer: NodeJS.Timeout | undefined

  return {
    type: 'identity',
    prefix: '/identity',
    catalog: [{ type: 'identity', name: 'keystone', path: '/identity' }],
    router,
    policies: IDENTITY_POLICIES,
    migrations: IDENTITY_MIGRATIONS,
    maxBodyBytes: MAX_BODY,
    get firstStart() {
      return firstStart
    },
    renderFault: (err: ApiError) => keystoneFault(err),
    client: {
      projectIdByName: async (name, domainId = DEFAULT_DOMAIN_ID) => (await repo.getProjectByName(name, domainId))?.id,
      projectExists: async (id) => !!(await repo.getProject(id)),
    },
    authenticate: (token: string): Promise<AuthContext> => manager.authenticate(token),

    async start() {
      const created = await bootstrapIdentity(repo, deps.paths)
      firstStart = !!created
      const creds = created ?? (await readCredentials(deps.paths))
      if (creds) await writeClientConfig(deps.paths, creds, `${deps.baseUrl()}/identity`)
      else deps.log.warn('credentials.json is missing: clouds.yaml was not rewritten', { file: deps.paths.credentials })
      const purged = await manager.purgeExpired()
      if (purged) deps.log.info('purged expired tokens', { count: purged })
      purgeTimer = setInterval(() => void manager.purgeExpired().catch(() => undefined), 3600_000)
      purgeTimer.unref()
    },

    async stop() {
      if (purgeTimer) clearInterval(purgeTimer)
    },

    async localAdminSession(): Promise<LocalSession> {
      const user = await repo.getUserByName('admin', DEFAULT_DOMAIN_ID)
      const project = await repo.getProjectByName('admin', DEFAULT_DOMAIN_ID)
      if (!user || !project) throw new Error('The bootstrap admin user or project no longer exists.')
      const issued = await manager.issue(user, { kind: 'project', id: project.id }, ['password'])
      return {
        endpoint: deps.baseUrl(),
        token: issued.token,
        expiresAt: keystoneTime(issued.ctx.expiresAt),
        userName: user.name,
        projectName: project.name,
      }
    },
  }
}
