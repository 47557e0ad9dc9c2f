import { Fragment, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Icon } from '../../../components/ui/icons'
import { Card } from '../../../components/ui/page'
import { LoadingState, Spinner } from '../../../components/ui/spinner'
import { formatDateTime } from '../../../lib/format'
import type { InstanceAction, Server } from '../../../lib/openstack/compute'
import { useInstanceAction, useInstanceActions } from '../api/get-instance-actions'
import { describeComputeError } from '../utils/compute-errors'
import { isChanging } from '../utils/server-status'

/** Nova's timestamps without a zone are UTC. */
const utc = (t: string | null | undefined) => (t ? formatDateTime(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`) : '—')

/** What was done to the instance (os-instance-actions), each with its events on demand. */
export function ActionLog({ server, isAdmin }: { server: Server; isAdmin: boolean }) {
  const live = isChanging(server)
  const actions = useInstanceActions(server.id, live)
  const [open, setOpen] = useState<string | null>(null)
  return (
    <Card
      title="Action log"
      data-testid="action-log"
      actions={
        <Button size="sm" icon="refresh" onClick={() => void actions.refetch()} loading={actions.isFetching && actions.status === 'success'}>
          Refresh
        </Button>
      }
    >
      {actions.status === 'pending' ? (
        <LoadingState label="Loading the actions…" />
      ) : actions.status === 'error' ? (
        <Alert tone="danger" title="Could not list the actions">
          {describeComputeError(actions.error, 'see instance actions')}
        </Alert>
      ) : (actions.data ?? []).length === 0 ? (
        <p className="muted">No action recorded.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Instance actions">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Started</th>
                <th scope="col">Request ID</th>
                <th scope="col">User ID</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {[...(actions.data ?? [])]
                .sort((a, b) => b.start_time.localeCompare(a.start_time))
                .map((a) => (
                  <Fragment key={a.request_id}>
                    <tr data-testid="action-row" data-action={a.action}>
                      <td>
                        <button
                          type="button"
                          className="row-toggle"
                          aria-expanded={open === a.request_id}
                          onClick={() => setOpen(open === a.request_id ? null : a.request_id)}
                          title="Show its events"
                          data-testid="action-toggle"
                        >
                          <Icon name={open === a.request_id ? 'chevronDown' : 'chevronRight'} />
                          <strong>{a.action}</strong>
                        </button>
                      </td>
                      <td className="col-nowrap muted">{utc(a.start_time)}</td>
                      <td>
                        <code className="id-text" title={a.request_id}>
                          {a.request_id}
                        </code>
                      </td>
                      <td>
                        <code className="id-text" title={a.user_id}>
                          {a.user_id.slice(0, 8)}
                        </code>
                      </td>
                      <td>{a.message ? <span className="danger-text">{a.message}</span> : <span className="muted">—</span>}</td>
                    </tr>
                    {open === a.request_id ? (
                      <tr className="action-events-row">
                        <td colSpan={5}>
                          <ActionEvents serverId={server.id} action={a} live={live} isAdmin={isAdmin} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small detail-note">
        In a terminal: <code>openstack server event list {server.id}</code>
      </p>
    </Card>
  )
}

function ActionEvents({ serverId, action, live, isAdmin }: { serverId: string; action: InstanceAction; live: boolean; isAdmin: boolean }) {
  const detail = useInstanceAction(serverId, action.request_id, live)
  if (detail.status === 'pending') return <Spinner size="sm" label="Loading the events" />
  if (detail.status === 'error' || !detail.data) return <Alert tone="danger">{describeComputeError(detail.error, 'see instance actions')}</Alert>
  const events = detail.data.events ?? []
  if (events.length === 0) return <p className="muted small">No events: Nova did the work in the API call itself.</p>
  return (
    <ul className="action-events" data-testid="action-events">
      {events.map((e) => (
        <li key={`${e.event}-${e.start_time}`} data-testid="action-event" data-result={e.result ?? ''}>
          <span className="action-event-head">
            <code>{e.event}</code>
            {e.result ? (
              <Badge tone={e.result === 'Success' ? 'success' : 'danger'} dot>
                {e.result}
              </Badge>
            ) : (
              <Badge tone="info">
                <Spinner size="sm" /> running
              </Badge>
            )}
            <span className="muted small">
              {utc(e.start_time)} → {e.finish_time ? utc(e.finish_time) : '…'}
            </span>
          </span>
          {e.traceback && isAdmin ? <pre className="code-block">{e.traceback}</pre> : null}
        </li>
      ))}
    </ul>
  )
}
