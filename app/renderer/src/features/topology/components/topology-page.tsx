import { useMemo } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { describeError } from '../../../lib/openstack/errors'
import { Link } from '../../../lib/router'
import { TOPOLOGY_POLL_MS, useTopology } from '../api/get-topology'
import { buildTopology, isEmptyTopology } from '../utils/topology-model'
import { TopologyDiagram } from './topology-diagram'
import './topology.css'

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/**
 * Network → Topology: the project's networks, routers and instances as one picture (Horizon's network topology),
 * drawn from the same REST lists any client reads, and kept live while it is on screen.
 */
export function TopologyPage() {
  const topology = useTopology()
  const data = topology.data
  const model = useMemo(() => (data ? buildTopology(data) : undefined), [data])
  return (
    <div className="page page-topology" data-testid="topology-page">
      <PageHeader
        title="Topology"
        description="How networks, routers and instances connect. Bars are networks, boxes are routers and instances, each line is a port labelled with its IP address. Click anything to open it."
        api="GET /networking/v2.0/{networks,subnets,ports,routers,floatingips} and GET /compute/v2.1/servers/detail"
        actions={<Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void topology.refetch()} loading={topology.isFetching && topology.status !== 'pending'} />}
      />
      {topology.status === 'pending' ? (
        <LoadingState label="Reading networks, routers, ports and instances…" />
      ) : !model ? (
        <Alert tone="danger" title="Could not read the topology" data-testid="page-error" action={<Button onClick={() => void topology.refetch()}>Try again</Button>}>
          {describeError(topology.error, 'list networks, ports and routers')}
        </Alert>
      ) : (
        <>
          {topology.status === 'error' ? (
            <Alert tone="warning" title="The last refresh failed: the picture may be out of date" data-testid="topology-stale">
              {describeError(topology.error, 'list networks, ports and routers')} It is tried again every {TOPOLOGY_POLL_MS / 1000} seconds.
            </Alert>
          ) : null}
          {data?.serversError ? (
            <Alert tone="warning" title="Instances are not shown" data-testid="topology-no-servers">
              {describeError(data.serversError, 'list instances')}
            </Alert>
          ) : null}
          <div className="toolbar topo-toolbar">
            <span className="muted toolbar-summary" data-testid="topology-summary">
              {topology.live ? (
                <span className="live" title={`Refreshing every ${TOPOLOGY_POLL_MS / 1000} seconds while this panel is on screen`}>
                  <span className="live-dot" aria-hidden="true" /> live
                </span>
              ) : (
                <span title="Paused while the window is hidden">paused</span>
              )}
              <span>
                {plural(model.networks.length, 'network')} · {plural(model.routers.length, 'router')} · {plural(model.instances.length, 'instance')}
              </span>
              {data ? <span className="small">updated {new Date(data.fetchedAt).toLocaleTimeString(undefined, { hour12: false })}</span> : null}
            </span>
          </div>
          {isEmptyTopology(model) ? (
            <EmptyState icon="network" title="Nothing to draw yet">
              Create a network with a subnet in <Link to="/network/networks">Networks</Link>, then launch an instance on it: both appear here, joined by a line
              for its port.
            </EmptyState>
          ) : (
            <div className="card topo-card">
              <TopologyDiagram model={model} />
              <Legend />
            </div>
          )}
        </>
      )}
    </div>
  )
}

function Legend() {
  return (
    <ul className="topo-legend" aria-label="Legend">
      <li>
        <svg width="28" height="12" aria-hidden="true">
          <rect x="0" y="1" width="28" height="10" rx="3" className="topo-legend-ext" />
        </svg>
        external network (the “outside”; floating IPs come from it)
      </li>
      <li>
        <svg width="28" height="12" aria-hidden="true">
          <rect x="0" y="1" width="28" height="10" rx="3" className="topo-legend-tenant" />
        </svg>
        project network
      </li>
      <li>
        <svg width="16" height="16" aria-hidden="true">
          <circle cx="8" cy="8" r="4" className="topo-legend-dot" />
        </svg>
        a port: where a router or instance plugs in, labelled with its IP
      </li>
      <li>
        <span className="topo-legend-fip">⇄</span> floating IP of the instance
      </li>
      <li className="topo-legend-tones">
        <span className="topo-legend-tone topo-tone-success" /> active <span className="topo-legend-tone topo-tone-info" /> building{' '}
        <span className="topo-legend-tone topo-tone-neutral" /> stopped <span className="topo-legend-tone topo-tone-danger" /> error
      </li>
    </ul>
  )
}
