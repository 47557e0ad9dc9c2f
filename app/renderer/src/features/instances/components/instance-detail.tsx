import { useState, type ReactNode } from 'react'
import { HostAccess } from '../../../components/host-access'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Icon } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { TabPanel, Tabs } from '../../../components/ui/tabs'
import { formatDateTime } from '../../../lib/format'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useSession } from '../../../lib/openstack/client-provider'
import type { Server } from '../../../lib/openstack/compute'
import { OpenStackError } from '../../../lib/openstack/errors'
import { adminUserOf, ingressAllowed, sshCommand } from '../../../lib/openstack/host-access'
import { Link, navigate } from '../../../lib/router'
import { useFlavors } from '../api/get-flavors'
import { useImage } from '../api/get-images'
import { useServer } from '../api/get-server'
import { useServerNetwork } from '../api/get-server-network'
import { describeComputeError, describeFault } from '../utils/compute-errors'
import { ephemeralOf, formatRamMb } from '../utils/flavor-fit'
import { addressList, isChanging, powerStateLabel, serverStatusInfo, statusInfo, taskLabel } from '../utils/server-status'
import { ActionLog } from './action-log'
import { ConsoleLog } from './console-log'
import { InstanceActionButtons, InstanceActionDialogs, type InstanceAction } from './instance-actions'
import { InstanceStatusBadge } from './instance-status-badge'
import { InstanceVolumes } from './instance-volumes'
import { SerialConsole } from './serial-console'

const TABS = [
  { id: 'overview', label: 'Overview', icon: 'info' as const },
  { id: 'log', label: 'Console log', icon: 'list' as const },
  { id: 'console', label: 'Serial console', icon: 'terminal' as const },
  { id: 'actions', label: 'Action log', icon: 'clock' as const },
]

/** One instance (GET /servers/{id}): every field, its fault, console log, live serial console and action log. */
export function InstanceDetail({ id, tab, basePath }: { id: string; tab: string; basePath: string }) {
  const session = useSession()
  const server = useServer(id)
  const [action, setAction] = useState<InstanceAction | null>(null)
  const current = TABS.some((t) => t.id === tab) ? tab : 'overview'
  const canAct = session.roles.some((r) => r !== 'reader')
  const back = (
    <Link to={basePath} className="back-link" data-testid="back-to-instances">
      <Icon name="arrowLeft" /> Instances
    </Link>
  )

  if (server.status === 'pending') {
    return (
      <div className="page" data-testid="instance-detail">
        {back}
        <LoadingState label="Loading the instance…" />
      </div>
    )
  }
  if (server.status === 'error' || !server.data) {
    const gone = server.error instanceof OpenStackError && server.error.status === 404
    return (
      <div className="page" data-testid="instance-detail">
        {back}
        <Alert
          tone={gone ? 'warning' : 'danger'}
          title={gone ? 'This instance no longer exists' : 'Could not load the instance'}
          data-testid="page-error"
          action={gone ? undefined : <Button onClick={() => void server.refetch()}>Try again</Button>}
        >
          {gone ? `No instance has the ID ${id} in project ${session.project?.name ?? ''}: it was deleted.` : describeComputeError(server.error, 'see this instance')}
        </Alert>
      </div>
    )
  }

  const s = server.data
  const tabs = TABS.map((t) => ({
    id: t.id,
    label: (
      <>
        <Icon name={t.icon} /> {t.label}
      </>
    ),
  }))
  return (
    <div className="page page-wide" data-testid="instance-detail" data-id={s.id} data-status={s.status} data-task={s['OS-EXT-STS:task_state'] ?? ''}>
      {back}
      <PageHeader
        title={
          <span className="cell-name">
            <span data-testid="instance-title">{s.name || '(no name)'}</span>
            <InstanceStatusBadge server={s} />
            {isChanging(s) ? (
              <span className="live" title="Refreshing every 2 seconds while Nova works on it">
                <span className="live-dot" aria-hidden="true" /> live
              </span>
            ) : null}
          </span>
        }
        description={s.status === 'ERROR' ? statusInfo(s.status).hint : serverStatusInfo(s).hint}
        api={`GET /compute/v2.1/servers/${s.id}`}
        actions={canAct ? <InstanceActionButtons server={s} onAction={setAction} /> : undefined}
      />
      {s.status === 'ERROR' ? (
        <Alert tone="danger" title={`Fault${s.fault?.code ? ` ${s.fault.code}` : ''}`} data-testid="instance-fault-alert">
          {describeFault(s.fault)}
          {s.fault?.details ? (
            <details className="fault-details">
              <summary>Details (admins)</summary>
              <pre className="code-block">{s.fault.details}</pre>
            </details>
          ) : null}
        </Alert>
      ) : null}
      <Tabs tabs={tabs} current={current} label="Instance" onSelect={(t) => navigate(`${basePath}/${encodeURIComponent(s.id)}${t === 'overview' ? '' : `/${t}`}`)} />
      <TabPanel id={current}>
        {current === 'overview' ? (
          <Overview server={s} isAdmin={session.isAdmin} />
        ) : current === 'log' ? (
          <ConsoleLog server={s} />
        ) : current === 'console' ? (
          <SerialConsole server={s} />
        ) : (
          <ActionLog server={s} isAdmin={session.isAdmin} />
        )}
      </TabPanel>
      <InstanceActionDialogs action={action} onClose={() => setAction(null)} onDeleted={() => navigate(basePath)} />
    </div>
  )
}

