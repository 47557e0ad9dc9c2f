import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { describeError } from '../../../lib/openstack/errors'
import type { FloatingIp } from '../../../lib/openstack/network'
import { useFloatingIps } from '../api/get-floating-ips'
import { useNetworkNames } from '../api/get-routers'

/** Network → Floating IPs (read-only): public addresses and the fixed address each is mapped to. */
export function FloatingIpsPage() {
  const fips = useFloatingIps()
  const netName = useNetworkNames()
  const all = [...(fips.data ?? [])].sort((a, b) => a.floating_ip_address.localeCompare(b.floating_ip_address, undefined, { numeric: true }))
  const columns: Column<FloatingIp>[] = [
    { key: 'address', header: 'Floating IP', className: 'col-grow', render: (f) => <code>{f.floating_ip_address}</code> },
    { key: 'pool', header: 'Pool', render: (f) => netName(f.floating_network_id) },
    { key: 'fixed', header: 'Mapped to', render: (f) => (f.fixed_ip_address ? <code>{f.fixed_ip_address}</code> : <span className="muted">not associated</span>) },
    {
      key: 'status',
      header: 'Status',
      render: (f) => (
        <Badge tone={f.status === 'ACTIVE' ? 'success' : f.status === 'ERROR' ? 'danger' : 'neutral'} dot>
          {f.status}
        </Badge>
      ),
    },
  ]
  return (
    <div className="page" data-testid="floating-ips-page">
      <PageHeader
        title="Floating IPs"
        description="Addresses on an external network that a router maps to an instance's fixed address."
        api="GET /networking/v2.0/floatingips"
        actions={<Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void fips.refetch()} loading={fips.isFetching && fips.status === 'success'} />}
      />
      {fips.status === 'pending' ? (
        <LoadingState label="Loading floating IPs…" />
      ) : fips.status === 'error' ? (
        <Alert tone="danger" title="Could not list the floating IPs" data-testid="page-error" action={<Button onClick={() => void fips.refetch()}>Try again</Button>}>
          {describeError(fips.error, 'list floating IPs')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="network" title="No floating IPs">
          Allocate one with <code>openstack floating ip create public</code>.
        </EmptyState>
      ) : (
        <DataTable label="Floating IPs" columns={columns} rows={all} rowKey={(f) => f.id} rowTestId="floating-ip-row" rowProps={(f) => ({ 'data-address': f.floating_ip_address })} />
      )}
    </div>
  )
}
