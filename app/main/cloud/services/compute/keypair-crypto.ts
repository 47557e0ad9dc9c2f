import { createHash, generateKeyPairSync } from 'node:crypto'
import { BadRequest } from '../../platform/errors'

const KEY_TYPES = new Set(['ssh-rsa', 'ssh-ed25519', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'])

/** An SSH wire-format string: uint32 length + bytes. */
function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(b.length)
  return Buffer.concat([len, b])
}

/** An SSH mpint from a big-endian unsigned integer. */
function mpint(b: Buffer): Buffer {
  let i = 0
  while (i < b.length - 1 && b[i] === 0) i++
  let v = b.subarray(i)
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v])
  return sshString(v)
}

/** MD5 of the key blob as colon-separated hex, the fingerprint Nova shows. */
export function fingerprint(blob: Buffer): string {
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':')
}

/** Validates an OpenSSH public key line and returns its fingerprint. @throws BadRequest */
export function parsePublicKey(line: string): { type: string; fingerprint: string } {
  const [type, b64] = line.trim().split(/\s+/)
  if (!type || !b64 || !KEY_TYPES.has(type)) throw new BadRequest('Keypair data is invalid: failed to generate fingerprint', 'public_key')
  const blob = Buffer.from(b64, 'base64')
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || blob.length < 4 + len || blob.subarray(4, 4 + len).toString('latin1') !== type) {
    throw new BadRequest('Keypair data is invalid: failed to generate fingerprint', 'public_key')
  }
  return { type, fingerprint: fingerprint(blob) }
}

/** Generates an RSA 2048 key pair as Nova does: OpenSSH public key, PEM private key (returned once). */
export function generateRsaKeypair(comment: string): { publicKey: string; privateKey: string; fingerprint: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 })
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string }
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(Buffer.from(jwk.e, 'base64url')), mpint(Buffer.from(jwk.n, 'base64url'))])
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} ${comment}`,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    fingerprint: fingerprint(blob),
  }
}

/** Generates an Ed25519 key pair; the private key in OpenSSH's own format (what ssh reads for ed25519). */
export function generateEd25519Keypair(comment: string): { publicKey: string; privateKey: string; fingerprint: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const pub = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url')
  const seed = Buffer.from((privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url')
  const type = Buffer.from('ssh-ed25519')
  const pubBlob = Buffer.concat([sshString(type), sshString(pub)])
  const check = Buffer.alloc(4)
  check.writeUInt32BE(Math.floor(Math.random() * 0xffffffff))
  let priv = Buffer.concat([check, check, sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(Buffer.from(comment))])
  const pad = (8 - (priv.length % 8)) % 8
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))])
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString(Buffer.from('none')),
    sshString(Buffer.from('none')),
    sshString(Buffer.alloc(0)),
    Buffer.from([0, 0, 0, 1]),
    sshString(pubBlob),
    sshString(priv),
  ])
  const pem = body.toString('base64').match(/.{1,70}/g)!.join('\n')
  return {
    publicKey: `ssh-ed25519 ${pubBlob.toString('base64')} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${pem}\n-----END OPENSSH PRIVATE KEY-----\n`,
    fingerprint: fingerprint(pubBlob),
  }
}
