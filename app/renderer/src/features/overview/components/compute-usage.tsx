import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/page'
import { Spinner } from '../../../components/ui/spinner'
import { UsageBar } from '../../../components/ui/usage-bar'
import { useSession } from '../../../lib/openstack/client-provider'
import type { Hypervisor } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { Link } from '../../../lib/router'
import { useHypervisors, useLimits } from '../api/get-compute-usage'

const ram = (mb: number) => (mb >= 10240 ? `${Math.round(mb / 1024)} GB` : mb >= 1024 ? `${(mb / 1024).toFixed(1).replace(/\.0$/, '')} GB` : `${mb} MB`)
const count = (n: number) => n.toLocaleString('en-US')

/** Compute at a glance: the project's quota use (GET /limits) and, for admins, the host's (os-hypervisors). */
export function ComputeUsage() {
  const session = useSession()
  const limits = useLimits(true)
  const hypervisors = useHypervisors(session.isAdmin)
  const l = limits.data
  return (
    <Card
      title="Compute usage"
      data-testid="compute-usage"
      actions={
        <Link to="/compute/instances" className="small">
          Instances →
        </Link>
      }
    >
      <div className="usage-groups">
        <section className="usage-group" data-testid="quota-usage" aria-label="Project quota">
          <h3 className="usage-group-title">Quota of project {session.project?.name ?? ''}</h3>
          {limits.status === 'pending' ? (
            <Spinner size="sm" label="Loading the quota" />
          ) : !l ? (
            <Alert tone="warning">{describeError(limits.error, 'read the quota')}</Alert>
          ) : (
            <>
              <UsageBar label="Instances" used={l.totalInstancesUsed} limit={l.maxTotalInstances < 0 ? undefined : l.maxTotalInstances} format={count} data-testid="usage-instances" />
              <UsageBar label="vCPUs" used={l.totalCoresUsed} limit={l.maxTotalCores < 0 ? undefined : l.maxTotalCores} format={count} data-testid="usage-cores" />
              <UsageBar label="RAM" used={l.totalRAMUsed} limit={l.maxTotalRAMSize < 0 ? undefined : l.maxTotalRAMSize} format={ram} data-testid="usage-ram" />
            </>
          )}
        </section>
        {session.isAdmin ? (
          <section className="usage-group" data-testid="host-usage" aria-label="Host">
            {hypervisors.status === 'pending' ? (
              <Spinner size="sm" label="Loading the host" />
            ) : !hypervisors.data?.length ? (
              <Alert tone="warning">{hypervisors.error ? describeError(hypervisors.error, 'see hypervisors') : 'Nova lists no hypervisor.'}</Alert>
            ) : (
              hypervisors.data.map((h) => <HostUsage key={String(h.id)} h={h} />)
            )}
          </section>
        ) : null}
      </div>
      {!session.isAdmin ? <p className="muted small detail-note">The host's capacity (os-hypervisors) is for admins to see.</p> : null}
    </Card>
  )
}

function HostUsage({ h }: { h: Hypervisor }) {
  const ratios = h['stackling:allocation_ratios'] ?? { cpu: 4, ram: 1, disk: 1 }
  const accel = h['stackling:accelerator']
  const note = h['stackling:accelerator_note']
  const available = h['stackling:available_memory_mb']
  return (
    <>
      <h3 className="usage-group-title">
        Host {h.hypervisor_hostname}{' '}
        <Badge tone={h.state === 'up' ? 'success' : 'danger'} dot data-testid="hypervisor-state">
          {h.state === 'up' ? 'up' : 'down'}
        </Badge>{' '}
        {accel ? (
          <Badge tone={accel === 'kvm' || accel === 'hvf' || accel === 'whpx' ? 'info' : 'neutral'} title="The accelerator QEMU uses: kvm/hvf/whpx run guests at native speed, tcg emulates (slower)">
            {accel}
          </Badge>
        ) : null}
      </h3>
      {h.state !== 'up' && note ? (
        <Alert tone="danger" data-testid="hypervisor-note">
          {note.split('\n')[0]}
        </Alert>
      ) : null}
      <UsageBar
        label="vCPUs"
        used={h.vcpus_used}
        limit={Math.floor(h.vcpus * ratios.cpu)}
        format={count}
        detail={`${h.vcpus} cores × ${ratios.cpu} allocation ratio`}
        data-testid="usage-host-vcpus"
      />
      <UsageBar
        label="RAM"
        used={h.memory_mb_used}
        limit={Math.floor(h.memory_mb * ratios.ram)}
        format={ram}
        detail={available !== undefined ? `${ram(available)} free on the host right now` : undefined}
        data-testid="usage-host-ram"
      />
      <UsageBar
        label="Disk"
        used={Math.max(0, h.local_gb - h.free_disk_gb)}
        limit={h.local_gb}
        format={(n) => `${count(n)} GB`}
        detail={`Instances take ${h.local_gb_used} GB of it; ${h.free_disk_gb} GB free`}
        data-testid="usage-host-disk"
      />
      <p className="muted small">
        {h.running_vms} instance{h.running_vms === 1 ? '' : 's'} on this host · {h.hypervisor_type ?? 'QEMU'}
      </p>
    </>
  )
}
