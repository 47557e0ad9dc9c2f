import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import type { Flavor } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { useDeleteFlavor } from '../api/delete-flavor'
import { useFlavors } from '../api/get-flavors'
import { CreateFlavorDialog } from './create-flavor-dialog'
import './flavors.css'

const ram = (mb: number) => (mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`)

/** Compute → Flavors: the sizes instances come in. Everyone lists them; admins create and delete them. */
export function FlavorsPage() {
  const session = useSession()
  const flavors = useFlavors(session.isAdmin)
  const remove = useDeleteFlavor()
  const toast = useToast()
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState<Flavor | null>(null)
  const all = [...(flavors.data ?? [])].sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram || a.disk - b.disk || a.name.localeCompare(b.name))

  const columns: Column<Flavor>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-grow',
      render: (f) => (
        <span className="cell-name">
          <strong>{f.name}</strong>
          {f['os-flavor-access:is_public'] === false ? (
            <Badge tone="accent" title="Only the projects it was given to (and admins) can use it">
              private
            </Badge>
          ) : null}
        </span>
      ),
    },
    { key: 'id', header: 'ID', render: (f) => <code className="id-text" title={f.id}>{f.id.length > 12 ? `${f.id.slice(0, 8)}…` : f.id}</code> },
    { key: 'vcpus', header: 'vCPUs', className: 'col-num', render: (f) => f.vcpus },
    { key: 'ram', header: 'RAM', className: 'col-num', render: (f) => ram(f.ram) },
    { key: 'disk', header: 'Root disk', className: 'col-num', render: (f) => (f.disk ? `${f.disk} GB` : <span title="The root disk takes the image's size">image size</span>) },
    { key: 'ephemeral', header: 'Ephemeral', className: 'col-num', render: (f) => (f['OS-FLV-EXT-DATA:ephemeral'] ? `${f['OS-FLV-EXT-DATA:ephemeral']} GB` : <span className="muted">—</span>) },
    { key: 'swap', header: 'Swap', className: 'col-num', render: (f) => (f.swap ? `${f.swap} MB` : <span className="muted">—</span>) },
    ...(session.isAdmin
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            className: 'col-actions',
            render: (f: Flavor) => (
              <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label={`Delete ${f.name}`} title={`Delete ${f.name}`} onClick={() => setDeleting(f)} data-testid="delete-flavor" />
            ),
          },
        ]
      : []),
  ]

  return (
    <div className="page" data-testid="flavors-page">
      <PageHeader
        title="Flavors"
        description="The sizes an instance comes in: vCPUs, memory and disk. Every instance is launched with one."
        api={`GET /compute/v2.1/flavors/detail${session.isAdmin ? '?is_public=None' : ''}`}
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void flavors.refetch()} loading={flavors.isFetching && flavors.status === 'success'} />
            {session.isAdmin ? (
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-flavor">
                Create flavor
              </Button>
            ) : null}
          </>
        }
      />
      {!session.isAdmin ? (
        <Alert tone="info" data-testid="not-admin-notice">
          Creating and deleting flavors needs the admin role. You see the public flavors and the private ones given to project {session.project?.name ?? ''}.
        </Alert>
      ) : null}
      {flavors.status === 'pending' ? (
        <LoadingState label="Loading flavors…" />
      ) : flavors.status === 'error' ? (
        <Alert tone="danger" title="Could not list the flavors" data-testid="page-error" action={<Button onClick={() => void flavors.refetch()}>Try again</Button>}>
          {describeError(flavors.error, 'list flavors')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="flavor" title="No flavors" action={session.isAdmin ? <Button onClick={() => setCreating(true)}>Create flavor</Button> : undefined}>
          Without a flavor no instance can be launched.
        </EmptyState>
      ) : (
        <DataTable label="Flavors" columns={columns} rows={all} rowKey={(f) => f.id} rowTestId="flavor-row" rowProps={(f) => ({ 'data-name': f.name, 'data-id': f.id })} />
      )}
      {creating ? <CreateFlavorDialog existing={all} onClose={() => setCreating(false)} onCreated={(f) => toast(`Flavor ${f.name} created.`)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete flavor ${deleting.name}?`}
          confirmLabel="Delete flavor"
          describe={(e) => describeError(e, 'delete flavors')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.id)
            toast(`Flavor ${deleting.name} deleted.`)
          }}
        >
          <p>
            No new instance can be launched with <strong>{deleting.name}</strong>. Instances already running with it keep their size (Nova stores a copy of the flavor
            with each).
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
