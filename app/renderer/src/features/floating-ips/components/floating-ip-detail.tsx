import { useState, type ReactNode } from 'react'
import { HostAccess } from '../../../components/host-access'
import { Alert } from '../../../components/ui/alert'
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
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import { LOOPBACK } from '../../../lib/openstack/host-access'
import type { FloatingIp, PortForwarding } from '../../../lib/openstack/network'
import { Link, navigate } from '../../../lib/router'
import { useDeletePortForwarding } from '../api/floating-ip-mutations'
import { useFloatingIps, usePortForwardings } from '../api/get-floating-ips'
import { associateBlocker, forwardingBlocker } from '../utils/floating-ip-form'
import { FloatingIpActionDialogs, type FloatingIpAction } from './floating-ip-actions'
import { FipStatus } from './fip-status'
import { PortForwardingDialog } from './port-forwarding-dialog'
import { useFipNames } from './use-fip-names'

/** One floating IP (`/network/floating-ips/{id}`): what it maps to, how to reach it from here, its port forwardings. */
export function FloatingIpDetail({ id, basePath }: { id: string; basePath: string }) {
  const fips = useFloatingIps()
  const back = (
    <Link to={basePath} className="back-link" data-testid="back-to-fips">
      <Icon name="arrowLeft" /> Floating IPs
    </Link>
  )
  const fip = fips.data?.find((f) => f.id === id)
  if (fips.status === 'pending') {
    return (
      <div className="page" data-testid="fip-detail">
        {back}
        <LoadingState label="Loading the floating IP…" />
      </div>
    )
  }
  if (!fip) {
    return (
      <div className="page" data-testid="fip-detail">
        {back}
        {fips.status === 'error' ? (
          <Alert tone="danger" title="Could not load the floating IP" data-testid="page-error" action={<Button onClick={() => void fips.refetch()}>Try again</Button>}>
            {describeError(fips.error, 'list floating IPs')}
          </Alert>
        ) : (
          <Alert tone="warning" title="This floating IP no longer exists" data-testid="page-error">
            No floating IP has the ID {id}: it was released.
          </Alert>
        )}
      </div>
    )
  }
  return <Loaded fip={fip} back={back} basePath={basePath} live={fips.live} />
}

