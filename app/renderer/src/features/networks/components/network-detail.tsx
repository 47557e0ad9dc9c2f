import { useState, type ReactNode } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { CopyButton } from '../../../components/ui/copy-button'
import { Icon } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, IdText, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import { describeDevice, type Network, type Port, type Subnet } from '../../../lib/openstack/network'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling } from '../../../lib/query'
import { Link, navigate } from '../../../lib/router'
import { useDeleteNetwork } from '../api/delete-network'
import { useDeleteSubnet } from '../api/delete-subnet'
import { useNetworkPorts } from '../api/get-network-ports'
import { useNetworks } from '../api/get-networks'
import { useSubnets } from '../api/get-subnets'
import { describeDeleteNetworkError, describeDeleteSubnetError } from '../utils/network-errors'
import { CreateSubnetDialog } from './create-subnet-dialog'

const PORTS_POLL_MS = 5000

/** One network (`/network/networks/{id}`): its attributes, its subnets (create, delete) and what is plugged into it. */
export function NetworkDetail({ id, basePath }: { id: string; basePath: string }) {
  const session = useSession()
  const networks = useNetworks()
  const subnets = useSubnets()
  const back = (
    <Link to={basePath} className="back-link" data-testid="back-to-networks">
      <Icon name="arrowLeft" /> Networks
    </Link>
  )
  const network = networks.data?.find((n) => n.id === id)
  if (networks.status === 'pending') {
    return (
      <div className="page" data-testid="network-detail">
        {back}
        <LoadingState label="Loading the network…" />
      </div>
    )
  }
  if (!network) {
    return (
      <div className="page" data-testid="network-detail">
        {back}
        {networks.status === 'error' ? (
          <Alert tone="danger" title="Could not load the network" data-testid="page-error" action={<Button onClick={() => void networks.refetch()}>Try again</Button>}>
            {describeError(networks.error, 'list networks')}
          </Alert>
        ) : (
          <Alert tone="warning" title="This network no longer exists" data-testid="page-error">
            No network with the ID {id} is visible to project {session.project?.name ?? ''}: it was deleted, or belongs to another project.
          </Alert>
        )}
      </div>
    )
  }
  const own = (subnets.data ?? []).filter((s) => s.network_id === network.id).sort((a, b) => a.cidr.localeCompare(b.cidr, undefined, { numeric: true }))
  return <NetworkDetailLoaded network={network} subnets={own} subnetsState={subnets} back={back} basePath={basePath} />
}

