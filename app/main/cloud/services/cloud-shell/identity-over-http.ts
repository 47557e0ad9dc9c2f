import type { ShellIdentity } from './pty-sessions'

/**
 * Validates a token the way any OpenStack client would (GET /v3/auth/tokens) and returns who it is, for callers
 * outside the cloud process's gateway (the desktop shell's IPC). @throws with Keystone's message when it is invalid.
 */
export async function resolveIdentityOverHttp(baseUrl: string, token: string): Promise<ShellIdentity> {
  const res = await fetch(`${baseUrl}/identity/v3/auth/tokens`, { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } })
  const body = (await res.json().catch(() => ({}))) as {
    token?: {
      user?: { name?: string }
      project?: { id?: string; name?: string }
      expires_at?: string
      catalog?: { type: string; endpoints: { interface: string; url: string }[] }[]
    }
    error?: { message?: string }
  }
  if (!res.ok || !body.token) throw new Error(body.error?.message ?? `The token was refused (HTTP ${res.status}).`)
  const t = body.token
  if (!t.project?.id) throw new Error('The cloud shell needs a project-scoped token.')
  const swift = t.catalog?.find((s) => s.type === 'object-store')?.endpoints.find((e) => e.interface === 'public')
  return {
    token,
    userName: t.user?.name ?? '?',
    projectId: t.project.id,
    projectName: t.project.name ?? t.project.id,
    authUrl: `${baseUrl}/identity/v3`,
    storageUrl: swift?.url,
    expiresAt: t.expires_at,
  }
}
