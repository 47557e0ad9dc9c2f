import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { CopyButton } from '../../../components/ui/copy-button'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import type { Keypair } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { useDeleteKeypair } from '../api/delete-keypair'
import { useKeypairs } from '../api/get-keypairs'
import { keyTypeLabel } from '../utils/keypair-form'
import { CreateKeypairDialog } from './create-keypair-dialog'
import { ImportKeypairDialog } from './import-keypair-dialog'
import './key-pairs.css'

/** Compute → Key pairs: SSH keys Nova injects into new instances. They belong to the user, in every project. */
export function KeyPairsPage() {
  const session = useSession()
  const keypairs = useKeypairs()
  const remove = useDeleteKeypair()
  const toast = useToast()
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null)
  const [deleting, setDeleting] = useState<Keypair | null>(null)
  const all = [...(keypairs.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))
  const names = all.map((k) => k.name)

  const columns: Column<Keypair>[] = [
    { key: 'name', header: 'Name', render: (k) => <strong className="nowrap">{k.name}</strong> },
    { key: 'type', header: 'Type', render: (k) => <Badge>{keyTypeLabel(k.public_key)}</Badge> },
    {
      key: 'fingerprint',
      header: 'Fingerprint',
      className: 'col-grow',
      render: (k) => (
        <code className="fingerprint" data-testid="keypair-fingerprint">
          {k.fingerprint}
        </code>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (k) => (
        <span className="keypair-actions">
          <CopyButton text={k.public_key} label={`Copy the public key of ${k.name}`} />
          <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label={`Delete ${k.name}`} title={`Delete ${k.name}`} onClick={() => setDeleting(k)} data-testid="delete-keypair" />
        </span>
      ),
    },
  ]

  const buttons = (
    <>
      <Button icon="upload" onClick={() => setDialog('import')} data-testid="import-keypair">
        Import public key
      </Button>
      <Button variant="primary" icon="key" onClick={() => setDialog('create')} data-testid="create-keypair">
        Create key pair
      </Button>
    </>
  )

  return (
    <div className="page" data-testid="key-pairs-page">
      <PageHeader
        title="Key pairs"
        description={`SSH keys for logging in to instances: Nova puts the public key into each instance launched with it. They belong to you (${session.user.name}), whatever the project.`}
        api="GET /compute/v2.1/os-keypairs"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void keypairs.refetch()} loading={keypairs.isFetching && keypairs.status === 'success'} />
            {buttons}
          </>
        }
      />
      {keypairs.status === 'pending' ? (
        <LoadingState label="Loading key pairs…" />
      ) : keypairs.status === 'error' ? (
        <Alert tone="danger" title="Could not list the key pairs" data-testid="page-error" action={<Button onClick={() => void keypairs.refetch()}>Try again</Button>}>
          {describeError(keypairs.error, 'list key pairs')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="key" title="No key pairs yet" action={<span className="keypair-empty-actions">{buttons}</span>}>
          Create one here (you download its private key once), or import the public key you already use (<code>~/.ssh/id_ed25519.pub</code>).
        </EmptyState>
      ) : (
        <DataTable label="Key pairs" columns={columns} rows={all} rowKey={(k) => k.name} rowTestId="keypair-row" rowProps={(k) => ({ 'data-name': k.name })} />
      )}
      {dialog === 'create' ? <CreateKeypairDialog existing={names} onClose={() => setDialog(null)} /> : null}
      {dialog === 'import' ? <ImportKeypairDialog existing={names} onClose={() => setDialog(null)} onImported={(k) => toast(`Public key ${k.name} imported.`)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete key pair ${deleting.name}?`}
          confirmLabel="Delete key pair"
          describe={(e) => describeError(e, 'delete key pairs')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.name)
            toast(`Key pair ${deleting.name} deleted.`)
          }}
        >
          <p>
            New instances can no longer be launched with <strong>{deleting.name}</strong>. Instances that already have its public key keep it: remove it from their{' '}
            <code>authorized_keys</code> to lock it out.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
