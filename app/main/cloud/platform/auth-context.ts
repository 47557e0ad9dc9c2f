/** Who is calling, as the identity service established it from X-Auth-Token. Plain data; no I/O. */
export interface AuthContext {
  readonly userId: string
  readonly userName: string
  readonly userDomainId: string
  readonly userDomainName: string
  /** Set for project-scoped tokens. */
  readonly projectId?: string
  readonly projectName?: string
  readonly projectDomainId?: string
  readonly projectDomainName?: string
  /** Set for domain-scoped tokens. */
  readonly domainId?: string
  readonly domainName?: string
  /** Effective role names in the token's scope, implied roles included (admin ⊃ member ⊃ reader). */
  readonly roles: readonly string[]
  /** The same roles with their ids, for token bodies. */
  readonly roleRefs: readonly { id: string; name: string }[]
  readonly methods: readonly string[]
  readonly expiresAt: Date
  readonly issuedAt: Date
  readonly auditIds: readonly string[]
  /** The id of the application credential the token came from, if any. */
  readonly applicationCredentialId?: string
}

export function hasRole(ctx: AuthContext, role: string): boolean {
  return ctx.roles.includes(role)
}

/** Cloud admin: the admin role in any scope (Keystone's historical meaning of role:admin). */
export function isAdmin(ctx: AuthContext): boolean {
  return hasRole(ctx, 'admin')
}
