// What the window may load, where links go, and the CSP the shell adds. Plain Node (no 'electron' import) so the
// rules are unit-tested; main-window.ts wires them to Electron's events.
import { DASHBOARD_CSP } from '../../shared/dashboard-csp'

/**
 * The shell's own Content-Security-Policy, added to every page the window loads from the cloud. The cloud sends
 * its own strict policy too; a browser enforces every policy it receives, so this one can only tighten, and it
 * still holds if the server's header is ever loosened or lost. `ws:` to the loopback address is for consoles.
 */
export const SHELL_CSP = DASHBOARD_CSP

/**
 * Returns the response headers with `policy` added as one more Content-Security-Policy value (keeping the
 * server's). Header names are matched case-insensitively, so the result never holds two spellings of one header.
 */
export function withContentSecurityPolicy(
  headers: Readonly<Record<string, string | string[]>> | undefined,
  policy: string = SHELL_CSP,
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  let cspKey = 'Content-Security-Policy'
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value) ? [...value] : [value]
    if (name.toLowerCase() === 'content-security-policy') cspKey = name
  }
  out[cspKey] = [...(out[cspKey] ?? []), policy]
  return out
}

export type NavigationDecision = 'allow' | 'open-externally' | 'deny'

/**
 * A navigation of the window itself (a link, a form, `location = …`, a redirect): it may stay only on the cloud's
 * origin. An http(s) address elsewhere goes to the OS browser instead; any other scheme (file:, javascript:,
 * custom protocols) is refused, because `shell.openExternal` would hand it to whatever program claims it.
 */
export function decideNavigation(url: string, appOrigin: string): NavigationDecision {
  const parsed = parseUrl(url)
  if (!parsed) return 'deny'
  if (parsed.origin === appOrigin) return 'allow'
  return isWebUrl(parsed) ? 'open-externally' : 'deny'
}

/**
 * `window.open` and `target=_blank`: the app never opens a second window. A web address, same origin included,
 * goes to the OS browser (the dashboard works there too, behind the Keystone login); anything else is refused.
 */
export function decideWindowOpen(url: string): Exclude<NavigationDecision, 'allow'> {
  const parsed = parseUrl(url)
  return parsed && isWebUrl(parsed) ? 'open-externally' : 'deny'
}

/** The origin of an http(s) URL; throws on anything else (the window only ever loads the cloud over HTTP). */
export function originOf(url: string): string {
  const parsed = parseUrl(url)
  if (!parsed || !isWebUrl(parsed)) throw new Error(`not an http(s) URL: ${url}`)
  return parsed.origin
}

function isWebUrl(u: URL): boolean {
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === ''
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/**
 * The only permissions the dashboard gets, and only for its own origin: writing to the clipboard (its copy
 * buttons) and desktop notifications (long work that ends while the window is in the background: an image upload,
 * an instance turning ACTIVE or ERROR).
 */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write', 'notifications'])

export function permissionAllowed(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && parseUrl(requestingUrl)?.origin === appOrigin
}