function Overview({ server: s, isAdmin }: { server: Server; isAdmin: boolean }) {
  const flavors = useFlavors()
  const imageId = s.image ? s.image.id : undefined
  const image = useImage(imageId)
  const flavor = flavors.data?.find((f) => f.id === s.flavor.id)
  const addrs = addressList(s)
  const meta = Object.entries(s.metadata ?? {})
  const task = s['OS-EXT-STS:task_state']
  return (
    <div className="detail-grid">
      <Card title="Instance">
        <dl className="detail-list">
          <Field name="id" label="ID">
            <Copyable text={s.id} />
          </Field>
          <Field name="name" label="Name">
            {s.name}
          </Field>
          <Field name="status" label="Status">
            <InstanceStatusBadge server={s} showTask={false} />
          </Field>
          <Field name="vm_state" label="VM state">
            <code>{s['OS-EXT-STS:vm_state'] ?? '—'}</code>
          </Field>
          <Field name="task_state" label="Task">
            {task ? (
              <span>
                {taskLabel(task)} <code className="muted">{task}</code>
              </span>
            ) : (
              <span className="muted">none</span>
            )}
          </Field>
          <Field name="power_state" label="Power state">
            {powerStateLabel(s['OS-EXT-STS:power_state'])} <span className="muted small">({s['OS-EXT-STS:power_state']})</span>
          </Field>
          <Field name="image" label="Image">
            {imageId ? (
              <Link to={`/compute/images/${encodeURIComponent(imageId)}`} title={imageId}>
                {image.data?.name ?? (image.status === 'error' ? `${imageId} (no longer visible)` : imageId)}
              </Link>
            ) : (
              <span className="muted">booted from a volume</span>
            )}
          </Field>
          <Field name="key_name" label="Key pair">
            {s.key_name ?? <span className="muted">none</span>}
          </Field>
          <Field name="availability_zone" label="Availability zone">
            {s['OS-EXT-AZ:availability_zone'] || '—'}
          </Field>
          <Field name="created" label="Created">
            {formatDateTime(s.created)}
          </Field>
          <Field name="launched_at" label="Launched">
            {s['OS-SRV-USG:launched_at'] ? formatDateTime(`${s['OS-SRV-USG:launched_at']}Z`) : <span className="muted">not yet</span>}
          </Field>
          <Field name="updated" label="Updated">
            {formatDateTime(s.updated)}
          </Field>
          <Field name="config_drive" label="Config drive">
            {s.config_drive ? 'yes: metadata and user data on a disk labelled config-2' : 'no'}
          </Field>
          <Field name="user_id" label="User ID">
            <code className="id-text">{s.user_id}</code>
          </Field>
          <Field name="tenant_id" label="Project ID">
            <code className="id-text">{s.tenant_id}</code>
          </Field>
          {isAdmin ? (
            <>
              <Field name="host" label="Host">
                {s['OS-EXT-SRV-ATTR:host'] ?? <span className="muted">not scheduled</span>}
              </Field>
              <Field name="instance_name" label="Instance name">
                <code>{s['OS-EXT-SRV-ATTR:instance_name'] ?? '—'}</code>
              </Field>
            </>
          ) : null}
        </dl>
      </Card>
      <div className="detail-column">
        <Card title="Flavor" data-testid="detail-flavor">
          {flavor ? (
            <dl className="detail-list">
              <Field name="flavor" label="Name">
                {flavor.name} <code className="id-text">{flavor.id}</code>
              </Field>
              <Field name="vcpus" label="vCPUs">
                {flavor.vcpus}
              </Field>
              <Field name="ram" label="RAM">
                {formatRamMb(flavor.ram)}
              </Field>
              <Field name="disk" label="Root disk">
                {flavor.disk ? `${flavor.disk} GB` : 'the image size'}
              </Field>
              {ephemeralOf(flavor) ? (
                <Field name="ephemeral" label="Ephemeral disk">
                  {ephemeralOf(flavor)} GB
                </Field>
              ) : null}
              {flavor.swap ? (
                <Field name="swap" label="Swap">
                  {flavor.swap} MB
                </Field>
              ) : null}
            </dl>
          ) : (
            <p className="muted">
              Flavor <code>{s.flavor.id}</code> {flavors.status === 'success' ? 'is private or was deleted since (the instance keeps its copy).' : ''}
            </p>
          )}
        </Card>
        <ServerNetworks server={s} sshUser={adminUserOf(image.data)} addrs={addrs} />
        <InstanceVolumes server={s} />
        <Card title="Metadata">
          {meta.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <dl className="detail-list">
              {meta.map(([k, v]) => (
                <Field key={k} name={`meta-${k}`} label={<code>{k}</code>}>
                  {v}
                </Field>
              ))}
            </dl>
          )}
          {s.security_groups?.length ? (
            <p className="muted small detail-note">
              Security groups:{' '}
              {s.security_groups.map((g) => (
                <Badge key={g.name}>{g.name}</Badge>
              ))}
            </p>
          ) : null}
        </Card>
        <Card title="In a terminal">
          <ul className="cli-list">
            <CliLine cmd={`openstack server show ${shellQuote(s.id)}`} />
            <CliLine cmd={`openstack console log show ${shellQuote(s.id)}`} />
            <CliLine cmd={`openstack console url show --serial ${shellQuote(s.id)}`} />
            <CliLine cmd={`openstack server event list ${shellQuote(s.id)}`} />
          </ul>
        </Card>
      </div>
    </div>
  )
}

