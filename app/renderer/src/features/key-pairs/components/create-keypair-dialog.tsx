import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { SecretDownload } from '../../../components/ui/secret-download'
import type { Keypair, KeyType } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { useCreateKeypair } from '../api/create-keypair'
import { privateKeyFileName, validateKeypairName } from '../utils/keypair-form'

/**
 * POST /os-keypairs without a public key: the cloud generates the pair and returns the private key in this one
 * answer. The dialog offers it as a download and says it will not be shown again; it never renders the key.
 */
export function CreateKeypairDialog({ existing, onClose }: { existing: readonly string[]; onClose: () => void }) {
  const create = useCreateKeypair()
  const [name, setName] = useState('')
  const [type, setType] = useState<KeyType>('ed25519')
  const [error, setError] = useState<string>()
  const [made, setMade] = useState<Keypair | null>(null)
  const submit = () => {
    const e = validateKeypairName(name, existing)
    setError(e)
    if (e) return
    void create.mutateAsync({ keypair: { name: name.trim(), key_type: type } }).then(setMade, () => undefined)
  }

  if (made) {
    const file = privateKeyFileName(made.name)
    return (
      <Dialog
        title={`Key pair ${made.name} created`}
        onClose={onClose}
        data-testid="create-keypair-dialog"
        footer={
          <Button variant="primary" onClick={onClose} data-testid="create-keypair-done">
            Done
          </Button>
        }
      >
        {made.private_key ? (
          <SecretDownload fileName={file} text={made.private_key} what="private key" />
        ) : (
          <Alert tone="warning">The cloud returned no private key: delete this key pair and create it again.</Alert>
        )}
        <div className="keypair-howto">
          <p className="muted small">Then, on your computer:</p>
          <pre className="code-block">{`chmod 600 ${file}\nssh -i ${file} root@<instance address>`}</pre>
          <p className="muted small">
            Fingerprint: <code data-testid="created-fingerprint">{made.fingerprint}</code>
          </p>
        </div>
      </Dialog>
    )
  }

  return (
    <Dialog
      title="Create key pair"
      description="The cloud generates a key pair: it keeps the public key and hands you the private key once."
      size="sm"
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-keypair-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-keypair-submit">
            Create key pair
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create key pairs')}
        </Alert>
      ) : null}
      <TextField
        label="Name"
        autoFocus
        value={name}
        onChange={(e) => {
          setName(e.target.value)
          setError(undefined)
        }}
        error={error}
        hint="Letters, digits, spaces, _ and -."
        data-testid="keypair-name"
      />
      <SelectField label="Key type" value={type} onChange={(e) => setType(e.target.value as KeyType)} hint="Ed25519 keys are short and fast; RSA suits old SSH clients." data-testid="keypair-type">
        <option value="ed25519">Ed25519</option>
        <option value="rsa">RSA (2048 bits)</option>
      </SelectField>
    </Dialog>
  )
}