function Loaded({ fip: f, back, basePath, live }: { fip: FloatingIp; back: ReactNode; basePath: string; live: boolean }) {
  const session = useSession()
  const toast = useToast()
  const names = useFipNames()
  const forwardings = usePortForwardings(f.id)
  const removeForwarding = useDeletePortForwarding(f.id)
  const [action, setAction] = useState<FloatingIpAction | null>(null)
  const [adding, setAdding] = useState(false)
  const [deleting, setDeleting] = useState<PortForwarding | null>(null)
  const canEdit = session.roles.some((r) => r !== 'reader') && (session.isAdmin || f.project_id === session.project?.id)
  const server = names.serverOf(f)
  const pool = names.pool(f.floating_network_id)
  const unsupported = forwardings.error instanceof OpenStackError && [404, 501].includes(forwardings.error.status)

  const columns: Column<PortForwarding>[] = [
    { key: 'protocol', header: 'Protocol', render: (p) => <code>{p.protocol}</code> },
    {
      key: 'external',
      header: 'On this computer',
      render: (p) => (
        <code data-testid="pf-external">
          {LOOPBACK}:{p.external_port}
        </code>
      ),
    },
    {
      key: 'internal',
      header: 'Goes to',
      className: 'col-grow',
      render: (p) => (
        <span className="cell-name">
          <code>
            {p.internal_ip_address}:{p.internal_port}
          </code>
          {p.description ? <span className="muted small">{p.description}</span> : null}
        </span>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (p) =>
        canEdit ? (
          <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label="Delete port forwarding" title="Delete port forwarding" onClick={() => setDeleting(p)} data-testid="delete-pf" />
        ) : null,
    },
  ]

  return (
    <div className="page" data-testid="fip-detail" data-id={f.id} data-address={f.floating_ip_address}>
      {back}
      <PageHeader
        title={
          <span className="cell-name">
            <code data-testid="fip-title">{f.floating_ip_address}</code>
            <FipStatus fip={f} />
            {live ? (
              <span className="live" title="Refreshing every 5 seconds">
                <span className="live-dot" aria-hidden="true" /> live
              </span>
            ) : null}
          </span>
        }
        description={f.port_id ? `Maps to ${server?.name ?? 'a port'} (${f.fixed_ip_address}) through a router on ${pool}.` : `Allocated from ${pool}; not associated.`}
        api={`GET /networking/v2.0/floatingips · GET /networking/v2.0/floatingips/${f.id}/port_forwardings`}
        actions={
          canEdit ? (
            <>
              {f.port_id ? (
                <Button icon="close" onClick={() => setAction({ kind: 'disassociate', fip: f })} data-testid="fip-disassociate">
                  Disassociate
                </Button>
              ) : (
                <Button
                  variant="primary"
                  icon="link"
                  onClick={() => setAction({ kind: 'associate', fip: f })}
                  disabled={Boolean(associateBlocker(f))}
                  title={associateBlocker(f) ?? undefined}
                  data-testid="fip-associate"
                >
                  Associate
                </Button>
              )}
              <Button variant="danger" icon="trash" onClick={() => setAction({ kind: 'release', fip: f })} data-testid="fip-release">
                Release
              </Button>
            </>
          ) : undefined
        }
      />
      <div className="fip-detail-grid">
        <Card title="Floating IP">
          <dl className="detail-list">
            <Row label="ID">
              <span className="copyable">
                <code className="id-text">{f.id}</code>
                <CopyButton text={f.id} />
              </span>
            </Row>
            <Row label="Pool">
              <Link to={`/network/networks/${encodeURIComponent(f.floating_network_id)}`}>{pool}</Link>
            </Row>
            <Row label="Instance">{server ? <Link to={`/compute/instances/${encodeURIComponent(server.id)}`}>{server.name}</Link> : <span className="muted">{f.port_id ? 'a port that is not an instance of this project' : 'none'}</span>}</Row>
            <Row label="Fixed IP">{f.fixed_ip_address ? <code>{f.fixed_ip_address}</code> : <span className="muted">—</span>}</Row>
            <Row label="Port">{f.port_id ? <IdText id={f.port_id} /> : <span className="muted">—</span>}</Row>
            <Row label="Router">
              {f.router_id ? (
                <Link to={`/network/routers/${encodeURIComponent(f.router_id)}`}>
                  <IdText id={f.router_id} />
                </Link>
              ) : (
                <span className="muted">—</span>
              )}
            </Row>
            {f.description ? <Row label="Description">{f.description}</Row> : null}
          </dl>
        </Card>
        <Card title="Reach it from this computer" data-testid="fip-access">
          {f.port_id && f.host_forwards?.length ? (
            <>
              <HostAccess forwards={f.host_forwards} user={names.userFor(f)} />
              <p className="muted small fip-note">
                {pool} exists only inside Stackling, so {f.floating_ip_address} is not routable from here: the cloud forwards these ports of {LOOPBACK} to it. The
                instance's security groups must let the traffic in (a rule for TCP 22 for ssh): see its page.
              </p>
            </>
          ) : f.port_id ? (
            <p className="muted">The cloud has not forwarded a port of {LOOPBACK} to this address (yet): it appears here within seconds of the association.</p>
          ) : (
            <p className="muted">Associate it with an instance: an ssh line for it appears here.</p>
          )}
          <ul className="cli-list fip-note">
            <li className="cli-line">
              <code>{`$ openstack floating ip show ${shellQuote(f.id)}`}</code>
              <CopyButton text={`openstack floating ip show ${shellQuote(f.id)}`} label="Copy the command" />
            </li>
          </ul>
        </Card>
      </div>
      <Card
        title="Port forwardings"
        data-testid="fip-port-forwardings"
        actions={
          canEdit && !unsupported ? (
            <Button size="sm" icon="plus" onClick={() => setAdding(true)} disabled={Boolean(forwardingBlocker(f))} title={forwardingBlocker(f) ?? undefined} data-testid="add-pf">
              Add port forwarding
            </Button>
          ) : null
        }
      >
        <p className="muted small">
          Each forwards one port of {LOOPBACK} on this computer to one port of an instance behind this floating IP.{' '}
          {forwardingBlocker(f) ? forwardingBlocker(f) : 'The floating IP then stays unassociated: it has either an associated port or port forwardings.'}
        </p>
        {forwardings.status === 'pending' ? (
          <LoadingState label="Loading port forwardings…" />
        ) : forwardings.status === 'error' ? (
          <Alert tone={unsupported ? 'info' : 'danger'} title={unsupported ? 'Not offered by this cloud yet' : 'Could not list the port forwardings'} action={unsupported ? undefined : <Button onClick={() => void forwardings.refetch()}>Try again</Button>}>
            {unsupported ? `GET …/floatingips/{id}/port_forwardings answered ${(forwardings.error as OpenStackError).status}: this Stackling release has no port forwardings. The ssh line above still works.` : describeError(forwardings.error, 'list port forwardings')}
          </Alert>
        ) : forwardings.data?.length ? (
          <DataTable label="Port forwardings" columns={columns} rows={forwardings.data} rowKey={(p) => p.id} rowTestId="pf-row" rowProps={(p) => ({ 'data-external': String(p.external_port), 'data-internal': String(p.internal_port) })} />
        ) : (
          <p className="muted" data-testid="no-pf">
            None.
          </p>
        )}
      </Card>
      {adding ? (
        <PortForwardingDialog fip={f} servers={names.servers.data ?? []} existing={forwardings.data ?? []} onClose={() => setAdding(false)} onCreated={(p) => toast(`${LOOPBACK}:${p.external_port} now forwards to ${p.internal_ip_address}:${p.internal_port}.`)} />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this port forwarding?"
          confirmLabel="Delete"
          describe={(e) => describeError(e, 'delete port forwardings of this floating IP')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await removeForwarding.mutateAsync(deleting.id)
            toast(`${LOOPBACK}:${deleting.external_port} no longer forwards.`)
          }}
        >
          <p>
            <code>
              {LOOPBACK}:{deleting.external_port}
            </code>{' '}
            stops leading to{' '}
            <code>
              {deleting.internal_ip_address}:{deleting.internal_port}
            </code>
            ; connections through it break.
          </p>
        </ConfirmDialog>
      ) : null}
      <FloatingIpActionDialogs action={action} onClose={() => setAction(null)} poolName={names.pool} instanceName={(x) => names.serverOf(x)?.name} onReleased={() => navigate(basePath)} />
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
