import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { FilterToolbar } from '../../../components/ui/filter-toolbar'
import { Icon } from '../../../components/ui/icons'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { formatDateTime } from '../../../lib/format'
import { useSession } from '../../../lib/openstack/client-provider'
import type { AbsoluteLimits, Server } from '../../../lib/openstack/compute'
import { OpenStackError } from '../../../lib/openstack/errors'
import { Link, usePath } from '../../../lib/router'
import { useFlavors } from '../api/get-flavors'
import { useHypervisors } from '../api/get-hypervisors'
import { useImages } from '../api/get-images'
import { useLimits } from '../api/get-limits'
import { useServers } from '../api/get-servers'
import { describeComputeError, describeFault } from '../utils/compute-errors'
import { formatRamMb } from '../utils/flavor-fit'
import { addressList, powerStateLabel, shouldPoll } from '../utils/server-status'
import { InstanceActionDialogs, InstanceRowActions, type InstanceAction } from './instance-actions'
import { InstanceDetail } from './instance-detail'
import { InstanceStatusBadge } from './instance-status-badge'
import { LaunchInstanceDialog } from './launch-instance-dialog'
import './instances.css'

/** Compute → Instances: the list at `basePath`, one instance at `basePath/{id}` (and `/{id}/{tab}`). */
export function InstancesPage({ basePath }: { basePath: string }) {
  const path = usePath()
  const rest = path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : ''
  const [rawId = '', tab = ''] = rest.split('/')
  const id = decodeURIComponent(rawId)
  return id ? <InstanceDetail key={id} id={id} tab={tab} basePath={basePath} /> : <InstancesList basePath={basePath} />
}

