import { USER_DATA_MAX } from '../../../lib/openstack/compute'

/**
 * User data as Nova wants it: the text's UTF-8 bytes in base64 (cloud-init decodes them from the config drive).
 * Pure: no DOM, no I/O.
 */

/** Base64 of the UTF-8 bytes of `text` (btoa alone takes Latin-1 only). */
export function encodeUserData(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  const CHUNK = 0x8000
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(binary)
}

/** The text back from base64 (UTF-8); undefined when it is not valid base64. */
export function decodeUserData(b64: string): string | undefined {
  try {
    const binary = atob(b64.replace(/\s+/g, ''))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/** The size of the base64 text for `byteLength` bytes. */
export const base64Length = (byteLength: number): number => Math.ceil(byteLength / 3) * 4

export interface UserDataCheck {
  /** Bytes of the text in UTF-8. */
  bytes: number
  /** Characters of its base64 form, which Nova limits to USER_DATA_MAX. */
  encoded: number
  error?: string
  /** A hint that is not an error: what cloud-init will make of it. */
  hint?: string
}

/** Checks user data before sending: size after encoding, and whether cloud-init will recognise it. */
export function checkUserData(text: string): UserDataCheck {
  const bytes = new TextEncoder().encode(text).length
  const encoded = base64Length(bytes)
  if (encoded > USER_DATA_MAX) {
    return {
      bytes,
      encoded,
      error: `Too long: ${encoded.toLocaleString('en-US')} characters once base64-encoded, Nova takes at most ${USER_DATA_MAX.toLocaleString('en-US')} (about 48 KiB of text). Shorten it, or have the script download the rest.`,
    }
  }
  const first = text.trimStart().split(/\r?\n/, 1)[0] ?? ''
  if (!text.trim()) return { bytes, encoded }
  if (first.startsWith('#cloud-config')) return { bytes, encoded, hint: 'A cloud-config document: cloud-init applies it at first boot.' }
  if (first.startsWith('#!')) return { bytes, encoded, hint: `A script (${first.slice(2).trim() || 'no interpreter'}): cloud-init runs it once, at the end of the first boot.` }
  return { bytes, encoded, hint: 'cloud-init runs user data that starts with #! (a script) or #cloud-config; other text is only stored on the config drive.' }
}