function NetworkDetailLoaded({
  network: n,
  subnets,
  subnetsState,
  back,
  basePath,
}: {
  network: Network
  subnets: Subnet[]
  subnetsState: ReturnType<typeof useSubnets>
  back: ReactNode
  basePath: string
}) {
  const session = useSession()
  const toast = useToast()
  const visible = usePageVisible()
  const ports = useNetworkPorts(n.id)
  usePolling(visible && ports.status !== 'pending', ports.isFetching, ports.refetch, PORTS_POLL_MS)
  const removeSubnet = useDeleteSubnet()
  const removeNetwork = useDeleteNetwork()
  const [creating, setCreating] = useState(false)
  const [deletingSubnet, setDeletingSubnet] = useState<Subnet | null>(null)
  const [deletingNetwork, setDeletingNetwork] = useState(false)
  const canEdit = session.isAdmin || n.project_id === session.project?.id
  const subnetOf = new Map(subnets.map((s) => [s.id, s]))

  const subnetColumns: Column<Subnet>[] = [
    { key: 'name', header: 'Name', render: (s) => <strong>{s.name || <span className="muted">(no name)</span>}</strong> },
    { key: 'cidr', header: 'Range', render: (s) => <code data-testid="subnet-cidr-cell">{s.cidr}</code> },
    { key: 'gateway', header: 'Gateway', render: (s) => (s.gateway_ip ? <code>{s.gateway_ip}</code> : <span className="muted">none</span>) },
    {
      key: 'dhcp',
      header: 'DHCP',
      render: (s) => (
        <Badge tone={s.enable_dhcp ? 'success' : 'neutral'} data-testid="subnet-dhcp-cell">
          {s.enable_dhcp ? 'on' : 'off'}
        </Badge>
      ),
    },
    { key: 'dns', header: 'DNS', render: (s) => (s.dns_nameservers?.length ? <span className="subnet-values">{s.dns_nameservers.map((d) => <code key={d}>{d}</code>)}</span> : <span className="muted">—</span>) },
    {
      key: 'pools',
      header: 'Allocation pools',
      className: 'col-grow',
      render: (s) =>
        s.allocation_pools?.length ? (
          <span className="subnet-values">
            {s.allocation_pools.map((p) => (
              <code key={p.start}>
                {p.start} – {p.end}
              </code>
            ))}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (s) =>
        canEdit ? (
          <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label={`Delete subnet ${s.cidr}`} title={`Delete subnet ${s.cidr}`} onClick={() => setDeletingSubnet(s)} data-testid="delete-subnet" />
        ) : null,
    },
  ]

  const portColumns: Column<Port>[] = [
    {
      key: 'device',
      header: 'Device',
      className: 'col-grow',
      render: (p) => {
        const d = describeDevice(p)
        return (
          <span className="cell-name">
            <span>{d.kind}</span>
            {d.path && p.device_id ? (
              <Link to={d.path} title={p.device_id}>
                <IdText id={p.device_id} />
              </Link>
            ) : null}
          </span>
        )
      },
    },
    {
      key: 'ips',
      header: 'Fixed IPs',
      render: (p) => (
        <span className="subnet-values">
          {p.fixed_ips.map((f) => (
            <code key={f.ip_address} title={subnetOf.get(f.subnet_id)?.cidr}>
              {f.ip_address}
            </code>
          ))}
        </span>
      ),
    },
    { key: 'mac', header: 'MAC', render: (p) => <code className="id-text">{p.mac_address}</code> },
    {
      key: 'status',
      header: 'Status',
      render: (p) => (
        <Badge tone={p.status === 'ACTIVE' ? 'success' : p.status === 'DOWN' ? 'neutral' : 'warning'} dot>
          {p.status}
        </Badge>
      ),
    },
  ]

  const sortedPorts = [...(ports.data ?? [])].sort((a, b) => a.device_owner.localeCompare(b.device_owner) || (a.fixed_ips[0]?.ip_address ?? '').localeCompare(b.fixed_ips[0]?.ip_address ?? '', undefined, { numeric: true }))
  const cli = [`openstack network show ${shellQuote(n.id)}`, `openstack subnet list --network ${shellQuote(n.id)}`, `openstack port list --network ${shellQuote(n.id)}`]

  return (
    <div className="page" data-testid="network-detail" data-id={n.id} data-name={n.name}>
      {back}
      <PageHeader
        title={
          <span className="cell-name">
            <span data-testid="network-title">{n.name || '(no name)'}</span>
            <Badge tone={n.status === 'ACTIVE' ? 'success' : n.status === 'ERROR' ? 'danger' : 'neutral'} dot>
              {n.status}
            </Badge>
            {n['router:external'] ? <Badge tone="info">external</Badge> : null}
            {n.shared ? <Badge tone="accent">shared</Badge> : null}
          </span>
        }
        description={
          n['router:external']
            ? 'An external network: routers use it as their gateway and floating IPs come from it.'
            : 'A layer-2 network. Its subnets give the instances plugged into it their addresses.'
        }
        api={`GET /networking/v2.0/subnets · GET /networking/v2.0/ports?network_id=${n.id}`}
        actions={
          canEdit ? (
            <>
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-subnet">
                Create subnet
              </Button>
              <Button variant="danger" icon="trash" onClick={() => setDeletingNetwork(true)} data-testid="delete-network-detail">
                Delete network
              </Button>
            </>
          ) : undefined
        }
      />
      <div className="network-detail-grid">
        <Card title="Network">
          <dl className="detail-list">
            <Row label="ID">
              <span className="copyable">
                <code className="id-text">{n.id}</code>
                <CopyButton text={n.id} />
              </span>
            </Row>
            <Row label="Admin state">{n.admin_state_up ? 'up' : 'down'}</Row>
            <Row label="Shared">{n.shared ? 'yes: every project may attach to it' : 'no'}</Row>
            <Row label="External">{n['router:external'] ? 'yes: a router gateway and floating IP pool' : 'no'}</Row>
            {n.mtu ? <Row label="MTU">{n.mtu}</Row> : null}
            <Row label="Project ID">
              <code className="id-text">{n.project_id}</code>
            </Row>
          </dl>
        </Card>
        <Card title="In a terminal">
          <ul className="cli-list">
            {cli.map((c) => (
              <li key={c} className="cli-line">
                <code>{`$ ${c}`}</code>
                <CopyButton text={c} label="Copy the command" />
              </li>
            ))}
          </ul>
        </Card>
      </div>
      <Card title={`Subnets (${subnets.length})`} data-testid="network-subnets">
        {subnetsState.status === 'error' ? (
          <Alert tone="danger" title="Could not list the subnets" action={<Button onClick={() => void subnetsState.refetch()}>Try again</Button>}>
            {describeError(subnetsState.error, 'list subnets')}
          </Alert>
        ) : subnets.length ? (
          <DataTable label={`Subnets of ${n.name}`} columns={subnetColumns} rows={subnets} rowKey={(s) => s.id} rowTestId="subnet-row" rowProps={(s) => ({ 'data-cidr': s.cidr, 'data-name': s.name })} />
        ) : (
          <p className="muted" data-testid="no-subnets">
            No subnet: instances on this network get no address.{' '}
            {canEdit ? (
              <Button size="sm" onClick={() => setCreating(true)}>
                Create one
              </Button>
            ) : null}
          </p>
        )}
      </Card>
      <Card
        title={
          <span className="cell-name">
            Ports on this network ({sortedPorts.length})
            {visible ? (
              <span className="live" title={`Refreshing every ${PORTS_POLL_MS / 1000} seconds`}>
                <span className="live-dot" aria-hidden="true" /> live
              </span>
            ) : null}
          </span>
        }
        actions={<Link to={`/network/ports?network=${encodeURIComponent(n.id)}`}>All ports →</Link>}
        data-testid="network-ports"
      >
        {ports.status === 'pending' ? (
          <LoadingState label="Loading ports…" />
        ) : ports.status === 'error' && !ports.data ? (
          <Alert tone="danger" title="Could not list the ports" action={<Button onClick={() => void ports.refetch()}>Try again</Button>}>
            {describeError(ports.error, 'list ports')}
          </Alert>
        ) : sortedPorts.length ? (
          <DataTable label={`Ports on ${n.name}`} columns={portColumns} rows={sortedPorts} rowKey={(p) => p.id} rowTestId="network-port-row" />
        ) : (
          <p className="muted">Nothing is plugged in yet: launch an instance on this network, or add it to a router.</p>
        )}
      </Card>
      {creating ? <CreateSubnetDialog network={n} existing={subnets} onClose={() => setCreating(false)} onCreated={(s) => toast(`Subnet ${s.cidr} created on ${n.name}.`)} /> : null}
      {deletingSubnet ? (
        <ConfirmDialog
          title={`Delete subnet ${deletingSubnet.cidr}?`}
          confirmLabel="Delete subnet"
          describe={(e) => describeDeleteSubnetError(e, deletingSubnet.cidr)}
          onClose={() => setDeletingSubnet(null)}
          onConfirm={async () => {
            await removeSubnet.mutateAsync(deletingSubnet.id)
            toast(`Subnet ${deletingSubnet.cidr} deleted.`)
          }}
        >
          <p>
            <strong>{deletingSubnet.name || deletingSubnet.cidr}</strong> ({deletingSubnet.cidr}) is deleted. Neutron refuses while instances or router interfaces
            have addresses on it.
          </p>
        </ConfirmDialog>
      ) : null}
      {deletingNetwork ? (
        <ConfirmDialog
          title={`Delete network ${n.name}?`}
          confirmLabel="Delete network"
          describe={(e) => describeDeleteNetworkError(e, n.name)}
          onClose={() => setDeletingNetwork(false)}
          onConfirm={async () => {
            await removeNetwork.mutateAsync(n.id)
            toast(`Network ${n.name} deleted.`)
            navigate(basePath)
          }}
        >
          <p>
            <strong>{n.name}</strong> and its {subnets.length === 1 ? 'subnet' : `${subnets.length} subnets`} are deleted. Neutron refuses while instances or routers
            still have ports on it.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}
