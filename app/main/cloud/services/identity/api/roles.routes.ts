import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import type { Assignment, AssignmentType, Role } from '../models'
import { type IdentityApi, listLinks, queryBool, selfUrl, v3Url } from './deps'
import { conflict } from './projects.routes'
import { roleView } from './views'

const ROLE_FIELDS = { name: S.name(255), description: S.nullableString(255), domain_id: { type: 'null' }, options: { type: 'object' } }
const CREATE = S.wrapped('role', S.object(ROLE_FIELDS, ['name']))
const UPDATE = S.wrapped('role', { ...S.object(ROLE_FIELDS), minProperties: 1 })

/** The roles Keystone's bootstrap creates; deleting them would lock everyone out. */
export const BUILTIN_ROLES = ['admin', 'member', 'reader'] as const

export function registerRoleRoutes(router: Router, api: IdentityApi): void {
  const { repo, manager } = api
  const loadRole = async (req: ApiRequest) => {
    const r = await repo.getRole(req.params.role_id!)
    if (!r) throw new ResourceNotFound('role', req.params.role_id!)
    return r
  }

  router.get('/v3/roles', { policy: 'identity:list_roles' }, async (req) => {
    const roles = await repo.listRoles({ name: req.query.get('name') ?? undefined })
    const list = req.query.get('domain_id') ? [] : roles
    return json(200, { roles: list.map((r) => roleView(r, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.post('/v3/roles', { policy: 'identity:create_role', body: CREATE }, async (req: ApiRequest<{ role: { name: string; description?: string | null } }>) => {
    const role: Role = { id: newId(), name: req.body.role.name, description: req.body.role.description ?? null }
    await api.mutate((tx) => repo.insertRole(tx, role)).catch(conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${role.name}.`))
    return json(201, { role: roleView(role, v3Url(req)) })
  })
  router.get('/v3/roles/:role_id', { policy: 'identity:get_role', load: loadRole }, (req, r) => json(200, { role: roleView(r, v3Url(req)) }))
  router.patch('/v3/roles/:role_id', { policy: 'identity:update_role', load: loadRole, body: UPDATE }, async (req: ApiRequest<{ role: { name?: string; description?: string | null } }>, r) => {
    if (req.body.role.name && req.body.role.name !== r.name && (BUILTIN_ROLES as readonly string[]).includes(r.name)) {
      throw new Forbidden(`The built-in role ${r.name} cannot be renamed.`)
    }
    const updated = { ...r, name: req.body.role.name ?? r.name, description: req.body.role.description === undefined ? r.description : req.body.role.description }
    await api.mutate((tx) => repo.updateRole(tx, updated)).catch(conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${updated.name}.`))
    return json(200, { role: roleView(updated, v3Url(req)) })
  })
  router.delete('/v3/roles/:role_id', { policy: 'identity:delete_role', load: loadRole }, async (_req, r) => {
    if ((BUILTIN_ROLES as readonly string[]).includes(r.name)) throw new Forbidden(`The built-in role ${r.name} cannot be deleted.`)
    await api.mutate((tx) => repo.deleteRole(tx, r.id))
    return noContent()
  })

  // Implied roles
  router.get('/v3/role_inferences', { policy: 'identity:list_role_inference_rules' }, async (req) => {
    const map = await manager.impliedMap()
    const out = []
    for (const [prior, implied] of map) {
      const p = await repo.getRole(prior)
      const implies = (await Promise.all(implied.map((id) => repo.getRole(id)))).filter((x): x is Role => !!x)
      if (p) out.push({ prior_role: ref(p, req), implies: implies.map((i) => ref(i, req)) })
    }
    return json(200, { role_inferences: out, links: { self: selfUrl(req) } })
  })
  router.put('/v3/roles/:prior_role_id/implies/:implied_role_id', { policy: 'identity:create_implied_role' }, async (req) => {
    const [p, i] = await Promise.all([repo.getRole(req.params.prior_role_id!), repo.getRole(req.params.implied_role_id!)])
    if (!p) throw new ResourceNotFound('role', req.params.prior_role_id!)
    if (!i) throw new ResourceNotFound('role', req.params.implied_role_id!)
    if (p.id === i.id) throw new BadRequest('A role cannot imply itself.', 'implied_role_id')
    await api.mutate((tx) => repo.insertImpliedRole(tx, p.id, i.id))
    return json(201, { role_inference: { prior_role: ref(p, req), implies: ref(i, req) }, links: { self: selfUrl(req) } })
  })

  registerGrantRoutes(router, api)
  registerRoleAssignmentList(router, api)
}

const ref = (r: Role, req: ApiRequest) => ({ id: r.id, name: r.name, links: { self: `${v3Url(req)}/roles/${r.id}` } })

/** PUT/HEAD/GET/DELETE /v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role_id}] */
function registerGrantRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const combos: { target: 'projects' | 'domains'; actor: 'users' | 'groups'; type: AssignmentType }[] = [
    { target: 'projects', actor: 'users', type: 'UserProject' },
    { target: 'projects', actor: 'groups', type: 'GroupProject' },
    { target: 'domains', actor: 'users', type: 'UserDomain' },
    { target: 'domains', actor: 'groups', type: 'GroupDomain' },
  ]
  for (const c of combos) {
    const base = `/v3/${c.target}/:target_id/${c.actor}/:actor_id/roles`
    const resolve = async (req: ApiRequest, withRole: boolean) => {
      const targetId = req.params.target_id!
      const actorId = req.params.actor_id!
      const target = c.target === 'projects' ? await repo.getProject(targetId) : await repo.getDomain(targetId)
      if (!target) throw new ResourceNotFound(c.target === 'projects' ? 'project' : 'domain', targetId)
      const actor = c.actor === 'users' ? await repo.getUser(actorId) : await repo.getGroup(actorId)
      if (!actor) throw new ResourceNotFound(c.actor === 'users' ? 'user' : 'group', actorId)
      let roleId = ''
      if (withRole) {
        const role = await repo.getRole(req.params.role_id!)
        if (!role) throw new ResourceNotFound('role', req.params.role_id!)
        roleId = role.id
      }
      return { type: c.type, actor_id: actorId, target_id: targetId, role_id: roleId } satisfies Assignment
    }
    const opts = (policy: string, withRole: boolean) => ({
      policy,
      load: (req: ApiRequest) => resolve(req, withRole),
      target: (_req: ApiRequest, a: Assignment) => (c.target === 'projects' ? { project_id: a.target_id } : { domain_id: a.target_id }),
    })
    router.get(base, opts('identity:list_grants', false), async (req, a) => {
      const roles = await Promise.all((await repo.listAssignments({ type: a.type, actor_id: a.actor_id, target_id: a.target_id })).map((x) => repo.getRole(x.role_id)))
      return json(200, { roles: roles.filter((r): r is Role => !!r).map((r) => roleView(r, v3Url(req))), links: listLinks(selfUrl(req)) })
    })
    router.put(`${base}/:role_id`, opts('identity:create_grant', true), async (_req, a) => {
      await api.mutate((tx) => repo.insertAssignment(tx, a))
      return noContent()
    })
    const check = async (_req: ApiRequest, a: Assignment) => {
      if (!(await repo.hasAssignment(a))) throw new ResourceNotFound('role assignment', `${a.role_id} for ${a.actor_id} on ${a.target_id}`)
      return noContent()
    }
    router.head(`${base}/:role_id`, opts('identity:check_grant', true), check)
    router.get(`${base}/:role_id`, opts('identity:check_grant', true), check)
    router.delete(`${base}/:role_id`, opts('identity:revoke_grant', true), async (_req, a) => {
      const removed = await api.mutate((tx) => repo.deleteAssignment(tx, a))
      if (!removed) throw new ResourceNotFound('role assignment', `${a.role_id} for ${a.actor_id} on ${a.target_id}`)
      return noContent()
    })
  }
}

interface Entry {
  type: AssignmentType
  actor_id: string
  target_id: string
  role_id: string
  /** For effective entries: the group it came through, the role that implied it. */
  viaGroup?: string
  priorRole?: string
}

/** GET /v3/role_assignments with the filters and `effective` / `include_names` as Keystone has them. */
function registerRoleAssignmentList(router: Router, api: IdentityApi): void {
  const { repo, manager } = api
  router.get('/v3/role_assignments', { policy: 'identity:list_role_assignments' }, async (req) => {
    const q = req.query
    const effective = queryBool(req, 'effective') ?? false
    const includeNames = queryBool(req, 'include_names') ?? false
    const userId = q.get('user.id') ?? undefined
    const groupId = q.get('group.id') ?? undefined
    const roleId = q.get('role.id') ?? undefined
    const projectId = q.get('scope.project.id') ?? undefined
    const domainId = q.get('scope.domain.id') ?? undefined
    if (userId && groupId) throw new BadRequest('Specify either a user or a group, not both.', 'user.id')
    if (projectId && domainId) throw new BadRequest('Specify either a project or a domain scope, not both.', 'scope.project.id')
    if (effective && groupId) throw new BadRequest('Combining effective and group filter will always result in an empty list.', 'group.id')

    let entries: Entry[] = (await repo.listAssignments({ target_id: projectId ?? domainId })).filter((a) =>
      projectId ? a.type.endsWith('Project') : domainId ? a.type.endsWith('Domain') : true,
    )
    if (effective) {
      const expanded: Entry[] = []
      for (const a of entries) {
        if (a.type.startsWith('Group')) {
          for (const m of await repo.groupMembers(a.actor_id)) {
            expanded.push({ ...a, type: a.type === 'GroupProject' ? 'UserProject' : 'UserDomain', actor_id: m.id, viaGroup: a.actor_id })
          }
        } else expanded.push(a)
      }
      const implied = await manager.impliedMap()
      const withImplied: Entry[] = []
      for (const e of expanded) {
        withImplied.push(e)
        const stack = [...(implied.get(e.role_id) ?? [])]
        const seen = new Set([e.role_id])
        while (stack.length) {
          const r = stack.pop()!
          if (seen.has(r)) continue
          seen.add(r)
          withImplied.push({ ...e, role_id: r, priorRole: e.role_id })
          stack.push(...(implied.get(r) ?? []))
        }
      }
      entries = withImplied
    }
    entries = entries.filter((e) => {
      if (roleId && e.role_id !== roleId) return false
      if (userId && !(e.type.startsWith('User') && e.actor_id === userId)) return false
      if (groupId && !(e.type.startsWith('Group') && e.actor_id === groupId)) return false
      return true
    })
    const seenKeys = new Set<string>()
    entries = entries.filter((e) => {
      const k = `${e.type}|${e.actor_id}|${e.target_id}|${e.role_id}`
      if (seenKeys.has(k)) return false
      seenKeys.add(k)
      return true
    })

    const v3 = v3Url(req)
    const names = new NameCache(api)
    const out = []
    for (const e of entries) {
      const isUser = e.type.startsWith('User')
      const isProject = e.type.endsWith('Project')
      const actorKey = isUser ? 'user' : 'group'
      const scopeKey = isProject ? 'project' : 'domain'
      const assignmentLink = `${v3}/${isProject ? 'projects' : 'domains'}/${e.target_id}/${e.viaGroup ? 'groups' : isUser ? 'users' : 'groups'}/${e.viaGroup ?? e.actor_id}/roles/${e.priorRole ?? e.role_id}`
      const links: Record<string, string> = { assignment: assignmentLink }
      if (e.viaGroup) links.membership = `${v3}/groups/${e.viaGroup}/users/${e.actor_id}`
      if (e.priorRole) links.prior_role = `${v3}/roles/${e.priorRole}`
      const entry: Record<string, unknown> = {
        links,
        role: includeNames ? await names.role(e.role_id) : { id: e.role_id },
        scope: { [scopeKey]: includeNames ? await names.target(scopeKey, e.target_id) : { id: e.target_id } },
        [actorKey]: includeNames ? await names.actor(actorKey, e.actor_id) : { id: e.actor_id },
      }
      out.push(entry)
    }
    return json(200, { role_assignments: out, links: listLinks(selfUrl(req)) })
  })
}

/** Looks names up once per request for include_names. */
class NameCache {
  private readonly memo = new Map<string, unknown>()
  constructor(private readonly api: IdentityApi) {}

  private async once<T>(key: string, f: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, await f())
    return this.memo.get(key) as T
  }
  private domain(id: string) {
    return this.once(`d:${id}`, async () => ({ id, name: (await this.api.repo.getDomain(id))?.name ?? id }))
  }
  role(id: string) {
    return this.once(`r:${id}`, async () => ({ id, name: (await this.api.repo.getRole(id))?.name ?? id }))
  }
  actor(kind: 'user' | 'group', id: string) {
    return this.once(`${kind}:${id}`, async () => {
      const a = kind === 'user' ? await this.api.repo.getUser(id) : await this.api.repo.getGroup(id)
      return { id, name: a?.name ?? id, domain: await this.domain(a?.domain_id ?? 'default') }
    })
  }
  target(kind: 'project' | 'domain', id: string) {
    return this.once(`${kind}:${id}`, async () => {
      if (kind === 'domain') return this.domain(id)
      const p = await this.api.repo.getProject(id)
      return { id, name: p?.name ?? id, domain: await this.domain(p?.domain_id ?? 'default') }
    })
  }
}
