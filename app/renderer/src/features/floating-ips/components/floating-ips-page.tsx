import { useState } from 'react'
import { HostAccess } from '../../../components/host-access'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import type { FloatingIp } from '../../../lib/openstack/network'
import { Link, usePath } from '../../../lib/router'
import { FIP_POLL_MS, useFloatingIps } from '../api/get-floating-ips'
import { associateBlocker } from '../utils/floating-ip-form'
import { useFipNames } from './use-fip-names'
import { AllocateDialog } from './allocate-dialog'
import { FloatingIpActionDialogs, type FloatingIpAction } from './floating-ip-actions'
import { FipStatus } from './fip-status'
import { FloatingIpDetail } from './floating-ip-detail'
import './floating-ips.css'

/** Network → Floating IPs: the list at `basePath`, one floating IP with its port forwardings at `basePath/{id}`. */
export function FloatingIpsPage({ basePath }: { basePath: string }) {
  const path = usePath()
  const id = path.startsWith(`${basePath}/`) ? decodeURIComponent(path.slice(basePath.length + 1).split('/')[0] ?? '') : ''
  return id ? <FloatingIpDetail key={id} id={id} basePath={basePath} /> : <FloatingIpList basePath={basePath} />
}

/** Public addresses of the project, what each maps to, and how to reach that instance from this computer. */
function FloatingIpList({ basePath }: { basePath: string }) {
  const session = useSession()
  const toast = useToast()
  const fips = useFloatingIps()
  const names = useFipNames()
  const [allocating, setAllocating] = useState(false)
  const [action, setAction] = useState<FloatingIpAction | null>(null)
  const canWrite = session.roles.some((r) => r !== 'reader')
  const canEdit = (f: FloatingIp) => canWrite && (session.isAdmin || f.project_id === session.project?.id)
  const all = [...(fips.data ?? [])].sort((a, b) => a.floating_ip_address.localeCompare(b.floating_ip_address, undefined, { numeric: true }))

  const columns: Column<FloatingIp>[] = [
    {
      key: 'address',
      header: 'Floating IP',
      render: (f) => (
        <Link to={`${basePath}/${encodeURIComponent(f.id)}`} className="fip-link" data-testid="fip-link">
          <code>{f.floating_ip_address}</code>
        </Link>
      ),
    },
    { key: 'pool', header: 'Pool', render: (f) => names.pool(f.floating_network_id) },
    {
      key: 'fixed',
      header: 'Mapped to',
      render: (f) => {
        if (!f.port_id) return <span className="muted">not associated</span>
        const server = names.serverOf(f)
        return (
          <span className="fip-target" data-testid="fip-target">
            {server ? (
              <Link to={`/compute/instances/${encodeURIComponent(server.id)}`}>{server.name}</Link>
            ) : (
              <span className="muted small">{f.port_details?.device_owner || 'port'}</span>
            )}
            <code>{f.fixed_ip_address}</code>
          </span>
        )
      },
    },
    {
      key: 'access',
      header: 'From this computer',
      className: 'col-grow',
      render: (f) =>
        f.port_id ? (
          f.host_forwards?.length ? (
            <HostAccess forwards={f.host_forwards} user={names.userFor(f)} compact />
          ) : (
            <span className="muted small" title="The cloud forwards ports of 127.0.0.1 to an associated floating IP">
              no forwarded port (yet)
            </span>
          )
        ) : f.port_forwardings?.length ? (
          <span className="fip-forwardings" data-testid="fip-forwardings">
            {f.port_forwardings.map((p) => (
              <code key={`${p.protocol}-${p.external_port}`} className="id-text">
                {p.protocol} 127.0.0.1:{p.external_port} → {p.internal_ip_address}:{p.internal_port}
              </code>
            ))}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { key: 'status', header: 'Status', render: (f) => <FipStatus fip={f} /> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (f) =>
        canEdit(f) ? (
          <span className="fip-actions">
            {f.port_id ? (
              <Button size="sm" icon="close" onClick={() => setAction({ kind: 'disassociate', fip: f })} data-testid="fip-disassociate">
                Disassociate
              </Button>
            ) : (
              <Button
                size="sm"
                icon="link"
                onClick={() => setAction({ kind: 'associate', fip: f })}
                disabled={Boolean(associateBlocker(f))}
                title={associateBlocker(f) ?? undefined}
                data-testid="fip-associate"
              >
                Associate
              </Button>
            )}
            <Button
              size="sm"
              variant="ghost"
              icon="trash"
              className="btn-danger-ghost"
              aria-label={`Release ${f.floating_ip_address}`}
              title={`Release ${f.floating_ip_address}`}
              onClick={() => setAction({ kind: 'release', fip: f })}
              data-testid="fip-release"
            />
          </span>
        ) : null,
    },
  ]

  const allocateButton = (testId: string) =>
    canWrite ? (
      <Button variant="primary" icon="plus" onClick={() => setAllocating(true)} data-testid={testId}>
        Allocate IP
      </Button>
    ) : null

  return (
    <div className="page page-fips" data-testid="floating-ips-page">
      <PageHeader
        title="Floating IPs"
        description="Addresses on an external network that a router maps to an instance's fixed address. Here the external network lives inside this computer: the cloud forwards ports of 127.0.0.1 to each associated one."
        api="GET /networking/v2.0/floatingips"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void fips.refetch()} loading={fips.isFetching && fips.status !== 'pending'} />
            {allocateButton('allocate-fip')}
          </>
        }
      />
      {fips.status === 'pending' ? (
        <LoadingState label="Loading floating IPs…" />
      ) : fips.status === 'error' && !fips.data ? (
        <Alert tone="danger" title="Could not list the floating IPs" data-testid="page-error" action={<Button onClick={() => void fips.refetch()}>Try again</Button>}>
          {describeError(fips.error, 'list floating IPs')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="link" title="No floating IPs" action={allocateButton('allocate-fip-empty') ?? undefined}>
          Allocate one from <code>public</code>, then associate it with an instance (<code>openstack floating ip create public</code>).
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <span className="muted toolbar-summary" data-testid="fip-summary">
              {fips.live ? (
                <span className="live" title={`Refreshing every ${FIP_POLL_MS / 1000} seconds`}>
                  <span className="live-dot" aria-hidden="true" /> live
                </span>
              ) : null}
              {all.length} floating IP{all.length === 1 ? '' : 's'} · {all.filter((f) => f.port_id).length} associated
            </span>
          </div>
          <DataTable
            label="Floating IPs"
            columns={columns}
            rows={all}
            rowKey={(f) => f.id}
            rowTestId="floating-ip-row"
            rowProps={(f) => ({ 'data-address': f.floating_ip_address, 'data-id': f.id, 'data-status': f.status, 'data-associated': f.port_id ? 'yes' : 'no' })}
          />
        </>
      )}
      {allocating ? <AllocateDialog pools={names.pools} onClose={() => setAllocating(false)} onAllocated={(f) => toast(`${f.floating_ip_address} allocated from ${names.pool(f.floating_network_id)}.`)} /> : null}
      <FloatingIpActionDialogs action={action} onClose={() => setAction(null)} poolName={names.pool} instanceName={(f) => names.serverOf(f)?.name} />
    </div>
  )
}
