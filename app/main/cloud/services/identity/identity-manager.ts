import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { AuthContext } from '../../platform/auth-context'
import { BadRequest, Unauthorized } from '../../platform/errors'
import type { CatalogEntry } from '../service'
import { AuthenticationFailed, TokenNotFound } from './errors'
import type { IdentityRepository } from './identity-repository'
import { DEFAULT_DOMAIN_ID, type Domain, type Project, type Role, type User } from './models'
import { verifyPassword } from './password-hasher'

export const TOKEN_TTL_SECONDS = 3600
const CACHE_LIMIT = 10_000

export const newId = (): string => randomUUID().replace(/-/g, '')
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex')

/** The scope a caller asks for in POST /v3/auth/tokens, as parsed from the body. */
export type ScopeRequest =
  | { kind: 'project'; id?: string; name?: string; domain?: { id?: string; name?: string } }
  | { kind: 'domain'; id?: string; name?: string }
  | { kind: 'unscoped' }
  | { kind: 'default' }

export interface IssuedToken {
  token: string
  ctx: AuthContext
}

interface CacheEntry {
  ctx: AuthContext
  generation: number
}

/**
 * Authentication and tokens. Tokens are 32 random bytes (base64url) kept only as SHA-256 hashes. Validation
 * re-checks the user, project and roles every time it misses the cache; the cache is dropped on every identity
 * write (generation counter), so a disabled user, a changed password or a removed role takes effect at once.
 */
export class IdentityManager {
  private generation = 0
  private readonly cache = new Map<string, CacheEntry>()
  private implied: Map<string, string[]> | undefined
  private readonly catalogCache = new Map<string, object[]>()

  constructor(
    private readonly repo: IdentityRepository,
    private readonly catalogEntries: () => readonly CatalogEntry[],
    private readonly ttlSeconds = TOKEN_TTL_SECONDS,
  ) {}

  /** Called after every identity mutation commits. */
  invalidate(): void {
    this.generation++
    this.cache.clear()
    this.implied = undefined
  }

  /** @throws Unauthorized */
  async authenticate(token: string): Promise<AuthContext> {
    try {
      return await this.validate(token)
    } catch (err) {
      if (err instanceof TokenNotFound) throw new Unauthorized('The request you have made requires authentication.')
      throw err
    }
  }

