import type { AuthContext } from '../../../platform/auth-context'
import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { AuthenticationFailed, TokenNotFound } from '../errors'
import type { ScopeRequest } from '../identity-manager'
import { verifyPassword } from '../password-hasher'
import { type IdentityApi, listLinks, queryBool, selfUrl, v3Url } from './deps'
import { domainView, projectView, tokenView } from './views'

const domainRef = S.object({ id: S.string(1, 64), name: S.string(1, 64) })
const userRef = S.object({ id: S.string(1, 64), name: S.string(1, 255), domain: domainRef, password: { type: 'string', maxLength: 4096 } })

const AUTH_SCHEMA = S.wrapped(
  'auth',
  S.object(
    {
      identity: S.object(
        {
          methods: { type: 'array', minItems: 1, items: { type: 'string', enum: ['password', 'token', 'application_credential'] } },
          password: S.object({ user: userRef }, ['user']),
          token: S.object({ id: S.string(1, 1024) }, ['id']),
          application_credential: S.object({
            id: S.string(1, 64),
            name: S.string(1, 255),
            secret: S.string(1, 4096),
            user: userRef,
          }, ['secret']),
        },
        ['methods'],
      ),
      scope: {
        anyOf: [
          { type: 'string', enum: ['unscoped'] },
          S.object({
            project: S.object({ id: S.string(1, 64), name: S.string(1, 64), domain: domainRef }),
            domain: domainRef,
            system: { type: 'object' },
            'OS-TRUST:trust': { type: 'object' },
          }),
        ],
      },
    },
    ['identity'],
  ),
)

interface AuthBody {
  auth: {
    identity: {
      methods: string[]
      password?: { user: { id?: string; name?: string; domain?: { id?: string; name?: string }; password?: string } }
      token?: { id: string }
      application_credential?: { id?: string; name?: string; secret: string; user?: { id?: string; name?: string; domain?: { id?: string; name?: string } } }
    }
    scope?: 'unscoped' | { project?: { id?: string; name?: string; domain?: { id?: string; name?: string } }; domain?: { id?: string; name?: string }; system?: object }
  }
}

function parseScope(scope: AuthBody['auth']['scope']): ScopeRequest {
  if (scope === undefined) return { kind: 'default' }
  if (scope === 'unscoped') return { kind: 'unscoped' }
  const kinds = ['project', 'domain', 'system', 'OS-TRUST:trust'].filter((k) => k in scope)
  if (kinds.length > 1) throw new BadRequest('Specify either a project or a domain scope, not both.', 'auth/scope')
  if (scope.project) return { kind: 'project', ...scope.project }
  if (scope.domain) return { kind: 'domain', ...scope.domain }
  if (scope.system) throw new BadRequest('System-scoped tokens are not supported by Stackling; scope to a project instead.', 'auth/scope/system')
  if ('OS-TRUST:trust' in scope) throw new BadRequest('Trusts are not supported by Stackling.', 'auth/scope/OS-TRUST:trust')
  return { kind: 'default' }
}

function subjectToken(req: ApiRequest): string {
  const h = req.headers['x-subject-token']
  const token = Array.isArray(h) ? h[0] : h
  if (!token) throw new BadRequest('X-Subject-Token header is required.', 'X-Subject-Token')
  return token
}

