import { randomBytes } from 'node:crypto'
import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import type { AppCredential } from '../models'
import { hashPassword } from '../password-hasher'
import { type IdentityApi, listLinks, selfUrl, v3Url } from './deps'
import { conflict } from './projects.routes'
import { appCredView } from './views'

const ROLE_REF = S.object({ id: S.string(1, 64), name: S.string(1, 255) }, [], false)
const CREATE = S.wrapped(
  'application_credential',
  S.object(
    {
      name: S.name(255),
      description: S.nullableString(255),
      secret: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
      expires_at: { type: ['string', 'null'], maxLength: 64 },
      roles: { type: 'array', items: ROLE_REF },
      unrestricted: { type: ['boolean', 'null'] },
      access_rules: { type: 'array', maxItems: 0 },
    },
    ['name'],
    false,
  ),
)
type Body = { application_credential: { name: string; description?: string | null; secret?: string | null; expires_at?: string | null; roles?: { id?: string; name?: string }[]; unrestricted?: boolean | null } }

/** Application credentials: a named secret that logs in as its user on one project with a subset of roles. */
export function registerAppCredentialRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const owner = (policy: string) => ({ policy, target: (req: ApiRequest) => ({ user_id: req.params.user_id }) })
  const one = (policy: string) => ({
    policy,
    load: async (req: ApiRequest) => {
      const a = await repo.getAppCred(req.params.cred_id!)
      if (!a || a.user_id !== req.params.user_id) throw new ResourceNotFound('application credential', req.params.cred_id!)
      return a
    },
    target: (_req: ApiRequest, a: AppCredential) => ({ user_id: a.user_id }),
  })

  router.get('/v3/users/:user_id/application_credentials', owner('identity:list_application_credentials'), async (req) => {
    const list = await repo.listAppCreds(req.params.user_id!, req.query.get('name') ?? undefined)
    return json(200, { application_credentials: list.map((a) => appCredView(a, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.post('/v3/users/:user_id/application_credentials', { ...owner('identity:create_application_credential'), body: CREATE }, async (req: ApiRequest<Body>) => {
    if (!req.ctx.projectId) throw new Forbidden('Application credentials need a project-scoped token.')
    if (req.ctx.applicationCredentialId) throw new Forbidden('An application credential cannot create another one.')
    const b = req.body.application_credential
    if (b.expires_at && Number.isNaN(Date.parse(b.expires_at))) throw new BadRequest('expires_at must be an ISO 8601 time.', 'application_credential/expires_at')
    if (b.expires_at && Date.parse(b.expires_at) <= Date.now()) throw new BadRequest('The expiration time is in the past.', 'application_credential/expires_at')
    const held = req.ctx.roleRefs
    let roles = held.map((r) => ({ id: r.id, name: r.name }))
    if (b.roles?.length) {
      roles = b.roles.map((want) => {
        const found = held.find((h) => (want.id && h.id === want.id) || (want.name && h.name === want.name))
        if (!found) throw new Forbidden(`You do not hold the role ${want.name ?? want.id} on this project, so the credential cannot have it.`)
        return { id: found.id, name: found.name }
      })
    }
    const secret = b.secret ?? randomBytes(48).toString('base64url')
    const cred: AppCredential = {
      id: newId(),
      name: b.name,
      user_id: req.ctx.userId,
      project_id: req.ctx.projectId,
      description: b.description ?? null,
      secret_hash: await hashPassword(secret),
      expires_at: b.expires_at ?? null,
      unrestricted: !!b.unrestricted,
      roles,
    }
    await api.mutate((tx) => repo.insertAppCred(tx, cred)).catch(conflict(`Conflict occurred attempting to store application credential - Duplicate entry found with name ${b.name}.`))
    return json(201, { application_credential: appCredView(cred, v3Url(req), secret) })
  })
  router.get('/v3/users/:user_id/application_credentials/:cred_id', one('identity:get_application_credential'), (req, a) =>
    json(200, { application_credential: appCredView(a, v3Url(req)) }),
  )
  router.delete('/v3/users/:user_id/application_credentials/:cred_id', one('identity:delete_application_credential'), async (_req, a) => {
    await api.mutate((tx) => repo.deleteAppCred(tx, a.id))
    return noContent()
  })
}
