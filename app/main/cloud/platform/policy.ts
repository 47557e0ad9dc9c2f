import { PolicyNotAuthorized } from './errors'
import { hasRole, type AuthContext } from './auth-context'

/** Attributes of the resource an action is aimed at, as policy rules see them. */
export interface PolicyTarget {
  project_id?: string
  domain_id?: string
  user_id?: string
  [key: string]: string | undefined
}

export type Check = (ctx: AuthContext, target: PolicyTarget) => boolean

// The building blocks every service's policies.ts composes its rules from.
export const role = (name: string): Check => (ctx) => hasRole(ctx, name)
export const admin: Check = role('admin')
/** The target belongs to the token's project. */
export const ownProject: Check = (ctx, t) => ctx.projectId !== undefined && t.project_id === ctx.projectId
export const ownUser: Check = (ctx, t) => t.user_id === ctx.userId
export const anyOf = (...checks: Check[]): Check => (ctx, t) => checks.some((c) => c(ctx, t))
export const allOf = (...checks: Check[]): Check => (ctx, t) => checks.every((c) => c(ctx, t))
export const always: Check = () => true

/** The defaults most services share: admin does anything; members write in their project; readers read. */
export const adminOrProjectMember: Check = anyOf(admin, allOf(role('member'), ownProject))
export const adminOrProjectReader: Check = anyOf(admin, allOf(role('reader'), ownProject))
/** For create/list calls whose target is the caller's own project. */
export const projectMember: Check = anyOf(admin, role('member'))
export const projectReader: Check = anyOf(admin, role('reader'))

/**
 * The one enforcement point for every service. Each service registers its rules (action → check) at start;
 * the router calls enforce() for every route before its handler runs. Unknown actions are a programming error
 * and fail closed.
 */
export class PolicyEnforcer {
  private readonly rules = new Map<string, Check>()

  register(rules: Record<string, Check>): void {
    for (const [action, check] of Object.entries(rules)) {
      if (this.rules.has(action)) throw new Error(`policy action registered twice: ${action}`)
      this.rules.set(action, check)
    }
  }

  has(action: string): boolean {
    return this.rules.has(action)
  }

  check(ctx: AuthContext, action: string, target: PolicyTarget): boolean {
    const rule = this.rules.get(action)
    if (!rule) throw new Error(`no policy rule for ${action}`)
    return rule(ctx, target)
  }

  /** @throws PolicyNotAuthorized (403) */
  enforce(ctx: AuthContext, action: string, target: PolicyTarget): void {
    if (!this.check(ctx, action, target)) throw new PolicyNotAuthorized(action)
  }

  actions(): string[] {
    return [...this.rules.keys()]
  }
}
