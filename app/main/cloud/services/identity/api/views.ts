import type { AuthContext } from '../../../platform/auth-context'
import type { AppCredential, Domain, Group, Project, Role, User } from '../models'

/** Model → Keystone v3 JSON, field for field as the api-ref samples show them. */

const RESERVED = new Set(['id', 'name', 'links', 'domain_id', 'enabled', 'description', 'parent_id', 'is_domain', 'tags', 'options'])
const extra = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).filter(([k]) => !RESERVED.has(k)))

export function listLinks(url: string): { self: string; previous: null; next: null } {
  return { self: url, previous: null, next: null }
}

export function domainView(d: Domain, v3: string) {
  return {
    ...extra(d.extra),
    id: d.id,
    name: d.name,
    description: d.description,
    enabled: d.enabled,
    tags: d.tags,
    options: {},
    links: { self: `${v3}/domains/${d.id}` },
  }
}

export function projectView(p: Project, v3: string) {
  return {
    ...extra(p.extra),
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    description: p.description,
    enabled: p.enabled,
    parent_id: p.parent_id ?? p.domain_id,
    is_domain: false,
    tags: p.tags,
    options: {},
    links: { self: `${v3}/projects/${p.id}` },
  }
}

export function userView(u: User, v3: string) {
  const view: Record<string, unknown> = {
    ...extra(u.extra),
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: u.enabled,
    password_expires_at: null,
    options: {},
    links: { self: `${v3}/users/${u.id}` },
  }
  if (u.default_project_id) view.default_project_id = u.default_project_id
  if (u.description !== null) view.description = u.description
  if (u.email !== null) view.email = u.email
  return view
}

export function groupView(g: Group, v3: string) {
  return { id: g.id, name: g.name, domain_id: g.domain_id, description: g.description, links: { self: `${v3}/groups/${g.id}` } }
}

export function roleView(r: Role, v3: string) {
  return {
    id: r.id,
    name: r.name,
    domain_id: null,
    description: r.description,
    options: {},
    links: { self: `${v3}/roles/${r.id}` },
  }
}

export function appCredView(a: AppCredential, v3: string, secret?: string) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    user_id: a.user_id,
    project_id: a.project_id,
    expires_at: a.expires_at,
    unrestricted: a.unrestricted,
    roles: a.roles,
    access_rules: [],
    ...(secret !== undefined ? { secret } : {}),
    links: { self: `${v3}/users/${a.user_id}/application_credentials/${a.id}` },
  }
}

/** Keystone prints six fractional digits: 2015-11-05T22:00:11.000000Z */
export function keystoneTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export function tokenView(ctx: AuthContext, catalog: object[] | undefined) {
  const token: Record<string, unknown> = {
    methods: ctx.methods,
    user: {
      domain: { id: ctx.userDomainId, name: ctx.userDomainName },
      id: ctx.userId,
      name: ctx.userName,
      password_expires_at: null,
    },
    audit_ids: ctx.auditIds,
    expires_at: keystoneTime(ctx.expiresAt),
    issued_at: keystoneTime(ctx.issuedAt),
  }
  if (ctx.projectId) {
    token.project = {
      domain: { id: ctx.projectDomainId, name: ctx.projectDomainName },
      id: ctx.projectId,
      name: ctx.projectName,
    }
    token.is_domain = false
  } else if (ctx.domainId) {
    token.domain = { id: ctx.domainId, name: ctx.domainName }
  }
  if (ctx.projectId || ctx.domainId) {
    token.roles = ctx.roleRefs.map((r) => ({ id: r.id, name: r.name }))
    if (catalog) token.catalog = catalog
  }
  if (ctx.applicationCredentialId) {
    token.application_credential = { id: ctx.applicationCredentialId, restricted: true }
  }
  return { token }
}