function InstancesList({ basePath }: { basePath: string }) {
  const session = useSession()
  const servers = useServers()
  const flavors = useFlavors()
  const images = useImages()
  const limits = useLimits()
  const hypervisors = useHypervisors(session.isAdmin)
  const toast = useToast()
  const [launching, setLaunching] = useState(false)
  const [action, setAction] = useState<InstanceAction | null>(null)
  const [filter, setFilter] = useState('')
  // Nova lets members (not readers) create and change servers.
  const canLaunch = session.roles.some((r) => r !== 'reader')

  const all = servers.data ?? []
  const flavorName = (id: string) => flavors.data?.find((f) => f.id === id)
  const imageName = (imageId: string) => images.data?.find((i) => i.id === imageId)?.name ?? null
  const needle = filter.trim().toLowerCase()
  const shown = needle
    ? all.filter((s) => [s.name, s.id, s.status, ...addressList(s).map((a) => a.addr), flavorName(s.flavor.id)?.name ?? ''].some((x) => x.toLowerCase().includes(needle)))
    : all
  const live = servers.status === 'success' && shouldPoll(all)
  const hypervisor = hypervisors.data?.[0]

  const columns: Column<Server>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-grow',
      render: (s) => (
        <span className="instance-name-cell">
          <Link to={`${basePath}/${encodeURIComponent(s.id)}`} className="instance-link" data-testid="instance-name-cell" title={s.id}>
            {s.name || <span className="muted">(no name) {s.id.slice(0, 8)}</span>}
          </Link>
          {s.status === 'ERROR' ? (
            <span className="instance-fault" data-testid="instance-fault" title={describeFault(s.fault)}>
              {s.fault?.message ?? 'Failed: open it for the action log.'}
            </span>
          ) : null}
        </span>
      ),
    },
    {
      key: 'image',
      header: 'Image',
      render: (s) => {
        if (!s.image) return <span className="muted">volume</span>
        const name = imageName(s.image.id)
        return name ? <span className="nowrap">{name}</span> : <code className="id-text">{s.image.id.slice(0, 8)}</code>
      },
    },
    {
      key: 'ip',
      header: 'IP address',
      render: (s) => {
        const addrs = addressList(s)
        return addrs.length ? (
          <span className="address-list" data-testid="instance-addresses">
            {addrs.map((a) => (
              <code key={`${a.network}-${a.addr}`} title={`${a.network}${a.type ? ` (${a.type})` : ''}`}>
                {a.addr}
              </code>
            ))}
          </span>
        ) : (
          <span className="muted">—</span>
        )
      },
    },
    {
      key: 'flavor',
      header: 'Flavor',
      render: (s) => {
        const f = flavorName(s.flavor.id)
        return f ? (
          <span className="nowrap" title={`${f.vcpus} vCPU, ${formatRamMb(f.ram)} RAM, ${f.disk} GB disk`}>
            {f.name}
          </span>
        ) : (
          <code className="id-text">{s.flavor.id}</code>
        )
      },
    },
    { key: 'key', header: 'Key pair', render: (s) => (s.key_name ? <span className="nowrap">{s.key_name}</span> : <span className="muted">—</span>) },
    { key: 'status', header: 'Status', render: (s) => <InstanceStatusBadge server={s} /> },
    {
      key: 'power',
      header: 'Power state',
      className: 'col-nowrap',
      render: (s) => (
        <span className="muted" data-testid="instance-power">
          {powerStateLabel(s['OS-EXT-STS:power_state'])}
        </span>
      ),
    },
    { key: 'created', header: 'Created', className: 'col-nowrap', render: (s) => <span className="muted">{formatDateTime(s.created)}</span> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (s) => (canLaunch ? <InstanceRowActions server={s} onAction={setAction} /> : null),
    },
  ]

  const forbidden = servers.error instanceof OpenStackError && servers.error.status === 403
  const launchButton = (testId: string) =>
    canLaunch ? (
      <Button variant="primary" icon="rocket" onClick={() => setLaunching(true)} data-testid={testId}>
        Launch instance
      </Button>
    ) : null

  return (
    <div className="page" data-testid="instances-page">
      <PageHeader
        title="Instances"
        description="Virtual machines of this project. Nova boots each from an image on this computer's hypervisor (QEMU)."
        api="GET /compute/v2.1/servers/detail"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void servers.refetch()} loading={servers.isFetching && servers.status === 'success'} />
            {launchButton('launch-open')}
          </>
        }
      />
      {hypervisor && hypervisor.state !== 'up' ? (
        <Alert tone="warning" title="The hypervisor is down: instances cannot start" data-testid="hypervisor-down">
          {hypervisor['stackling:accelerator_note']?.split('\n')[0] ?? 'Nova cannot use QEMU on this computer.'} The cloud's log in the data folder says more.
        </Alert>
      ) : null}
      {servers.status === 'pending' ? (
        <LoadingState label="Loading instances…" />
      ) : servers.status === 'error' ? (
        <Alert
          tone={forbidden ? 'warning' : 'danger'}
          title="Could not list the instances"
          data-testid="page-error"
          action={forbidden ? undefined : <Button onClick={() => void servers.refetch()}>Try again</Button>}
        >
          {describeComputeError(servers.error, 'list instances')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="server" title="No instances yet" action={launchButton('launch-open-empty') ?? undefined}>
          Launch one from an image: the tiny <code>stackling-tiny</code> image with the <code>m1.nano</code> flavor boots in seconds.
        </EmptyState>
      ) : (
        <>
          <FilterToolbar
            filter={filter}
            onFilter={setFilter}
            placeholder="Filter by name, ID, status, address or flavor"
            label="Filter instances"
            filterTestId="instance-filter"
            summaryTestId="instances-summary"
            live={live}
            liveTitle="Refreshing every 2 seconds while an instance is changing"
          >
              <span>{shown.length === all.length ? `${all.length} instance${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length}`}</span>
              {limits.data ? <QuotaSummary limits={limits.data} /> : null}
          </FilterToolbar>
          {shown.length > 0 ? (
            <DataTable
              label="Instances"
              columns={columns}
              rows={shown}
              rowKey={(s) => s.id}
              rowTestId="instance-row"
              rowProps={(s) => ({ 'data-name': s.name, 'data-id': s.id, 'data-status': s.status, 'data-task': s['OS-EXT-STS:task_state'] ?? '' })}
            />
          ) : (
            <EmptyState icon="search" title="Nothing matches" action={<Button onClick={() => setFilter('')}>Clear the filter</Button>}>
              No instance mentions “{filter}”.
            </EmptyState>
          )}
        </>
      )}
      {launching ? (
        <LaunchInstanceDialog
          onClose={() => setLaunching(false)}
          onLaunched={(_server, names) => {
            setLaunching(false)
            toast(`Launching ${names.join(', ')}: the list follows it until it is active.`, 'info')
          }}
        />
      ) : null}
      <InstanceActionDialogs action={action} onClose={() => setAction(null)} />
    </div>
  )
}

/** The project's compute quota in one line (GET /limits). */
function QuotaSummary({ limits }: { limits: AbsoluteLimits }) {
  const of = (used: number, max: number, f = (n: number) => String(n)) => (max < 0 ? `${f(used)}` : `${f(used)}/${f(max)}`)
  return (
    <span className="quota-summary" data-testid="quota-summary" title="The project's compute quota (GET /limits): used / allowed">
      <Icon name="cpu" />
      {of(limits.totalInstancesUsed, limits.maxTotalInstances)} instances · {of(limits.totalCoresUsed, limits.maxTotalCores)} vCPUs ·{' '}
      {of(limits.totalRAMUsed, limits.maxTotalRAMSize, formatRamMb)} RAM
    </span>
  )
}
