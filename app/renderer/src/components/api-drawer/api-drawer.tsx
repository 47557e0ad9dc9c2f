import { Fragment, useState } from 'react'
import { useApiCalls, useCallLog } from '../../lib/openstack/call-log-provider'
import type { ApiCall } from '../../lib/openstack/call-log'
import { Badge, type BadgeTone } from '../ui/badge'
import { Button } from '../ui/button'
import { CopyButton } from '../ui/copy-button'
import { Icon } from '../ui/icons'
import { Spinner } from '../ui/spinner'
import './api-drawer.css'

function statusTone(status: number | undefined): BadgeTone {
  if (status === undefined) return 'neutral'
  if (status === 0 || status >= 500) return 'danger'
  if (status >= 400) return 'warning'
  if (status >= 300) return 'info'
  return 'success'
}

const METHOD_CLASS: Record<string, string> = {
  GET: 'method-get',
  POST: 'method-post',
  PUT: 'method-put',
  PATCH: 'method-patch',
  DELETE: 'method-delete',
  HEAD: 'method-head',
}

const time = (t: number) => new Date(t).toLocaleTimeString(undefined, { hour12: false })

/**
 * Every REST call the dashboard made, newest first, with its status, duration and the equivalent `openstack`
 * command. Students learn the API by watching it work.
 */
export function ApiDrawer({ onClose }: { onClose: () => void }) {
  const calls = useApiCalls()
  const log = useCallLog()
  const [expanded, setExpanded] = useState<number | null>(null)
  const rows = [...calls].reverse()
  return (
    <section className="api-drawer" data-testid="api-drawer" aria-label="API calls">
      <header className="api-drawer-header">
        <div className="api-drawer-title">
          <Icon name="terminal" />
          <h2>API calls</h2>
          <Badge tone="neutral" data-testid="api-call-count">
            {calls.length}
          </Badge>
          <span className="api-drawer-hint">Every REST call this dashboard made, and the <code>openstack</code> command that does the same.</span>
        </div>
        <div className="api-drawer-actions">
          <Button size="sm" variant="ghost" onClick={() => log.clear()} disabled={calls.length === 0}>
            Clear
          </Button>
          <Button size="sm" variant="ghost" icon="close" aria-label="Close the API calls panel" onClick={onClose} data-testid="api-drawer-close" />
        </div>
      </header>
      <div className="api-drawer-body">
        {rows.length === 0 ? (
          <p className="api-drawer-empty">No calls yet. Use the dashboard and each request will appear here.</p>
        ) : (
          <table className="api-table">
            <thead>
              <tr>
                <th scope="col" className="col-time">Time</th>
                <th scope="col" className="col-method">Method</th>
                <th scope="col">Path</th>
                <th scope="col" className="col-status">Status</th>
                <th scope="col" className="col-ms">Duration</th>
                <th scope="col">CLI equivalent</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <Fragment key={c.id}>
                  <CallRow call={c} expanded={expanded === c.id} onToggle={() => setExpanded(expanded === c.id ? null : c.id)} />
                  {expanded === c.id ? <CallDetails call={c} /> : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  )
}

function CallRow({ call, expanded, onToggle }: { call: ApiCall; expanded: boolean; onToggle: () => void }) {
  const hasDetails = call.requestBody !== undefined || Boolean(call.error)
  return (
    <tr className={['api-call', expanded && 'api-call-expanded'].filter(Boolean).join(' ')} data-testid="api-call" data-method={call.method} data-path={call.path} data-status={call.status ?? ''}>
      <td className="col-time">{time(call.startedAt)}</td>
      <td className="col-method">
        <span className={`method ${METHOD_CLASS[call.method] ?? ''}`} data-testid="api-call-method">
          {call.method}
        </span>
      </td>
      <td className="col-path">
        {hasDetails ? (
          <button type="button" className="path-toggle" aria-expanded={expanded} onClick={onToggle} title="Show the request body and error">
            <Icon name={expanded ? 'chevronDown' : 'chevronRight'} />
            <code data-testid="api-call-path">{call.path}</code>
          </button>
        ) : (
          <code className="path-plain" data-testid="api-call-path">
            {call.path}
          </code>
        )}
      </td>
      <td className="col-status">
        {call.status === undefined ? (
          <Spinner size="sm" label="waiting for the answer" />
        ) : (
          <Badge tone={statusTone(call.status)} data-testid="api-call-status" title={call.error}>
            {call.status === 0 ? 'failed' : call.status}
          </Badge>
        )}
      </td>
      <td className="col-ms" data-testid="api-call-duration">
        {call.durationMs === undefined ? '' : `${call.durationMs} ms`}
      </td>
      <td className="col-cli">
        {call.cli ? (
          <span className="cli">
            <code data-testid="api-call-cli">{`$ ${call.cli}`}</code>
            <CopyButton text={call.cli} label="Copy the command" data-testid="api-call-copy" />
          </span>
        ) : (
          <span className="cli-none">no CLI equivalent</span>
        )}
      </td>
    </tr>
  )
}

function CallDetails({ call }: { call: ApiCall }) {
  return (
    <tr className="api-call-details">
      <td colSpan={6}>
        {call.error ? (
          <p className="api-call-error">
            <strong>Error:</strong> {call.error}
          </p>
        ) : null}
        {call.requestBody !== undefined ? (
          <>
            <div className="api-call-details-label">Request body (secrets hidden)</div>
            <pre className="code-block">{JSON.stringify(call.requestBody, null, 2)}</pre>
          </>
        ) : null}
      </td>
    </tr>
  )
}
