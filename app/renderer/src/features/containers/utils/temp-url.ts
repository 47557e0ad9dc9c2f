/**
 * Swift TempURLs: a link that works without a token until `expires`, signed with the account's
 * X-Account-Meta-Temp-URL-Key: `sig = HMAC-SHA256(key, "GET\n{expires}\n{path}")` in hex, sent as
 * `?temp_url_sig=…&temp_url_expires=…`. Signing uses SubtleCrypto (browser and Node alike).
 */

export interface TempUrlInput {
  key: string
  method?: 'GET' | 'PUT' | 'HEAD'
  /** Unix seconds. */
  expires: number
  /** The path Swift checks the signature against: `/v1/AUTH_{project}/{container}/{object}`. */
  signedPath: string
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('')

export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder()
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return hex(await crypto.subtle.sign('HMAC', k, enc.encode(message)))
}

export async function tempUrlSignature(t: TempUrlInput): Promise<string> {
  return hmacSha256Hex(t.key, `${t.method ?? 'GET'}\n${t.expires}\n${t.signedPath}`)
}

/**
 * The path Swift signs, from an object URL under the account endpoint. Swift's tempurl middleware checks the
 * signature against the request path as the proxy sees it, `/v1/AUTH_…/c/o`; the cloud serves Swift below the
 * `/object-store` prefix, which is dropped here (`keepPrefix` signs the full path instead).
 */
export function signedPathOf(objectUrl: string, opts: { keepPrefix?: boolean } = {}): string {
  const path = new URL(objectUrl).pathname
  if (opts.keepPrefix) return path
  const i = path.indexOf('/v1/')
  return i >= 0 ? path.slice(i) : path
}

/** The full temporary link: the object URL plus signature and expiry. */
export async function tempUrl(objectUrl: string, key: string, expires: number, opts: { keepPrefix?: boolean; method?: 'GET' | 'PUT' | 'HEAD' } = {}): Promise<string> {
  const signedPath = signedPathOf(objectUrl, opts)
  const sig = await tempUrlSignature({ key, expires, signedPath, method: opts.method })
  return `${objectUrl}?temp_url_sig=${sig}&temp_url_expires=${expires}`
}

/** A random key (32 bytes, base64url), for accounts that have none yet. */
export function randomTempUrlKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(32))
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The `swift tempurl` line that makes the same link. */
export function tempUrlCli(signedPath: string, seconds: number, method = 'GET'): string {
  return `swift tempurl ${method} ${seconds} ${signedPath} <key>`
}