export function registerAuthRoutes(router: Router, api: IdentityApi): void {
  const { manager, repo } = api

  router.post('/v3/auth/tokens', { policy: 'public', body: AUTH_SCHEMA }, async (req: ApiRequest<AuthBody>) => {
    const { identity, scope } = req.body.auth
    const methods = [...new Set(identity.methods)]
    if (methods.length !== 1) throw new BadRequest('Exactly one authentication method is supported per request.', 'auth/identity/methods')
    const method = methods[0]!
    const requested = parseScope(scope)
    let issued
    if (method === 'password') {
      const user = identity.password?.user
      if (!user) throw new BadRequest("Invalid input for field 'identity/password': 'user' is a required property", 'auth/identity/password')
      if (typeof user.password !== 'string') throw new BadRequest("Invalid input for field 'identity/password/user': 'password' is a required property", 'auth/identity/password/user/password')
      const found = await manager.authenticatePassword(user, user.password)
      issued = await manager.issue(found, requested, ['password'])
    } else if (method === 'token') {
      if (!identity.token) throw new BadRequest("Invalid input for field 'identity': 'token' is a required property", 'auth/identity/token')
      let prior
      try {
        prior = await manager.validate(identity.token.id)
      } catch (err) {
        if (err instanceof TokenNotFound) throw new AuthenticationFailed()
        throw err
      }
      if (prior.applicationCredentialId) throw new AuthenticationFailed()
      const user = await repo.getUser(prior.userId)
      if (!user) throw new AuthenticationFailed()
      issued = await manager.issue(user, requested, ['token', ...prior.methods.filter((m) => m !== 'token')], {
        expiresAt: prior.expiresAt,
        auditIds: prior.auditIds.slice(0, 1),
      })
    } else {
      const ac = identity.application_credential
      if (!ac) throw new BadRequest("Invalid input for field 'identity': 'application_credential' is a required property", 'auth/identity/application_credential')
      let cred = ac.id ? await repo.getAppCred(ac.id) : undefined
      if (!ac.id) {
        if (!ac.name || !ac.user) throw new BadRequest('An application credential needs its id, or its name and user.', 'auth/identity/application_credential')
        const owner = await manager.findUser(ac.user)
        cred = owner ? await repo.getAppCredByName(owner.id, ac.name) : undefined
      }
      const ok = await verifyPassword(ac.secret, cred?.secret_hash)
      if (!cred || !ok || (cred.expires_at && Date.parse(cred.expires_at) <= Date.now())) throw new AuthenticationFailed()
      const user = await repo.getUser(cred.user_id)
      if (!user || !user.enabled) throw new AuthenticationFailed()
      issued = await manager.issue(user, requested, ['application_credential'], {
        appCred: { id: cred.id, projectId: cred.project_id, roleIds: cred.roles.map((r) => r.id) },
      })
    }
    const catalog = queryBool(req, 'nocatalog') ? undefined : manager.catalog(req.baseUrl, issued.ctx.projectId)
    return json(201, tokenView(issued.ctx, catalog), { 'X-Subject-Token': issued.token })
  })

  const tokenTarget = async (req: ApiRequest) => {
    try {
      return await manager.validate(subjectToken(req))
    } catch (err) {
      if (err instanceof TokenNotFound) return undefined
      throw err
    }
  }
  const subjectOptions = (policy: string) => ({
    policy,
    load: tokenTarget,
    target: (req: ApiRequest, subject: Awaited<ReturnType<typeof tokenTarget>>) => ({ user_id: subject?.userId ?? req.ctx.userId }),
  })

  // Validation is the hot path of every other service's clients: keep the rendered body with the cached
  // context. The manager hands out a new context object after any identity write, so this never goes stale.
  const rendered = new WeakMap<AuthContext, Map<string, string>>()
  router.get('/v3/auth/tokens', subjectOptions('identity:validate_token'), (req, subject) => {
    if (!subject) throw new TokenNotFound()
    const nocatalog = queryBool(req, 'nocatalog') ?? false
    const key = `${req.baseUrl}|${nocatalog}`
    let bodies = rendered.get(subject)
    if (!bodies) rendered.set(subject, (bodies = new Map()))
    let text = bodies.get(key)
    if (text === undefined) {
      text = JSON.stringify(tokenView(subject, nocatalog ? undefined : manager.catalog(req.baseUrl, subject.projectId)))
      bodies.set(key, text)
    }
    return { status: 200, text, headers: { 'Content-Type': 'application/json', 'X-Subject-Token': subjectToken(req) } }
  })
  router.head('/v3/auth/tokens', subjectOptions('identity:check_token'), (req, subject) => {
    if (!subject) throw new TokenNotFound()
    return { status: 200, headers: { 'X-Subject-Token': subjectToken(req) } }
  })
  router.delete('/v3/auth/tokens', subjectOptions('identity:revoke_token'), async (req, subject) => {
    if (!subject) throw new TokenNotFound()
    await manager.revoke(subjectToken(req))
    return noContent()
  })

  router.get('/v3/auth/catalog', { policy: 'identity:get_auth_catalog' }, (req) => {
    if (!req.ctx.projectId && !req.ctx.domainId) throw new AuthenticationFailed()
    return json(200, { catalog: manager.catalog(req.baseUrl, req.ctx.projectId), links: { self: selfUrl(req) } })
  })
  router.get('/v3/auth/projects', { policy: 'identity:get_auth_projects' }, async (req) => {
    const ids = await repo.projectIdsOfUser(req.ctx.userId)
    const projects = (await repo.listProjectsByIds(ids)).filter((p) => p.enabled)
    return json(200, { projects: projects.map((p) => projectView(p, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.get('/v3/auth/domains', { policy: 'identity:get_auth_domains' }, async (req) => {
    const ids = await repo.domainIdsOfUser(req.ctx.userId)
    const domains = (await Promise.all(ids.map((id) => repo.getDomain(id)))).filter((d) => d?.enabled)
    return json(200, { domains: domains.map((d) => domainView(d!, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.get('/v3/auth/system', { policy: 'identity:get_auth_system' }, (req) =>
    json(200, { system: [], links: listLinks(selfUrl(req)) }),
  )
}