  /** @throws TokenNotFound when the token is unknown, expired, revoked, or no longer backed by a valid user/scope. */
  async validate(token: string): Promise<AuthContext> {
    const key = hashToken(token)
    const hit = this.cache.get(key)
    if (hit && hit.generation === this.generation) {
      if (hit.ctx.expiresAt.getTime() > Date.now()) return hit.ctx
      this.cache.delete(key)
      throw new TokenNotFound()
    }
    const generation = this.generation
    const rec = await this.repo.getToken(key)
    if (!rec || rec.revoked || Date.parse(rec.expires_at) <= Date.now()) throw new TokenNotFound()
    const ctx = await this.buildContext(rec.user_id, rec, rec.methods, {
      issuedAt: new Date(rec.issued_at),
      expiresAt: new Date(rec.expires_at),
      auditId: rec.audit_id,
      appCredId: rec.app_cred_id ?? undefined,
    }).catch((err) => {
      if (err instanceof AuthenticationFailed) throw new TokenNotFound()
      throw err
    })
    if (generation === this.generation) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
      this.cache.set(key, { ctx, generation })
    }
    return ctx
  }

  /** Password authentication. Same 401 for an unknown user, a wrong password or a disabled user. */
  async authenticatePassword(userRef: { id?: string; name?: string; domain?: { id?: string; name?: string } }, password: string): Promise<User> {
    const user = await this.findUser(userRef)
    const ok = await verifyPassword(password, user?.password_hash)
    if (!user || !ok) throw new AuthenticationFailed()
    await this.assertUserActive(user)
    return user
  }

  async findUser(ref: { id?: string; name?: string; domain?: { id?: string; name?: string } }): Promise<User | undefined> {
    if (ref.id) return this.repo.getUser(ref.id)
    if (!ref.name) throw new BadRequest("Expecting to find id or name in user - the server could not comply with the request since it is either malformed or otherwise incorrect.", 'auth/identity/password/user')
    if (!ref.domain || (!ref.domain.id && !ref.domain.name)) {
      throw new BadRequest('Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect.', 'auth/identity/password/user/domain')
    }
    const domain = ref.domain.id ? await this.repo.getDomain(ref.domain.id) : await this.repo.getDomainByName(ref.domain.name!)
    if (!domain) return undefined
    return this.repo.getUserByName(ref.name, domain.id)
  }

  /** Issues a token for `user` in the requested scope; the caller has already proven who it is. */
  async issue(
    user: User,
    scope: ScopeRequest,
    methods: string[],
    opts: { expiresAt?: Date; auditIds?: string[]; appCred?: { id: string; projectId: string; roleIds: string[] } } = {},
  ): Promise<IssuedToken> {
    let projectId: string | null = null
    let domainId: string | null = null
    if (opts.appCred) {
      if (scope.kind !== 'default') throw new AuthenticationFailed()
      projectId = opts.appCred.projectId
    } else if (scope.kind === 'project') {
      const project = await this.resolveProject(scope)
      projectId = project.id
    } else if (scope.kind === 'domain') {
      const domain = scope.id ? await this.repo.getDomain(scope.id) : await this.repo.getDomainByName(scope.name ?? '')
      if (!domain || !domain.enabled) throw new AuthenticationFailed()
      domainId = domain.id
    } else if (scope.kind === 'default' && user.default_project_id) {
      const project = await this.repo.getProject(user.default_project_id)
      const roles = project?.enabled ? await this.repo.directRoleIds(user.id, project.id, 'Project') : []
      if (project && roles.length) projectId = project.id
    }
    const issuedAt = new Date()
    const expiresAt = opts.expiresAt ?? new Date(issuedAt.getTime() + this.ttlSeconds * 1000)
    const token = randomBytes(32).toString('base64url')
    const auditId = randomBytes(16).toString('base64url').slice(0, 22)
    const record = {
      id_hash: hashToken(token),
      user_id: user.id,
      project_id: projectId,
      domain_id: domainId,
      methods,
      audit_id: auditId,
      issued_at: issuedAt.toISOString(),
      expires_at: expiresAt.toISOString(),
      app_cred_id: opts.appCred?.id ?? null,
      revoked: false,
    }
    // Build first: a scope the user holds no role on fails before anything is stored.
    const ctx = await this.buildContext(user.id, record, methods, {
      issuedAt,
      expiresAt,
      auditId,
      appCredId: opts.appCred?.id,
      auditChain: opts.auditIds,
      appCredRoleIds: opts.appCred?.roleIds,
    })
    await this.repo.db.transaction((tx) => this.repo.insertToken(tx, record))
    return { token, ctx }
  }

  /** Revokes one token. @throws TokenNotFound if it is not a valid token. */
  async revoke(token: string): Promise<void> {
    await this.validate(token)
    await this.repo.db.transaction((tx) => this.repo.revokeToken(tx, hashToken(token)))
    this.invalidate()
  }

  async purgeExpired(): Promise<number> {
    return this.repo.purgeExpiredTokens(new Date(Date.now() - 24 * 3600 * 1000).toISOString())
  }

  /** Effective roles (implied ones included) of a user on a project or domain. */
  async effectiveRoles(userId: string, targetId: string, kind: 'Project' | 'Domain'): Promise<Role[]> {
    const direct = await this.repo.directRoleIds(userId, targetId, kind)
    return this.expandRoles(direct)
  }

  async expandRoles(roleIds: string[]): Promise<Role[]> {
    const implied = await this.impliedMap()
    const seen = new Set<string>()
    const stack = [...roleIds]
    while (stack.length) {
      const id = stack.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      stack.push(...(implied.get(id) ?? []))
    }
    const roles = await Promise.all([...seen].map((id) => this.repo.getRole(id)))
    return roles.filter((r): r is Role => !!r).sort((a, b) => a.name.localeCompare(b.name))
  }

  async impliedMap(): Promise<Map<string, string[]>> {
    if (!this.implied) {
      const map = new Map<string, string[]>()
      for (const r of await this.repo.impliedRoles()) map.set(r.prior_role_id, [...(map.get(r.prior_role_id) ?? []), r.implied_role_id])
      this.implied = map
    }
    return this.implied
  }

  private async resolveProject(scope: Extract<ScopeRequest, { kind: 'project' }>): Promise<Project> {
    let project: Project | undefined
    if (scope.id) project = await this.repo.getProject(scope.id)
    else {
      if (!scope.name) throw new BadRequest('Expecting to find id or name in project.', 'auth/scope/project')
      if (!scope.domain || (!scope.domain.id && !scope.domain.name)) {
        throw new BadRequest('Expecting to find domain in project.', 'auth/scope/project/domain')
      }
      const domain = scope.domain.id ? await this.repo.getDomain(scope.domain.id) : await this.repo.getDomainByName(scope.domain.name!)
      project = domain ? await this.repo.getProjectByName(scope.name, domain.id) : undefined
    }
    if (!project || !project.enabled) throw new AuthenticationFailed()
    return project
  }

  private async assertUserActive(user: User): Promise<Domain> {
    const domain = await this.repo.getDomain(user.domain_id)
    if (!user.enabled || !domain?.enabled) throw new AuthenticationFailed()
    return domain
  }

  /** Everything a token stands for, re-derived from the current records. @throws AuthenticationFailed */
  private async buildContext(
    userId: string,
    rec: { project_id: string | null; domain_id: string | null },
    methods: string[],
    t: { issuedAt: Date; expiresAt: Date; auditId: string; appCredId?: string; auditChain?: string[]; appCredRoleIds?: string[] },
  ): Promise<AuthContext> {
    const user = await this.repo.getUser(userId)
    if (!user) throw new AuthenticationFailed()
    const userDomain = await this.assertUserActive(user)
    let roles: Role[] = []
    let project: Project | undefined
    let projectDomain: Domain | undefined
    let domain: Domain | undefined
    if (rec.project_id) {
      project = await this.repo.getProject(rec.project_id)
      if (!project || !project.enabled) throw new AuthenticationFailed()
      projectDomain = await this.repo.getDomain(project.domain_id)
      if (!projectDomain?.enabled) throw new AuthenticationFailed()
      roles = await this.effectiveRoles(user.id, project.id, 'Project')
    } else if (rec.domain_id) {
      domain = await this.repo.getDomain(rec.domain_id)
      if (!domain?.enabled) throw new AuthenticationFailed()
      roles = await this.effectiveRoles(user.id, domain.id, 'Domain')
    }
    if (t.appCredId) {
      const cred = await this.repo.getAppCred(t.appCredId)
      if (!cred || (cred.expires_at && Date.parse(cred.expires_at) <= Date.now())) throw new AuthenticationFailed()
      const allowed = new Set((await this.expandRoles(cred.roles.map((r) => r.id))).map((r) => r.id))
      roles = roles.filter((r) => allowed.has(r.id))
    }
    if ((project || domain) && roles.length === 0) throw new AuthenticationFailed()
    return {
      userId: user.id,
      userName: user.name,
      userDomainId: userDomain.id,
      userDomainName: userDomain.name,
      projectId: project?.id,
      projectName: project?.name,
      projectDomainId: projectDomain?.id,
      projectDomainName: projectDomain?.name,
      domainId: domain?.id,
      domainName: domain?.name,
      roles: roles.map((r) => r.name),
      roleRefs: roles.map((r) => ({ id: r.id, name: r.name })),
      methods,
      issuedAt: t.issuedAt,
      expiresAt: t.expiresAt,
      auditIds: [t.auditId, ...(t.auditChain ?? [])].slice(0, 2),
      applicationCredentialId: t.appCredId,
    }
  }

  /** The catalog of a token's scope, as Keystone renders it (endpoints that need a project are left out of others). */
  catalog(baseUrl: string, projectId: string | undefined): object[] {
    // The catalog depends only on the base URL and the project: build it once per pair.
    const key = `${baseUrl}|${projectId ?? ''}`
    let hit = this.catalogCache.get(key)
    if (!hit) {
      if (this.catalogCache.size >= CACHE_LIMIT) this.catalogCache.clear()
      hit = this.buildCatalog(baseUrl, projectId)
      this.catalogCache.set(key, hit)
    }
    return hit
  }

  private buildCatalog(baseUrl: string, projectId: string | undefined): object[] {
    const byType = new Map<string, CatalogEntry>()
    for (const e of this.catalogEntries()) byType.set(e.type, e)
    const out: object[] = []
    for (const e of byType.values()) {
      if (e.path.includes('{project_id}') && !projectId) continue
      const url = baseUrl + e.path.replace('{project_id}', projectId ?? '')
      out.push({
        endpoints: ['public', 'internal', 'admin'].map((iface) => ({
          id: stableId(`endpoint:${e.type}:${iface}`),
          interface: iface,
          region: 'RegionOne',
          region_id: 'RegionOne',
          url,
        })),
        id: stableId(`service:${e.type}`),
        type: e.type,
        name: e.name,
      })
    }
    return out
  }
}

/** Service and endpoint ids are derived from their type, so they stay the same across restarts. */
export function stableId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32)
}

export { DEFAULT_DOMAIN_ID }
