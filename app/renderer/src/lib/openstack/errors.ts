/**
 * An OpenStack API answered with an error status (or could not be reached: status 0). The message is the one
 * the service wrote in its fault body, whatever its shape:
 * - Keystone:        {"error": {"code", "title", "message"}}
 * - Nova and Cinder: {"itemNotFound": {"code", "message"}} (the key names the fault)
 * - Neutron:         {"NeutronError": {"type", "message", "detail"}}
 * - Glance:          {"code", "title", "message"}
 * - Swift:           a short HTML page
 */
export class OpenStackError extends Error {
  constructor(
    /** HTTP status; 0 when no answer came back (cloud stopped, network error). */
    readonly status: number,
    message: string,
    readonly details: {
      method: string
      path: string
      /** Keystone's title, Nova's fault key, Neutron's type. */
      kind?: string
      requestId?: string
    },
  ) {
    super(message)
    this.name = 'OpenStackError'
  }
}

/** Pulls the human message out of any OpenStack fault body. Falls back to the HTTP status text. */
export function parseFault(status: number, statusText: string, text: string): { message: string; kind?: string } {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as unknown
      if (body && typeof body === 'object') {
        const obj = body as Record<string, unknown>
        if (typeof obj.message === 'string') {
          return { message: obj.message, kind: typeof obj.title === 'string' ? obj.title : undefined }
        }
        const keys = Object.keys(obj)
        if (keys.length === 1) {
          const key = keys[0]!
          const inner = obj[key]
          if (inner && typeof inner === 'object') {
            const f = inner as Record<string, unknown>
            const message = typeof f.message === 'string' ? f.message : undefined
            if (message !== undefined) {
              if (key === 'error') return { message, kind: typeof f.title === 'string' ? f.title : undefined }
              if (key === 'NeutronError') return { message, kind: typeof f.type === 'string' ? f.type : key }
              return { message, kind: key }
            }
          }
        }
      }
      // JSON without a message we know: the status says more than raw JSON would.
      return { message: statusText || `HTTP ${status}` }
    } catch {
      // Not JSON after all: fall through to the text forms.
    }
  }
  if (trimmed.startsWith('<')) {
    const p = /<p>([\s\S]*?)<\/p>/i.exec(trimmed) ?? /<h1>([\s\S]*?)<\/h1>/i.exec(trimmed)
    if (p) return { message: decodeEntities(p[1]!.trim()) }
  }
  if (trimmed && trimmed.length < 300 && !trimmed.startsWith('<')) return { message: trimmed }
  return { message: statusText || `HTTP ${status}` }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}

/**
 * Words for a person: what went wrong and what to do about it. `action` completes "You are not allowed to …",
 * e.g. "create projects".
 */
export function describeError(err: unknown, action?: string): string {
  if (err instanceof OpenStackError) {
    const what = action ?? 'do this'
    switch (err.status) {
      case 0:
        if (err.details.kind === 'aborted') return 'Cancelled: nothing more was sent.'
        return 'Could not reach the Stackling cloud. Check that it is still running, then try again.'
      case 401:
        return 'Your session has ended (the token expired or was revoked). Log in again.'
      case 403:
        return `You are not allowed to ${what} (needs the admin role). Log in as an administrator, or ask one to do it.`
      case 404:
        return `${ensurePeriod(err.message)} It may have been deleted meanwhile: refresh the list.`
      case 409:
        return `${ensurePeriod(err.message)} Choose another name or remove what is in the way first.`
      case 413:
        return `${ensurePeriod(err.message)} Send something smaller.`
      case 501:
        return 'This part of the cloud is not built yet in this Stackling release.'
      default:
        if (err.status >= 500) {
          const id = err.details.requestId ? ` (request ${err.details.requestId})` : ''
          return `The cloud failed to ${what}${id}. Its log in the data folder says why; try again.`
        }
        return ensurePeriod(err.message)
    }
  }
  if (err instanceof Error) return ensurePeriod(err.message)
  return 'Something went wrong. Try again.'
}

function ensurePeriod(s: string): string {
  const t = s.trim()
  return /[.!?]$/.test(t) ? t : `${t}.`
}
