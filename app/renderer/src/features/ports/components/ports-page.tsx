import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { Icon } from '../../../components/ui/icons'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, IdText, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import { describeDevice, type Port, type PortFilters } from '../../../lib/openstack/network'
import { currentQuery, Link } from '../../../lib/router'
import { PORTS_POLL_MS, usePortContext, usePorts } from '../api/get-ports'
import { useDeletePort } from '../api/port-mutations'
import { ANY, deleteBlocker, groupNames, OWNER_FILTERS, securityGroupsBlocker } from '../utils/port-form'
import { CreatePortDialog } from './create-port-dialog'
import { PortSecurityGroupsDialog } from './port-security-groups-dialog'
import './ports.css'

/**
 * Network → Ports: every port the project sees (an instance's network card, a router interface, a DHCP server, a
 * floating IP's address), filtered by network and device owner through Neutron's own filters.
 */
export function PortsPage() {
  const session = useSession()
  const toast = useToast()
  const [networkId, setNetworkId] = useState(() => currentQuery().get('network') ?? '')
  const [owner, setOwner] = useState(ANY)
  const [text, setText] = useState('')
  const filters: PortFilters = { network_id: networkId || undefined, device_owner: owner === ANY ? undefined : owner }
  const ports = usePorts(filters)
  const ctx = usePortContext()
  const remove = useDeletePort()
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<Port | null>(null)
  const [deleting, setDeleting] = useState<Port | null>(null)
  const canWrite = session.roles.some((r) => r !== 'reader')

  const networks = [...(ctx.networks.data ?? [])].sort((a, b) => a.name.localeCompare(b.name))
  const netName = (id: string) => networks.find((n) => n.id === id)?.name ?? `${id.slice(0, 8)}…`
  const groups = ctx.groups.data ?? []
  const deviceName = (p: Port) => {
    if (p.device_owner.startsWith('compute:')) return ctx.servers.data?.find((s) => s.id === p.device_id)?.name
    if (p.device_owner.startsWith('network:router')) return ctx.routers.data?.find((r) => r.id === p.device_id)?.name
    return undefined
  }
  const all = [...(ports.data ?? [])].sort((a, b) => netName(a.network_id).localeCompare(netName(b.network_id)) || (a.fixed_ips[0]?.ip_address ?? '').localeCompare(b.fixed_ips[0]?.ip_address ?? '', undefined, { numeric: true }))
  const needle = text.trim().toLowerCase()
  const shown = needle
    ? all.filter((p) => [p.name, p.id, p.mac_address, p.device_id, deviceName(p) ?? '', ...p.fixed_ips.map((f) => f.ip_address)].some((v) => v.toLowerCase().includes(needle)))
    : all
  const canEdit = (p: Port) => canWrite && (session.isAdmin || p.project_id === session.project?.id)

  const columns: Column<Port>[] = [
    {
      key: 'name',
      header: 'Port',
      render: (p) => (
        <span className="port-name-cell">
          {p.name ? <strong>{p.name}</strong> : <span className="muted">(no name)</span>}
          <IdText id={p.id} />
        </span>
      ),
    },
    {
      key: 'network',
      header: 'Network',
      render: (p) => (
        <Link to={`/network/networks/${encodeURIComponent(p.network_id)}`} className="nowrap">
          {netName(p.network_id)}
        </Link>
      ),
    },
    {
      key: 'ips',
      header: 'Fixed IPs',
      render: (p) =>
        p.fixed_ips.length ? (
          <span className="port-values" data-testid="port-ips">
            {p.fixed_ips.map((f) => (
              <code key={f.ip_address}>{f.ip_address}</code>
            ))}
          </span>
        ) : (
          <span className="muted">none</span>
        ),
    },
    { key: 'mac', header: 'MAC', render: (p) => <code className="id-text">{p.mac_address}</code> },
    {
      key: 'device',
      header: 'Device',
      className: 'col-grow',
      render: (p) => {
        const d = describeDevice(p)
        const name = deviceName(p)
        return (
          <span className="port-device" data-testid="port-device">
            <span className="muted small">{d.kind}</span>
            {d.path && p.device_id ? <Link to={d.path}>{name ?? <IdText id={p.device_id} />}</Link> : null}
          </span>
        )
      },
    },
    {
      key: 'groups',
      header: 'Security groups',
      render: (p) =>
        p.security_groups.length ? (
          <span className="port-values">
            {groupNames(p.security_groups, groups).map((g, i) => (
              <Badge key={`${g}-${i}`}>{g}</Badge>
            ))}
          </span>
        ) : (
          <span className="muted">none</span>
        ),
    },
    {
      key: 'status',
      header: 'Status',
      render: (p) => (
        <Badge tone={p.status === 'ACTIVE' ? 'success' : p.status === 'DOWN' ? 'neutral' : 'warning'} dot data-testid="port-status" title={p.status === 'DOWN' ? 'Not bound: no instance or router uses it (or it is disabled)' : 'Bound and up'}>
          {p.status}
        </Badge>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (p) => {
        if (!canEdit(p)) return null
        const sgWhy = securityGroupsBlocker(p)
        const delWhy = deleteBlocker(p)
        return (
          <span className="port-actions">
            <Button size="sm" variant="ghost" icon="lock" aria-label="Edit security groups" title={sgWhy ?? 'Edit security groups'} disabled={Boolean(sgWhy)} onClick={() => setEditing(p)} data-testid="edit-port-groups" />
            <Button
              size="sm"
              variant="ghost"
              icon="trash"
              className="btn-danger-ghost"
              aria-label="Delete port"
              title={delWhy ?? 'Delete port'}
              disabled={Boolean(delWhy) && !session.isAdmin}
              onClick={() => setDeleting(p)}
              data-testid="delete-port"
            />
          </span>
        )
      },
    },
  ]

  return (
    <div className="page page-ports" data-testid="ports-page">
      <PageHeader
        title="Ports"
        description="A port is a plug on a network: an address and a MAC for an instance's network card, a router's interface, a DHCP server or a floating IP."
        api="GET /networking/v2.0/ports"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void ports.refetch()} loading={ports.isFetching && ports.status !== 'pending'} />
            {canWrite ? (
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-port">
                Create port
              </Button>
            ) : null}
          </>
        }
      />
      <div className="toolbar ports-toolbar">
        <label className="search">
          <Icon name="search" />
          <input className="input" type="search" placeholder="Filter by name, ID, IP, MAC or device" value={text} onChange={(e) => setText(e.target.value)} aria-label="Filter ports" data-testid="port-filter" />
        </label>
        <label className="ports-select">
          <span className="muted small">Network</span>
          <select className="input select" value={networkId} onChange={(e) => setNetworkId(e.target.value)} data-testid="port-network-filter">
            <option value="">All networks</option>
            {networks.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name || n.id}
              </option>
            ))}
          </select>
        </label>
        <label className="ports-select">
          <span className="muted small">Device owner</span>
          <select className="input select" value={owner} onChange={(e) => setOwner(e.target.value)} data-testid="port-owner-filter">
            <option value={ANY}>Any</option>
            {OWNER_FILTERS.map((o) => (
              <option key={o.value || 'none'} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted toolbar-summary" data-testid="port-summary">
          {ports.live ? (
            <span className="live" title={`Refreshing every ${PORTS_POLL_MS / 1000} seconds`}>
              <span className="live-dot" aria-hidden="true" /> live
            </span>
          ) : null}
          {shown.length === all.length ? `${all.length} port${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length} ports`}
        </span>
      </div>
      {ports.status === 'pending' ? (
        <LoadingState label="Loading ports…" />
      ) : ports.status === 'error' && !ports.data ? (
        <Alert tone="danger" title="Could not list the ports" data-testid="page-error" action={<Button onClick={() => void ports.refetch()}>Try again</Button>}>
          {describeError(ports.error, 'list ports')}
        </Alert>
      ) : shown.length === 0 ? (
        <EmptyState icon="port" title={all.length ? 'Nothing matches' : networkId || owner !== ANY ? 'No port matches these filters' : 'No ports'}>
          {all.length || networkId || owner !== ANY ? 'Change the filters above.' : 'Launch an instance or add a router interface: each makes a port.'}
        </EmptyState>
      ) : (
        <DataTable
          label="Ports"
          columns={columns}
          rows={shown}
          rowKey={(p) => p.id}
          rowTestId="port-row"
          rowProps={(p) => ({ 'data-id': p.id, 'data-name': p.name, 'data-status': p.status, 'data-owner': p.device_owner, 'data-ip': p.fixed_ips[0]?.ip_address ?? '' })}
        />
      )}
      {creating ? (
        <CreatePortDialog
          networks={networks}
          subnets={ctx.subnets.data ?? []}
          groups={groups}
          projectId={session.project?.id}
          initialNetworkId={networkId}
          onClose={() => setCreating(false)}
          onCreated={(p) => toast(`Port ${p.fixed_ips.map((f) => f.ip_address).join(', ') || p.id} created on ${netName(p.network_id)}.`)}
        />
      ) : null}
      {editing ? <PortSecurityGroupsDialog port={editing} groups={groups} onClose={() => setEditing(null)} onSaved={() => toast('Security groups of the port saved: they apply at once.')} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this port?"
          confirmLabel="Delete port"
          describe={(e) =>
            e instanceof OpenStackError && e.status === 409 ? `${deleteBlocker(deleting) ?? 'Neutron manages this port.'} (${e.message})` : describeError(e, 'delete this port (only its project or an admin may)')
          }
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.id)
            toast(`Port ${deleting.fixed_ips[0]?.ip_address ?? deleting.id} deleted.`)
          }}
        >
          <p>
            The port <code>{deleting.fixed_ips.map((f) => f.ip_address).join(', ') || deleting.id}</code> on <strong>{netName(deleting.network_id)}</strong> is deleted
            and its address goes back to the pool.
          </p>
          {deleting.device_owner.startsWith('compute:') ? (
            <Alert tone="warning" title="An instance uses it">
              {deviceName(deleting) ?? 'The instance'} loses this network card at once: its connections on {netName(deleting.network_id)} stop.
            </Alert>
          ) : deleteBlocker(deleting) ? (
            <Alert tone="warning" title="Neutron manages this port">
              {deleteBlocker(deleting)}
            </Alert>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
