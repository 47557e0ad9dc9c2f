import { KEYPAIR_NAME_MAX, KEYPAIR_NAME_PATTERN } from '../../../lib/openstack/compute'

/** Key pair names and OpenSSH public keys, checked before Nova sees them. Pure: no DOM, no I/O. */

export function validateKeypairName(name: string, existing: readonly string[] = []): string | undefined {
  const n = name.trim()
  if (!n) return 'Give the key pair a name.'
  if (n.length > KEYPAIR_NAME_MAX) return `At most ${KEYPAIR_NAME_MAX} characters.`
  if (!KEYPAIR_NAME_PATTERN.test(n)) return 'Letters, digits, spaces, _ and - only.'
  if (existing.includes(n)) return 'You have a key pair with this name already.'
  return undefined
}

const KEY_TYPES = ['ssh-rsa', 'ssh-ed25519', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com']

export interface ParsedPublicKey {
  type: string
  comment: string
}

/** Checks an OpenSSH public key line ("ssh-ed25519 AAAA… comment"); returns what is wrong, or what it is. */
export function checkPublicKey(text: string): { ok: true; key: ParsedPublicKey } | { ok: false; error: string } {
  const t = text.trim()
  if (!t) return { ok: false, error: 'Paste the public key, or choose its file (~/.ssh/id_ed25519.pub).' }
  if (/PRIVATE KEY-----/.test(t)) return { ok: false, error: 'This is a private key: never share it. Paste the .pub file instead.' }
  if (t.includes('\n')) return { ok: false, error: 'One key on one line: the contents of a .pub file.' }
  const [type = '', blob = '', ...rest] = t.split(/\s+/)
  if (!KEY_TYPES.includes(type)) return { ok: false, error: `Unknown key type "${type.slice(0, 30)}": an OpenSSH public key starts with ssh-ed25519, ssh-rsa or ecdsa-sha2-….` }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blob.length < 40) return { ok: false, error: 'The key data after the type is not valid base64.' }
  // The blob starts with the type again, length-prefixed (RFC 4253 §6.6).
  try {
    const head = blob.length <= 64 ? blob : blob.slice(0, 64)
    const raw = atob(head.slice(0, head.length - (head.length % 4)))
    const len = (raw.charCodeAt(0) << 24) | (raw.charCodeAt(1) << 16) | (raw.charCodeAt(2) << 8) | raw.charCodeAt(3)
    if (raw.slice(4, 4 + len) !== type) return { ok: false, error: `The key data is not a ${type} key.` }
  } catch {
    return { ok: false, error: 'The key data after the type is not valid base64.' }
  }
  return { ok: true, key: { type, comment: rest.join(' ') } }
}

/** The key's type as people say it, from its public key line. */
export function keyTypeLabel(publicKey: string): string {
  const type = publicKey.trim().split(/\s+/, 1)[0] ?? ''
  if (type === 'ssh-ed25519') return 'Ed25519'
  if (type === 'ssh-rsa') return 'RSA'
  if (type.startsWith('ecdsa-')) return 'ECDSA'
  if (type.startsWith('sk-')) return 'Security key'
  if (type === 'ssh-dss') return 'DSA'
  return type || 'unknown'
}

/** A name for the key pair from an imported file: "id_ed25519.pub" → "id_ed25519". */
export function nameFromKeyFile(fileName: string): string {
  return fileName
    .replace(/\.pub$/i, '')
    .replace(/[^a-zA-Z0-9 _-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, KEYPAIR_NAME_MAX)
}

/** The private key's file name: the key pair name, safe for every OS. */
export const privateKeyFileName = (name: string): string => `${name.trim().replace(/\s+/g, '_') || 'key'}.pem`