/**
 * The instance's networks: each Neutron port with its network, fixed IPs and status, and the floating IPs on it
 * with the ssh line to reach the instance from this computer. Without ports, Nova's addresses.
 */
function ServerNetworks({ server: s, sshUser, addrs }: { server: Server; sshUser: string; addrs: ReturnType<typeof addressList> }) {
  const net = useServerNetwork(s.id)
  const ports = [...(net.ports.data ?? [])].sort((a, b) => a.id.localeCompare(b.id))
  const netName = (id: string) => net.networks.data?.find((n) => n.id === id)?.name ?? `${id.slice(0, 8)}…`
  const fipsOf = (portId: string) => (net.fips.data ?? []).filter((f) => f.port_id === portId)
  return (
    <Card title="Networks" data-testid="detail-addresses" actions={ports.length ? <Link to="/network/floating-ips">Floating IPs →</Link> : undefined}>
      {ports.length ? (
        <div className="instance-networks">
          {ports.map((p) => (
            <div key={p.id} className="instance-network" data-testid="instance-network" data-network={netName(p.network_id)}>
              <div className="instance-network-head">
                <Link to={`/network/networks/${encodeURIComponent(p.network_id)}`}>
                  <strong>{netName(p.network_id)}</strong>
                </Link>
                {p.fixed_ips.map((f) => (
                  <code key={f.ip_address} data-testid="instance-fixed-ip">
                    {f.ip_address}
                  </code>
                ))}
                <Badge tone={p.status === 'ACTIVE' ? 'success' : 'neutral'} dot>
                  port {p.status}
                </Badge>
                <span className="muted small">MAC {p.mac_address}</span>
              </div>
              {fipsOf(p.id).map((f) => (
                <div key={f.id} className="instance-fip" data-testid="instance-fip" data-address={f.floating_ip_address}>
                  <span>
                    Floating IP{' '}
                    <Link to={`/network/floating-ips/${encodeURIComponent(f.id)}`}>
                      <code>{f.floating_ip_address}</code>
                    </Link>{' '}
                    <span className="muted small">→ {f.fixed_ip_address}</span>
                  </span>
                  {f.host_forwards?.length ? (
                    <>
                      <HostAccess forwards={f.host_forwards} user={sshUser} />
                      {sshCommand(f.host_forwards) && net.groups.data && ingressAllowed(p, net.groups.data, 22) === 'no' ? (
                        <Alert tone="warning" title="ssh will not get in yet" data-testid="ssh-blocked">
                          None of this port's security groups allows TCP port 22 in (the default group lets in only its own members). Add a rule in{' '}
                          <Link to="/network/security-groups">Security groups</Link>: <code>openstack security group rule create --protocol tcp --dst-port 22 default</code>.
                        </Alert>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted small">No port of 127.0.0.1 forwarded to it yet.</span>
                  )}
                </div>
              ))}
            </div>
          ))}
        </div>
      ) : addrs.length ? (
        <>
          <dl className="detail-list">
            {addrs.map((a) => (
              <Field key={`${a.network}-${a.addr}`} name={`address-${a.network}`} label={a.network}>
                <code>{a.addr}</code> <span className="muted small">IPv{a.version}{a.type ? `, ${a.type}` : ''}{a.mac ? `, MAC ${a.mac}` : ''}</span>
              </Field>
            ))}
          </dl>
          <p className="muted small detail-note">
            {net.enabled && net.ports.status === 'success' ? 'No Neutron port: ' : ''}QEMU's user-mode network: the guest reaches out (NAT); nothing reaches in.
          </p>
        </>
      ) : (
        <p className="muted">{s.status === 'BUILD' ? 'Assigned when the instance starts.' : s.status === 'ERROR' ? 'None: the instance never started.' : 'None: the instance has no network.'}</p>
      )}
    </Card>
  )
}

function Field({ name, label, children }: { name: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="detail-row" data-testid="detail-field" data-field={name}>
      <dt>{label}</dt>
      <dd data-testid={`detail-${name}`}>{children}</dd>
    </div>
  )
}

function Copyable({ text }: { text: string }) {
  return (
    <span className="copyable">
      <code className="id-text">{text}</code>
      <CopyButton text={text} />
    </span>
  )
}

export function CliLine({ cmd }: { cmd: string }) {
  return (
    <li className="cli-line">
      <code>{`$ ${cmd}`}</code>
      <CopyButton text={cmd} label="Copy the command" />
    </li>
  )
}
