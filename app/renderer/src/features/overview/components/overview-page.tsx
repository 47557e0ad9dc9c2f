import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { EmptyState } from '../../../components/ui/empty-state'
import { Icon, type IconName } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { Spinner } from '../../../components/ui/spinner'
import { useClient, useSession } from '../../../lib/openstack/client-provider'
import { useQueryClient } from '../../../lib/query'
import { Link } from '../../../lib/router'
import { catalogEntries, useServiceHealth, type CatalogEntryView } from '../api/get-service-status'
import { ComputeUsage } from './compute-usage'
import './overview.css'

const SERVICES: Record<string, { title: string; project: string; icon: IconName }> = {
  identity: { title: 'Identity', project: 'Keystone', icon: 'lock' },
  compute: { title: 'Compute', project: 'Nova', icon: 'server' },
  image: { title: 'Image', project: 'Glance', icon: 'image' },
  volumev3: { title: 'Block storage', project: 'Cinder', icon: 'volume' },
  'block-storage': { title: 'Block storage', project: 'Cinder', icon: 'volume' },
  network: { title: 'Network', project: 'Neutron', icon: 'network' },
  'object-store': { title: 'Object storage', project: 'Swift', icon: 'objectStore' },
}

const describe = (entry: CatalogEntryView) =>
  entry.types.map((t) => SERVICES[t]).find(Boolean) ?? { title: entry.names[0] ?? entry.types[0]!, project: entry.types.join(', '), icon: 'info' as IconName }

function ServiceCard({ entry, panelSoon }: { entry: CatalogEntryView; panelSoon: boolean }) {
  const health = useServiceHealth(entry)
  const meta = describe(entry)
  const path = (() => {
    try {
      return new URL(entry.url).pathname
    } catch {
      return entry.url
    }
  })()
  const h = health.data
  return (
    <li className="service-card" data-testid="service-card" data-type={entry.types.join(' ')}>
      <div className="service-card-icon">
        <Icon name={meta.icon} />
      </div>
      <div className="service-card-text">
        <div className="service-card-title">
          {meta.title} <span className="muted">({meta.project})</span>
        </div>
        <div className="service-card-meta">
          {entry.types.map((t) => (
            <code key={t}>{t}</code>
          ))}
          <code className="service-card-url" title={entry.url}>
            {path}
          </code>
        </div>
      </div>
      <div className="service-card-status" data-testid="service-status" data-state={h?.state ?? 'checking'}>
        {health.status === 'pending' || !h ? (
          <Badge tone="neutral">
            <Spinner size="sm" /> Checking
          </Badge>
        ) : h.state === 'up' ? (
          <span className="service-card-badges">
            {panelSoon ? (
              <Badge tone="neutral" title="The API answers its version document; its dashboard panels come in a later release">
                panels soon
              </Badge>
            ) : null}
            <Badge tone="success" dot title={`HTTP ${h.status}`}>
              Available{h.version ? ` · ${h.version}` : ''}
            </Badge>
          </span>
        ) : h.state === 'soon' ? (
          <Badge tone="neutral" title="The service answers 501 Not Implemented: it is a placeholder in this release">
            Coming soon
          </Badge>
        ) : h.state === 'error' ? (
          <Badge tone="warning" dot title={h.message}>
            HTTP {h.status}
          </Badge>
        ) : (
          <Badge tone="danger" dot title={h.message}>
            Not answering
          </Badge>
        )}
      </div>
    </li>
  )
}

/** `comingSoon`: service types whose dashboard panels are still placeholders. */
export function OverviewPage({ comingSoon = [] }: { comingSoon?: readonly string[] }) {
  const client = useClient()
  const session = useSession()
  const qc = useQueryClient()
  const entries = catalogEntries(client)
  const expires = new Date(session.expiresAt)
  const cli = 'openstack --os-cloud stackling token issue'
  return (
    <div className="page" data-testid="overview-page">
      <PageHeader
        title={`Welcome, ${session.user.name}`}
        description="Your pocket OpenStack at a glance: the services in your token's catalog and whether they answer."
        actions={
          <Button icon="refresh" onClick={() => void qc.invalidate(['overview'])}>
            Check again
          </Button>
        }
      />
      <div className="overview-grid">
        <div className="overview-main">
        {client.endpoint('compute') ? <ComputeUsage /> : null}
        <Card title="Services" className="overview-services" data-testid="services-card">
          {entries.length === 0 ? (
            <EmptyState icon="info" title="The catalog is empty">
              The token lists no services. Check the cloud's log in its data folder.
            </EmptyState>
          ) : (
            <ul className="service-list">
              {entries.map((e) => (
                <ServiceCard key={e.url} entry={e} panelSoon={e.types.some((t) => comingSoon.includes(t))} />
              ))}
            </ul>
          )}
        </Card>
        </div>
        <div className="overview-side">
          <Card title="Your session" data-testid="session-card">
            <dl className="facts">
              <dt>User</dt>
              <dd>{session.user.name}</dd>
              <dt>Project</dt>
              <dd>{session.project?.name ?? '—'}</dd>
              <dt>Roles</dt>
              <dd className="facts-badges">
                {session.roles.length > 0 ? session.roles.map((r) => <Badge key={r} tone={r === 'admin' ? 'danger' : r === 'member' ? 'info' : 'neutral'}>{r}</Badge>) : '—'}
              </dd>
              <dt>Token expires</dt>
              <dd>{Number.isNaN(expires.getTime()) ? session.expiresAt : expires.toLocaleString()}</dd>
            </dl>
          </Card>
          <Card title="Same thing, from a terminal">
            <p className="muted small">
              Stackling wrote <code>clouds.yaml</code> to its data folder. Point the <code>openstack</code> CLI at it:
            </p>
            <div className="terminal">
              <code>
                $ export OS_CLIENT_CONFIG_FILE=&lt;data folder&gt;/clouds.yaml
                <br />$ {cli}
              </code>
              <CopyButton text={cli} label="Copy the command" />
            </div>
          </Card>
          <Card title="Get started">
            <ol className="steps">
              <li>
                <Link to="/identity/projects">Create a project</Link> for a class or a team.
              </li>
              <li>
                <Link to="/identity/users">Create a user</Link> and give it the <Badge tone="info">member</Badge> role on that project.
              </li>
              <li>
                <Link to="/compute/instances">Launch an instance</Link> from the <code>stackling-tiny</code> image and watch it boot in its console.
              </li>
              <li>
                Open <strong>API calls</strong> at the top right and watch each request go by.
              </li>
            </ol>
          </Card>
        </div>
      </div>
    </div>
  )
}
