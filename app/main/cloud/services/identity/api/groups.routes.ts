import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import { DEFAULT_DOMAIN_ID, type Group } from '../models'
import { type IdentityApi, listLinks, selfUrl, v3Url } from './deps'
import { conflict } from './projects.routes'
import { groupView, userView } from './views'

const FIELDS = { name: S.name(64), domain_id: S.string(1, 64), description: S.nullableString(65535) }
const CREATE = S.wrapped('group', S.object(FIELDS, ['name']))
const UPDATE = S.wrapped('group', { ...S.object(FIELDS), minProperties: 1 })
type GroupBody = { group: { name?: string; domain_id?: string; description?: string | null } }

export function registerGroupRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const loadGroup = async (req: ApiRequest) => {
    const g = await repo.getGroup(req.params.group_id!)
    if (!g) throw new ResourceNotFound('group', req.params.group_id!)
    return g
  }
  const one = (policy: string) => ({ policy, load: loadGroup, target: (_r: ApiRequest, g: Group) => ({ domain_id: g.domain_id }) })
  const member = (policy: string) => ({
    policy,
    load: async (req: ApiRequest) => {
      const g = await loadGroup(req)
      const u = await repo.getUser(req.params.user_id!)
      if (!u) throw new ResourceNotFound('user', req.params.user_id!)
      return { group: g, userId: u.id }
    },
    target: (_r: ApiRequest, m: { group: Group }) => ({ domain_id: m.group.domain_id }),
  })

  router.get('/v3/groups', { policy: 'identity:list_groups' }, async (req) => {
    const groups = await repo.listGroups({ name: req.query.get('name') ?? undefined, domain_id: req.query.get('domain_id') ?? undefined })
    return json(200, { groups: groups.map((g) => groupView(g, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.post('/v3/groups', { policy: 'identity:create_group', body: CREATE }, async (req: ApiRequest<GroupBody>) => {
    const b = req.body.group
    const domainId = b.domain_id ?? DEFAULT_DOMAIN_ID
    if (!(await repo.getDomain(domainId))) throw new BadRequest(`Could not find domain: ${domainId}.`, 'group/domain_id')
    const group: Group = { id: newId(), name: b.name!, domain_id: domainId, description: b.description ?? '' }
    await api.mutate((tx) => repo.insertGroup(tx, group)).catch(conflict(`Conflict occurred attempting to store group - Duplicate entry found with name ${group.name} at domain ID ${domainId}.`))
    return json(201, { group: groupView(group, v3Url(req)) })
  })
  router.get('/v3/groups/:group_id', one('identity:get_group'), (req, g) => json(200, { group: groupView(g, v3Url(req)) }))
  router.patch('/v3/groups/:group_id', { ...one('identity:update_group'), body: UPDATE }, async (req: ApiRequest<GroupBody>, g) => {
    if (req.body.group.domain_id !== undefined && req.body.group.domain_id !== g.domain_id) throw new BadRequest('Cannot change Domain ID', 'group/domain_id')
    const updated = { ...g, name: req.body.group.name ?? g.name, description: req.body.group.description === undefined ? g.description : (req.body.group.description ?? '') }
    await api.mutate((tx) => repo.updateGroup(tx, updated)).catch(conflict(`Conflict occurred attempting to store group - Duplicate entry found with name ${updated.name}.`))
    return json(200, { group: groupView(updated, v3Url(req)) })
  })
  router.delete('/v3/groups/:group_id', one('identity:delete_group'), async (_req, g) => {
    await api.mutate((tx) => repo.deleteGroup(tx, g.id))
    return noContent()
  })
  router.get('/v3/groups/:group_id/users', one('identity:list_users_in_group'), async (req, g) => {
    const users = await repo.groupMembers(g.id)
    return json(200, { users: users.map((u) => userView(u, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.put('/v3/groups/:group_id/users/:user_id', member('identity:add_user_to_group'), async (_req, m) => {
    await api.mutate((tx) => repo.addMember(tx, m.group.id, m.userId))
    return noContent()
  })
  const check = async (_req: ApiRequest, m: { group: Group; userId: string }) => {
    if (!(await repo.isMember(m.group.id, m.userId))) throw new ResourceNotFound('membership', `${m.userId} in ${m.group.id}`)
    return noContent()
  }
  router.head('/v3/groups/:group_id/users/:user_id', member('identity:check_user_in_group'), check)
  router.get('/v3/groups/:group_id/users/:user_id', member('identity:check_user_in_group'), check)
  router.delete('/v3/groups/:group_id/users/:user_id', member('identity:remove_user_from_group'), async (_req, m) => {
    const n = await api.mutate((tx) => repo.removeMember(tx, m.group.id, m.userId))
    if (!n) throw new ResourceNotFound('membership', `${m.userId} in ${m.group.id}`)
    return noContent()
  })
  router.get('/v3/users/:user_id/groups', { policy: 'identity:list_groups_for_user', target: (req) => ({ user_id: req.params.user_id }) }, async (req) => {
    if (!(await repo.getUser(req.params.user_id!))) throw new ResourceNotFound('user', req.params.user_id!)
    const groups = await repo.groupsOfUser(req.params.user_id!)
    return json(200, { groups: groups.map((g) => groupView(g, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
}
