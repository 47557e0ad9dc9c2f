import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { checkPublicKey, keyTypeLabel, nameFromKeyFile, privateKeyFileName, validateKeypairName } from './keypair-form'

/** An OpenSSH ed25519 public key line built from a real key (the last 32 bytes of the SPKI DER are the key). */
function ed25519Line(comment = 'ann@laptop'): string {
  const { publicKey } = generateKeyPairSync('ed25519')
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const raw = der.subarray(der.length - 32)
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b])
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')} ${comment}`
}

describe('key pair form', () => {
  it('checks names as Nova does', () => {
    assert.equal(validateKeypairName('my key_1-a'), undefined)
    assert.equal(validateKeypairName(''), 'Give the key pair a name.')
    assert.equal(validateKeypairName('a.b'), 'Letters, digits, spaces, _ and - only.')
    assert.equal(validateKeypairName('ann', ['ann']), 'You have a key pair with this name already.')
  })

  it('accepts an OpenSSH public key and says what it is', () => {
    const line = ed25519Line()
    const r = checkPublicKey(`${line}\n`)
    assert.deepEqual(r, { ok: true, key: { type: 'ssh-ed25519', comment: 'ann@laptop' } })
    assert.equal(keyTypeLabel(line), 'Ed25519')
    assert.equal(keyTypeLabel('ssh-rsa AAAA'), 'RSA')
  })

  it('refuses private keys, junk and a type that does not match the data', () => {
    const bad = (t: string) => {
      const r = checkPublicKey(t)
      return r.ok ? '' : r.error
    }
    assert.match(bad('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----'), /private key/)
    assert.match(bad(''), /Paste the public key/)
    assert.match(bad('hello world'), /Unknown key type/)
    assert.match(bad('ssh-ed25519 !!!notbase64!!!'), /not valid base64/)
    const line = ed25519Line()
    assert.match(bad(line.replace('ssh-ed25519', 'ssh-rsa')), /not a ssh-rsa key/)
  })

  it('names files', () => {
    assert.equal(nameFromKeyFile('id_ed25519.pub'), 'id_ed25519')
    assert.equal(nameFromKeyFile('my.laptop.pub'), 'my-laptop')
    assert.equal(privateKeyFileName('my key'), 'my_key.pem')
  })
})
