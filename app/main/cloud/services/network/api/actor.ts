import { isAdmin, type AuthContext } from '../../../platform/auth-context'
import type { Actor } from '../network-manager'

export const actorOf = (ctx: AuthContext): Actor => ({ projectId: ctx.projectId ?? '', admin: isAdmin(ctx) })
