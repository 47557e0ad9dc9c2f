import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AuthContext } from '../../platform/auth-context'
import type { PolicyEnforcer } from '../../platform/policy'
import { Forbidden, Unauthorized } from './errors'
import type { Metadata } from './models'

export type Operation = 'read' | 'list' | 'write'

/** What a request brings to prove access: a token (ctx), a Referer, a TempURL signature. */
export interface Caller {
  ctx: AuthContext | undefined
  referer?: string
}

/** Parses an ACL header value (comma separated) into its entries. */
export function parseAcl(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** Checks an ACL value for the syntax Swift accepts: referrer rules (.r:), .rlistings, or project:user entries. */
export function validAcl(value: string): boolean {
  return parseAcl(value).every((e) => e === '.rlistings' || /^\.r(eferrer)?:-?[^\s,]+$/.test(e) || /^[^.\s,][^\s,]*$/.test(e))
}

function userMatches(entry: string, ctx: AuthContext): boolean {
  const [p, u] = entry.includes(':') ? entry.split(':', 2) as [string, string] : [entry, '*']
  const projectOk = p === '*' || p === ctx.projectId || p === ctx.projectName
  const userOk = u === '*' || u === ctx.userId || u === ctx.userName
  return projectOk && userOk
}

function refererAllowed(entries: string[], referer: string | undefined): boolean {
  let host = ''
  try {
    host = referer ? new URL(referer).hostname : ''
  } catch {
    host = ''
  }
  let allowed = false
  for (const e of entries) {
    const m = /^\.r(?:eferrer)?:(-?)(.+)$/.exec(e)
    if (!m) continue
    const [neg, pat] = [m[1] === '-', m[2]!]
    const hit = pat === '*' || (pat.startsWith('.') ? host.endsWith(pat) : host === pat)
    if (hit) allowed = !neg
  }
  return allowed
}

/**
 * Decides whether `caller` may do `op` on `projectId`'s account (or one of its containers, whose metadata holds
 * the ACLs). Owners go by policy (reader reads, member writes, admin everywhere); a container's X-Container-Read
 * lets other users read and list, `.r:*` (or a matching referrer) lets anyone read objects and, with
 * `.rlistings`, list; X-Container-Write lets other users write objects.
 * @throws Unauthorized for an anonymous caller, Forbidden for a known one.
 */
export function authorize(policy: PolicyEnforcer, caller: Caller, projectId: string, op: Operation, container?: Metadata): { owner: boolean } {
  const { ctx } = caller
  if (ctx) {
    const action = op === 'write' ? 'object-store:write' : 'object-store:read'
    if (policy.check(ctx, action, { project_id: projectId })) return { owner: true }
  }
  if (container) {
    const read = parseAcl(container['x-container-read'])
    const write = parseAcl(container['x-container-write'])
    if (op === 'write') {
      if (ctx && write.some((e) => !e.startsWith('.') && userMatches(e, ctx))) return { owner: false }
    } else {
      if (ctx && read.some((e) => !e.startsWith('.') && userMatches(e, ctx))) return { owner: false }
      const referrerOk = refererAllowed(read, caller.referer)
      if (referrerOk && (op === 'read' || read.includes('.rlistings'))) return { owner: false }
    }
  }
  if (!ctx) throw new Unauthorized('This server could not verify that you are authorized to access the document you requested.')
  throw new Forbidden('Access was denied to this resource.')
}

const DIGESTS: Record<number, string> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' }

/**
 * Validates a TempURL (Swift's tempurl middleware): `temp_url_sig` is an HMAC over "METHOD\nEXPIRES\nPATH" with one
 * of the account's or container's Temp-URL keys, hex (SHA1/SHA256/SHA512 by length) or `<digest>:<base64>`.
 * `paths` are the forms of the object path the client may have signed (with and without the /object-store prefix).
 * HEAD is allowed by a signature for GET, HEAD or PUT. Returns true when valid and unexpired.
 */
export function validTempUrl(opts: { method: string; sig: string; expires: string; paths: string[]; keys: string[]; now?: number }): boolean {
  const now = opts.now ?? Date.now() / 1000
  let expires: number
  if (/^\d+$/.test(opts.expires)) expires = Number(opts.expires)
  else {
    const t = Date.parse(opts.expires)
    if (Number.isNaN(t)) return false
    expires = t / 1000
  }
  if (expires < now || !opts.keys.length) return false
  let digest: string | undefined
  let given: Buffer
  const prefixed = /^(sha1|sha256|sha512):(.+)$/.exec(opts.sig)
  if (prefixed) {
    digest = prefixed[1]
    given = Buffer.from(prefixed[2]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  } else {
    digest = DIGESTS[opts.sig.length]
    if (!/^[0-9a-f]+$/i.test(opts.sig)) return false
    given = Buffer.from(opts.sig, 'hex')
  }
  if (!digest) return false
  const methods = opts.method === 'HEAD' ? ['HEAD', 'GET', 'PUT'] : [opts.method]
  for (const key of opts.keys) {
    for (const method of methods) {
      for (const p of opts.paths) {
        const mac = createHmac(digest, key).update(`${method}\n${opts.expires}\n${p}`).digest()
        if (mac.length === given.length && timingSafeEqual(mac, given)) return true
      }
    }
  }
  return false
}
