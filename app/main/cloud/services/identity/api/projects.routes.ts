import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import { DEFAULT_DOMAIN_ID, type Project } from '../models'
import { type IdentityApi, listLinks, queryBool, selfUrl, v3Url } from './deps'
import { projectView } from './views'

const TAGS = { type: 'array', maxItems: 80, items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^,/]*$' } }
const PROJECT_FIELDS = {
  name: S.name(64),
  domain_id: { type: ['string', 'null'], maxLength: 64 },
  parent_id: { type: ['string', 'null'], maxLength: 64 },
  description: S.nullableString(65535),
  enabled: S.boolean,
  is_domain: S.boolean,
  tags: TAGS,
  options: { type: 'object' },
}
const CREATE = S.wrapped('project', S.object(PROJECT_FIELDS, ['name']))
const UPDATE = S.wrapped('project', { ...S.object(PROJECT_FIELDS), minProperties: 1 })

type ProjectBody = { project: Partial<Record<keyof typeof PROJECT_FIELDS, any>> & Record<string, unknown> }
const KNOWN = new Set(Object.keys(PROJECT_FIELDS).concat(['id', 'links']))
const extraOf = (b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).filter(([k]) => !KNOWN.has(k)))

export function registerProjectRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const load = async (req: ApiRequest) => {
    const p = await repo.getProject(req.params.project_id!)
    if (!p) throw new ResourceNotFound('project', req.params.project_id!)
    return p
  }
  const one = (policy: string) => ({
    policy,
    load,
    target: (_req: ApiRequest, p: Project) => ({ project_id: p.id, domain_id: p.domain_id }),
    hidden: (req: ApiRequest) => new ResourceNotFound('project', req.params.project_id!),
  })

  router.get('/v3/projects', { policy: 'identity:list_projects' }, async (req) => {
    const enabled = queryBool(req, 'enabled')
    const projects = await repo.listProjects({
      name: req.query.get('name') ?? undefined,
      domain_id: req.query.get('domain_id') ?? undefined,
      parent_id: req.query.get('parent_id') ?? undefined,
      enabled: enabled === undefined ? undefined : enabled ? 1 : 0,
    })
    // is_domain=true asks for projects acting as domains; Stackling keeps domains apart, so there are none.
    const list = queryBool(req, 'is_domain') ? [] : projects
    return json(200, { projects: list.map((p) => projectView(p, v3Url(req))), links: listLinks(selfUrl(req)) })
  })

  router.post('/v3/projects', { policy: 'identity:create_project', body: CREATE }, async (req: ApiRequest<ProjectBody>) => {
    const b = req.body.project
    if (b.is_domain) throw new BadRequest('Projects acting as domains are not supported; create a domain instead.', 'project/is_domain')
    let domainId: string = b.domain_id ?? req.ctx.projectDomainId ?? req.ctx.domainId ?? DEFAULT_DOMAIN_ID
    let parentId: string | null = null
    if (b.parent_id && b.parent_id !== domainId) {
      const parent = await repo.getProject(b.parent_id)
      if (!parent) throw new BadRequest(`Could not find parent project: ${b.parent_id}.`, 'project/parent_id')
      if (b.domain_id && parent.domain_id !== b.domain_id) throw new BadRequest('A project must be in the same domain as its parent.', 'project/domain_id')
      domainId = parent.domain_id
      parentId = parent.id
    }
    if (!(await repo.getDomain(domainId))) throw new BadRequest(`Could not find domain: ${domainId}.`, 'project/domain_id')
    const project: Project = {
      id: newId(),
      name: b.name,
      domain_id: domainId,
      parent_id: parentId,
      description: b.description ?? '',
      enabled: b.enabled ?? true,
      tags: b.tags ?? [],
      extra: extraOf(b),
    }
    await api.mutate((tx) => repo.insertProject(tx, project)).catch(conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${project.name}.`))
    return json(201, { project: projectView(project, v3Url(req)) })
  })

  router.get('/v3/projects/:project_id', one('identity:get_project'), (req, p) => json(200, { project: projectView(p, v3Url(req)) }))

  router.patch('/v3/projects/:project_id', { ...one('identity:update_project'), body: UPDATE }, async (req: ApiRequest<ProjectBody>, p) => {
    const b = req.body.project
    if (b.domain_id !== undefined && b.domain_id !== p.domain_id) throw new BadRequest('Cannot change Domain ID', 'project/domain_id')
    if (b.parent_id !== undefined && (b.parent_id ?? p.domain_id) !== (p.parent_id ?? p.domain_id)) {
      throw new Forbidden('Update of `parent_id` is not allowed.')
    }
    if (b.is_domain) throw new BadRequest('Update of `is_domain` is not allowed.', 'project/is_domain')
    const updated: Project = {
      ...p,
      name: b.name ?? p.name,
      description: b.description === undefined ? p.description : (b.description ?? ''),
      enabled: b.enabled ?? p.enabled,
      tags: b.tags ?? p.tags,
      extra: { ...p.extra, ...extraOf(b) },
    }
    await api.mutate((tx) => repo.updateProject(tx, updated)).catch(conflict(`Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${updated.name}.`))
    return json(200, { project: projectView(updated, v3Url(req)) })
  })

  router.delete('/v3/projects/:project_id', one('identity:delete_project'), async (req, p) => {
    if (p.id === req.ctx.projectId) throw new Forbidden('You cannot delete the project your token is scoped to; scope to another project first.')
    if (await repo.projectHasChildren(p.id)) throw new Forbidden(`Cannot delete project ${p.id}: it has child projects.`)
    await api.mutate((tx) => repo.deleteProject(tx, p.id))
    return noContent()
  })

  router.get('/v3/users/:user_id/projects', {
    policy: 'identity:list_user_projects',
    target: (req) => ({ user_id: req.params.user_id }),
  }, async (req) => {
    if (!(await repo.getUser(req.params.user_id!))) throw new ResourceNotFound('user', req.params.user_id!)
    const projects = await repo.listProjectsByIds(await repo.projectIdsOfUser(req.params.user_id!))
    return json(200, { projects: projects.map((p) => projectView(p, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
}

/** Turns the unique-index Conflict into Keystone's own wording. */
export function conflict(message: string) {
  return (err: unknown): never => {
    if ((err as { status?: number })?.status === 409) {
      const e = err as Error
      e.message = message
    }
    throw err
  }
}
