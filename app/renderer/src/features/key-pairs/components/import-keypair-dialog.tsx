import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { TextField } from '../../../components/ui/field'
import type { Keypair } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { useCreateKeypair } from '../api/create-keypair'
import { checkPublicKey, keyTypeLabel, nameFromKeyFile, validateKeypairName } from '../utils/keypair-form'

/** POST /os-keypairs with public_key: your own key (the private half never leaves your computer). */
export function ImportKeypairDialog({ existing, onClose, onImported }: { existing: readonly string[]; onClose: () => void; onImported: (k: Keypair) => void }) {
  const create = useCreateKeypair()
  const [name, setName] = useState('')
  const [key, setKey] = useState('')
  const [errors, setErrors] = useState<{ name?: string; key?: string }>({})
  const parsed = key.trim() ? checkPublicKey(key) : undefined
  const submit = () => {
    const check = checkPublicKey(key)
    const found = { name: validateKeypairName(name, existing), key: check.ok ? undefined : check.error }
    setErrors(found)
    if (found.name || found.key) return
    void create.mutateAsync({ keypair: { name: name.trim(), public_key: key.trim() } }).then(
      (k) => {
        onImported(k)
        onClose()
      },
      () => undefined,
    )
  }
  return (
    <Dialog
      title="Import public key"
      description="Paste an OpenSSH public key (one line, from a .pub file) or choose the file."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="import-keypair-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="import-keypair-submit">
            Import key
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'import key pairs')}
        </Alert>
      ) : null}
      <TextField
        label="Name"
        autoFocus
        value={name}
        onChange={(e) => {
          setName(e.target.value)
          setErrors((x) => ({ ...x, name: undefined }))
        }}
        error={errors.name}
        data-testid="import-keypair-name"
      />
      <div className="field">
        <label className="field-label" htmlFor="import-public-key">
          Public key
        </label>
        <textarea
          id="import-public-key"
          className="input textarea code-input"
          rows={5}
          spellCheck={false}
          placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
          value={key}
          aria-invalid={errors.key ? true : undefined}
          onChange={(e) => {
            setKey(e.target.value)
            setErrors((x) => ({ ...x, key: undefined }))
          }}
          data-testid="import-keypair-key"
        />
        {errors.key ? (
          <div className="field-error" data-testid="field-error">
            {errors.key}
          </div>
        ) : parsed?.ok ? (
          <div className="field-hint">
            {keyTypeLabel(key)} key{parsed.key.comment ? ` (${parsed.key.comment})` : ''}.
          </div>
        ) : (
          <div className="field-hint">
            On Linux and macOS: <code>cat ~/.ssh/id_ed25519.pub</code>; none yet? <code>ssh-keygen -t ed25519</code>.
          </div>
        )}
      </div>
      <label className="btn btn-secondary btn-sm file-pick">
        Choose a .pub file…
        <input
          type="file"
          accept=".pub,text/plain"
          className="visually-hidden"
          data-testid="import-keypair-file"
          onChange={(e) => {
            const f = e.target.files?.[0]
            if (!f) return
            void f.text().then((t) => {
              setKey(t.trim())
              if (!name.trim()) setName(nameFromKeyFile(f.name))
              setErrors({})
            })
          }}
        />
      </label>
    </Dialog>
  )
}
