import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { describeError } from '../../../lib/openstack/errors'
import type { Router } from '../../../lib/openstack/network'
import { usePath } from '../../../lib/router'
import { useNetworkNames, useRouters } from '../api/get-routers'
import './routers.css'

/**
 * Network → Routers (read-only): the routers that join the project's subnets to an external network. A link to
 * `/network/routers/{id}` (from the topology) marks that router's row.
 */
export function RoutersPage() {
  const path = usePath()
  const selected = path.startsWith('/network/routers/') ? decodeURIComponent(path.slice('/network/routers/'.length)) : ''
  const routers = useRouters()
  const netName = useNetworkNames()
  const all = [...(routers.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))
  const columns: Column<Router>[] = [
    { key: 'name', header: 'Name', className: 'col-grow', render: (r) => <strong>{r.name || <span className="muted">(no name)</span>}</strong> },
    {
      key: 'status',
      header: 'Status',
      render: (r) => (
        <Badge tone={r.status === 'ACTIVE' ? 'success' : r.status === 'ERROR' ? 'danger' : 'neutral'} dot>
          {r.status}
        </Badge>
      ),
    },
    {
      key: 'gateway',
      header: 'External gateway',
      render: (r) =>
        r.external_gateway_info ? (
          <span>
            {netName(r.external_gateway_info.network_id)}{' '}
            {r.external_gateway_info.external_fixed_ips?.map((f) => (
              <code key={f.ip_address}>{f.ip_address}</code>
            ))}
            {r.external_gateway_info.enable_snat === false ? <span className="muted small"> (no SNAT)</span> : null}
          </span>
        ) : (
          <span className="muted">none</span>
        ),
    },
    { key: 'id', header: 'ID', render: (r) => <code className="id-text" title={r.id}>{`${r.id.slice(0, 8)}…`}</code> },
  ]
  return (
    <div className="page" data-testid="routers-page">
      <PageHeader
        title="Routers"
        description="Routers forward between subnets and, through their gateway, to an external network (where floating IPs come from)."
        api="GET /networking/v2.0/routers"
        actions={<Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void routers.refetch()} loading={routers.isFetching && routers.status === 'success'} />}
      />
      {routers.status === 'pending' ? (
        <LoadingState label="Loading routers…" />
      ) : routers.status === 'error' ? (
        <Alert tone="danger" title="Could not list the routers" data-testid="page-error" action={<Button onClick={() => void routers.refetch()}>Try again</Button>}>
          {describeError(routers.error, 'list routers')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="network" title="No routers">
          Create one with <code>openstack router create</code>.
        </EmptyState>
      ) : (
        <DataTable label="Routers" columns={columns} rows={all} rowKey={(r) => r.id} rowTestId="router-row" rowProps={(r) => ({ 'data-name': r.name, 'data-id': r.id, className: r.id === selected ? 'row-selected' : undefined, 'data-selected': r.id === selected ? 'true' : undefined })} />
      )}
    </div>
  )
}
