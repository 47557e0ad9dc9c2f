import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { FilterToolbar } from '../../../components/ui/filter-toolbar'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import type { Network, Subnet } from '../../../lib/openstack/network'
import { Link, usePath } from '../../../lib/router'
import { useDeleteNetwork } from '../api/delete-network'
import { useNetworks } from '../api/get-networks'
import { useSubnets } from '../api/get-subnets'
import { describeDeleteNetworkError } from '../utils/network-errors'
import { CreateNetworkDialog } from './create-network-dialog'
import { NetworkDetail } from './network-detail'
import './networks.css'

/** Network → Networks: the list at `basePath`, one network with its subnets and ports at `basePath/{id}`. */
export function NetworksPage({ basePath }: { basePath: string }) {
  const path = usePath()
  const id = path.startsWith(`${basePath}/`) ? decodeURIComponent(path.slice(basePath.length + 1).split('/')[0] ?? '') : ''
  return id ? <NetworkDetail key={id} id={id} basePath={basePath} /> : <NetworkList basePath={basePath} />
}

/** The networks the project sees (its own, shared and external ones) with their subnets. */
function NetworkList({ basePath }: { basePath: string }) {
  const session = useSession()
  const networks = useNetworks()
  const subnets = useSubnets()
  const remove = useDeleteNetwork()
  const toast = useToast()
  const [filter, setFilter] = useState('')
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState<Network | null>(null)
  const subnetById = new Map<string, Subnet>((subnets.data ?? []).map((s) => [s.id, s]))
  const all = [...(networks.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))
  const needle = filter.trim().toLowerCase()
  const shown = needle
    ? all.filter((n) => n.name.toLowerCase().includes(needle) || n.id.includes(needle) || n.subnets.some((id) => subnetById.get(id)?.cidr.includes(needle)))
    : all
  const canDelete = (n: Network) => session.isAdmin || n.project_id === session.project?.id

  const columns: Column<Network>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-grow',
      render: (n) => (
        <span className="cell-name">
          <Link to={`${basePath}/${encodeURIComponent(n.id)}`} className="network-link" data-testid="network-link">
            {n.name || <span className="muted">(no name)</span>}
          </Link>
          {n.shared ? (
            <Badge tone="accent" title="Every project may attach instances to it" data-testid="badge-shared">
              shared
            </Badge>
          ) : null}
          {n['router:external'] ? (
            <Badge tone="info" title="Routers use it as their gateway; floating IPs come from it" data-testid="badge-external">
              external
            </Badge>
          ) : null}
        </span>
      ),
    },
    {
      key: 'subnets',
      header: 'Subnets',
      render: (n) =>
        n.subnets.length ? (
          <ul className="subnet-list">
            {n.subnets.map((id) => {
              const s = subnetById.get(id)
              return (
                <li key={id} data-testid="network-subnet">
                  {s ? (
                    <>
                      <code>{s.cidr}</code> <span className="muted small">{s.name}</span>
                    </>
                  ) : (
                    <code className="id-text">{id.slice(0, 8)}…</code>
                  )}
                </li>
              )
            })}
          </ul>
        ) : (
          <span className="muted">none</span>
        ),
    },
    {
      key: 'status',
      header: 'Status',
      render: (n) => (
        <Badge tone={n.status === 'ACTIVE' ? 'success' : n.status === 'ERROR' ? 'danger' : 'neutral'} dot>
          {n.status}
        </Badge>
      ),
    },
    { key: 'id', header: 'ID', render: (n) => <code className="id-text" title={n.id}>{`${n.id.slice(0, 8)}…`}</code> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (n) =>
        canDelete(n) ? (
          <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label={`Delete ${n.name}`} title={`Delete ${n.name}`} onClick={() => setDeleting(n)} data-testid="delete-network" />
        ) : null,
    },
  ]

  return (
    <div className="page" data-testid="networks-page">
      <PageHeader
        title="Networks"
        description="The layer-2 networks instances attach to, and the subnets that give them addresses."
        api="GET /networking/v2.0/networks"
        actions={
          <>
            <Button
              icon="refresh"
              aria-label="Refresh"
              title="Refresh"
              onClick={() => {
                void networks.refetch()
                void subnets.refetch()
              }}
              loading={networks.isFetching && networks.status === 'success'}
            />
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-network">
              Create network
            </Button>
          </>
        }
      />
      {networks.status === 'pending' ? (
        <LoadingState label="Loading networks…" />
      ) : networks.status === 'error' ? (
        <Alert tone="danger" title="Could not list the networks" data-testid="page-error" action={<Button onClick={() => void networks.refetch()}>Try again</Button>}>
          {describeError(networks.error, 'list networks')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="network" title="No networks" action={<Button onClick={() => setCreating(true)}>Create network</Button>}>
          Instances need a network to get an address.
        </EmptyState>
      ) : (
        <>
          <FilterToolbar
            filter={filter}
            onFilter={setFilter}
            placeholder="Filter by name, ID or CIDR"
            label="Filter networks"
            filterTestId="network-filter"
            summaryTestId="network-summary"
            live={false}
            liveTitle=""
          >
            {shown.length === all.length ? `${all.length} network${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length} networks`}
          </FilterToolbar>
          <DataTable label="Networks" columns={columns} rows={shown} rowKey={(n) => n.id} rowTestId="network-row" rowProps={(n) => ({ 'data-name': n.name, 'data-id': n.id })} />
        </>
      )}
      {creating ? <CreateNetworkDialog existing={all} isAdmin={session.isAdmin} onClose={() => setCreating(false)} onCreated={(n) => toast(`Network ${n.name} created.`)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete network ${deleting.name}?`}
          confirmLabel="Delete network"
          describe={(e) => describeDeleteNetworkError(e, deleting.name)}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.id)
            toast(`Network ${deleting.name} deleted.`)
          }}
        >
          <p>
            <strong>{deleting.name}</strong> and its {deleting.subnets.length === 1 ? 'subnet' : `${deleting.subnets.length} subnets`} are deleted. Neutron refuses while
            instances or routers still have ports on it.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
