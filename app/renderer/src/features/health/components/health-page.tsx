import { Alert } from '../../../components/ui/alert'
import { Badge, type BadgeTone } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { describeError } from '../../../lib/openstack/errors'
import { useHealth, type HealthCheck, type ServiceState } from '../api/get-health'
import './health.css'

const TONE: Record<HealthCheck['status'], BadgeTone> = { ok: 'success', warn: 'warning', fail: 'danger', skip: 'neutral' }
const LABEL: Record<HealthCheck['status'], string> = { ok: 'OK', warn: 'Warning', fail: 'Missing', skip: 'Skipped' }

/**
 * Health / first run (admin): what the machine the cloud runs on has and lacks — QEMU, qemu-img, the accelerator,
 * disk, memory, the CLIs — each with what to do on this OS, and "Check again" after installing something. The same
 * checks as `npm run doctor`.
 */
export function HealthPage() {
  const health = useHealth()
  const report = health.data
  const failed = report?.checks.filter((c) => c.required && c.status === 'fail') ?? []
  return (
    <div className="page" data-testid="health-page">
      <PageHeader
        title="Health"
        description="Checks that this computer has what the cloud needs, and says what to install where something is missing. The same checks run in a terminal with npm run doctor."
        api="GET /stackling/v1/health"
        actions={
          <Button icon="refresh" onClick={() => void health.refetch()} loading={health.isFetching} data-testid="health-recheck">
            Check again
          </Button>
        }
      />
      {health.status === 'pending' ? (
        <LoadingState label="Checking this computer (the accelerator probe can take a few seconds)…" />
      ) : health.status === 'error' ? (
        <Alert tone="danger" title="The checks could not run">
          {describeError(health.error, 'run the health checks')}
        </Alert>
      ) : report ? (
        <>
          {failed.length ? (
            <Alert tone="danger" title="Stackling cannot run instances yet" data-testid="health-summary" icon="alert">
              Missing: {failed.map((c) => c.title).join(', ')}. Follow the steps below, then press “Check again”.
            </Alert>
          ) : (
            <Alert tone="success" title="Everything the cloud needs is here" data-testid="health-summary">
              {report.os.label} ({report.os.arch}); data folder <code>{report.dataDir}</code>. Checked {new Date(report.checkedAt).toLocaleTimeString()}.
            </Alert>
          )}
          <ServiceStates services={report.services} />
          <ul className="health-checks">
            {report.checks.map((c) => (
              <CheckRow key={c.id} check={c} />
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}

function CheckRow({ check }: { check: HealthCheck }) {
  return (
    <li className={`health-check health-${check.status}`} data-testid="health-check" data-check={check.id} data-status={check.status}>
      <div className="health-check-head">
        <Badge tone={TONE[check.status]} dot>
          {LABEL[check.status]}
        </Badge>
        <strong>{check.title}</strong>
        {!check.required ? <span className="muted">optional</span> : null}
      </div>
      <div className="health-check-summary">{check.summary}</div>
      {check.advice.length ? (
        <div className="health-advice" data-testid="health-advice">
          <div className="muted">{check.why}</div>
          <ol>
            {check.advice.map((a) => (
              <li key={a}>{renderCode(a)}</li>
            ))}
          </ol>
        </div>
      ) : null}
    </li>
  )
}

function ServiceStates({ services }: { services: ServiceState[] }) {
  const down = services.filter((s) => s.state !== 'up')
  if (!down.length) return null
  return (
    <Card title="Services" data-testid="health-services">
      {down.map((s) => (
        <p key={s.type}>
          <strong>{s.type}</strong>: {s.state === 'starting' ? 'starting (probing the hypervisor)…' : `cannot work: ${s.reason ?? 'unknown reason'}`}
        </p>
      ))}
    </Card>
  )
}

/** `command` spans in the advice text become <code>. */
export function renderCode(text: string) {
  return text.split(/(`[^`]+`)/).map((part, i) => (part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : part))
}
