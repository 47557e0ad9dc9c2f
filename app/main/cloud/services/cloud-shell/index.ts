import { Router } from '../../platform/http/router'
import type { Authenticator } from '../../platform/http/gateway'
import type { Service, ServiceDeps } from '../service'
import { PtySessions, type ShellIdentity } from './pty-sessions'
import { ShellSocketServer } from './shell-socket'

/**
 * The cloud shell at /cloud-shell: a websocket (`/cloud-shell/v1/socket`) to a pty running the user's shell, with the
 * OpenStack clients pointed at the dashboard user's own token. Not an OpenStack API: no catalog entry, no routes.
 */
export async function createCloudShellService(deps: ServiceDeps): Promise<Service> {
  const sessions = new PtySessions(deps.paths.root)
  let authenticator: Authenticator | undefined
  const resolve = async (token: string): Promise<ShellIdentity> => {
    if (!authenticator) throw new Error('identity is not ready')
    const ctx = await authenticator.authenticate(token)
    if (!ctx.projectId) throw new Error('the cloud shell needs a project-scoped token')
    return {
      token,
      userName: ctx.userName,
      projectId: ctx.projectId,
      projectName: ctx.projectName ?? ctx.projectId,
      authUrl: `${deps.baseUrl()}/identity/v3`,
      storageUrl: storageUrl(deps, ctx.projectId),
      expiresAt: ctx.expiresAt.toISOString(),
    }
  }
  const socket = new ShellSocketServer(sessions, resolve, () => deps.baseUrl(), deps.log.child({ component: 'cloud-shell' }))
  return {
    type: 'cloud-shell',
    prefix: '/cloud-shell',
    catalog: [],
    router: new Router(),
    policies: {},
    migrations: [],
    maxBodyBytes: 0,
    renderFault: (err) => ({ contentType: 'application/json', body: JSON.stringify({ error: { code: err.status, message: err.message } }) }),
    upgrade(raw, sock, head, subPath, auth) {
      if (subPath !== '/v1/socket' || !auth) return false
      authenticator = auth
      socket.handleUpgrade(raw, sock, head)
      return true
    },
    async start() {
      // Folders of shells a crash interrupted hold tokens: they go before anything else.
      await sessions.removeStale()
    },
    async stop() {
      socket.close()
      sessions.closeAll()
    },
  }
}

/** The project's Swift account URL from the catalog (undefined while no object store is listed). */
export function storageUrl(deps: Pick<ServiceDeps, 'catalog' | 'baseUrl'>, projectId: string): string | undefined {
  const entry = deps.catalog().find((e) => e.type === 'object-store')
  return entry ? deps.baseUrl() + entry.path.replace('{project_id}', projectId) : undefined
}
