import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { AuthenticationFailed, ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import { DEFAULT_DOMAIN_ID, type User } from '../models'
import { hashPassword, verifyPassword } from '../password-hasher'
import { type IdentityApi, listLinks, queryBool, selfUrl, v3Url } from './deps'
import { conflict } from './projects.routes'
import { userView } from './views'

const USER_FIELDS = {
  name: S.name(255),
  domain_id: { type: 'string', minLength: 1, maxLength: 64 },
  default_project_id: { type: ['string', 'null'], maxLength: 64 },
  password: { type: ['string', 'null'], maxLength: 4096 },
  description: S.nullableString(65535),
  email: S.nullableString(255),
  enabled: S.boolean,
  options: { type: 'object' },
  federated: { type: 'array' },
}
const CREATE = S.wrapped('user', S.object(USER_FIELDS, ['name']))
const UPDATE = S.wrapped('user', { ...S.object(USER_FIELDS), minProperties: 1 })
const PASSWORD = S.wrapped('user', S.object({ original_password: S.string(0, 4096), password: S.string(1, 4096) }, ['original_password', 'password'], false))

type UserBody = { user: Partial<Record<keyof typeof USER_FIELDS, any>> & Record<string, unknown> }
const KNOWN = new Set(Object.keys(USER_FIELDS).concat(['id', 'links', 'password_expires_at']))
const extraOf = (b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).filter(([k]) => !KNOWN.has(k)))

export function registerUserRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const one = (policy: string) => ({
    policy,
    load: async (req: ApiRequest) => {
      const u = await repo.getUser(req.params.user_id!)
      if (!u) throw new ResourceNotFound('user', req.params.user_id!)
      return u
    },
    target: (_req: ApiRequest, u: User) => ({ user_id: u.id, domain_id: u.domain_id }),
  })

  const checkDefaultProject = async (id: string | null | undefined) => {
    if (id && !(await repo.getProject(id))) throw new BadRequest(`Could not find project: ${id}.`, 'user/default_project_id')
  }

  router.get('/v3/users', { policy: 'identity:list_users' }, async (req) => {
    const enabled = queryBool(req, 'enabled')
    const users = await repo.listUsers({
      name: req.query.get('name') ?? undefined,
      domain_id: req.query.get('domain_id') ?? undefined,
      enabled: enabled === undefined ? undefined : enabled ? 1 : 0,
    })
    return json(200, { users: users.map((u) => userView(u, v3Url(req))), links: listLinks(selfUrl(req)) })
  })

  router.post('/v3/users', { policy: 'identity:create_user', body: CREATE }, async (req: ApiRequest<UserBody>) => {
    const b = req.body.user
    const domainId = b.domain_id ?? req.ctx.projectDomainId ?? DEFAULT_DOMAIN_ID
    if (!(await repo.getDomain(domainId))) throw new BadRequest(`Could not find domain: ${domainId}.`, 'user/domain_id')
    await checkDefaultProject(b.default_project_id)
    const user: User = {
      id: newId(),
      name: b.name,
      domain_id: domainId,
      default_project_id: b.default_project_id ?? null,
      description: b.description ?? null,
      email: b.email ?? null,
      enabled: b.enabled ?? true,
      password_hash: typeof b.password === 'string' ? await hashPassword(b.password) : null,
      password_changed_at: typeof b.password === 'string' ? new Date().toISOString() : null,
      extra: extraOf(b),
    }
    await api.mutate((tx) => repo.insertUser(tx, user)).catch(conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${user.name} at domain ID ${domainId}.`))
    return json(201, { user: userView(user, v3Url(req)) })
  })

  router.get('/v3/users/:user_id', one('identity:get_user'), (req, u) => json(200, { user: userView(u, v3Url(req)) }))

  router.patch('/v3/users/:user_id', { ...one('identity:update_user'), body: UPDATE }, async (req: ApiRequest<UserBody>, u) => {
    const b = req.body.user
    if (b.domain_id !== undefined && b.domain_id !== u.domain_id) throw new BadRequest('Cannot change Domain ID', 'user/domain_id')
    if (b.default_project_id !== undefined) await checkDefaultProject(b.default_project_id)
    const passwordChanged = b.password !== undefined
    const updated: User = {
      ...u,
      name: b.name ?? u.name,
      default_project_id: b.default_project_id === undefined ? u.default_project_id : b.default_project_id,
      description: b.description === undefined ? u.description : b.description,
      email: b.email === undefined ? u.email : b.email,
      enabled: b.enabled ?? u.enabled,
      password_hash: passwordChanged ? (typeof b.password === 'string' ? await hashPassword(b.password) : null) : u.password_hash,
      password_changed_at: passwordChanged ? new Date().toISOString() : u.password_changed_at,
      extra: { ...u.extra, ...extraOf(b) },
    }
    await api
      .mutate(async (tx) => {
        await repo.updateUser(tx, updated)
        // A disabled user or a new password ends every token the user holds.
        if (passwordChanged || (u.enabled && !updated.enabled)) await repo.revokeUserTokens(tx, u.id)
      })
      .catch(conflict(`Conflict occurred attempting to store user - Duplicate entry found with name ${updated.name} at domain ID ${u.domain_id}.`))
    return json(200, { user: userView(updated, v3Url(req)) })
  })

  router.delete('/v3/users/:user_id', one('identity:delete_user'), async (_req, u) => {
    await api.mutate((tx) => repo.deleteUser(tx, u.id))
    return noContent()
  })

  router.post(
    '/v3/users/:user_id/password',
    { ...one('identity:change_password'), body: PASSWORD },
    async (req: ApiRequest<{ user: { original_password: string; password: string } }>, u) => {
      if (!(await verifyPassword(req.body.user.original_password, u.password_hash))) throw new AuthenticationFailed()
      const hash = await hashPassword(req.body.user.password)
      await api.mutate(async (tx) => {
        await repo.updateUser(tx, { ...u, password_hash: hash, password_changed_at: new Date().toISOString() })
        await repo.revokeUserTokens(tx, u.id)
      })
      return noContent()
    },
  )
}
