import { useLayoutEffect, useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CheckboxField, SelectField } from '../../../components/ui/field'
import { Card } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import type { Server } from '../../../lib/openstack/compute'
import { useConsoleOutput } from '../api/get-console-output'
import { describeComputeError } from '../utils/compute-errors'

const LENGTHS = [
  { value: '50', label: 'Last 50 lines' },
  { value: '200', label: 'Last 200 lines' },
  { value: '1000', label: 'Last 1,000 lines' },
  { value: 'all', label: 'Everything' },
]

/**
 * What the guest wrote to its serial port (os-getConsoleOutput): the boot log, then whatever runs on the console.
 * "Follow" asks again every 2 seconds and keeps the end in view.
 */
export function ConsoleLog({ server }: { server: Server }) {
  const [length, setLength] = useState('200')
  const [follow, setFollow] = useState(() => server.status === 'BUILD' || server.status === 'ACTIVE')
  const lines = length === 'all' ? undefined : Number(length)
  const log = useConsoleOutput(server.id, lines, follow)
  const pre = useRef<HTMLPreElement>(null)
  useLayoutEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight
  }, [log.data, follow])
  const text = log.data ?? ''
  return (
    <Card
      title="Console log"
      data-testid="console-log"
      actions={
        <div className="console-controls">
          <SelectField label={<span className="visually-hidden">How much</span>} value={length} onChange={(e) => setLength(e.target.value)} data-testid="console-length">
            {LENGTHS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </SelectField>
          <CheckboxField label="Follow" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="console-follow" />
          <Button size="sm" icon="refresh" onClick={() => void log.refetch()} loading={log.isFetching} data-testid="console-refresh">
            Refresh
          </Button>
        </div>
      }
    >
      {log.status === 'pending' ? (
        <LoadingState label="Reading the console log…" />
      ) : log.status === 'error' && log.data === undefined ? (
        <Alert tone="danger" title="Could not read the console log" action={<Button onClick={() => void log.refetch()}>Try again</Button>}>
          {describeComputeError(log.error, 'read console logs')}
        </Alert>
      ) : (
        <>
          {log.status === 'error' ? <Alert tone="warning">{describeComputeError(log.error, 'read console logs')} Showing the last answer.</Alert> : null}
          <pre ref={pre} className="console-output" data-testid="console-output" tabIndex={0} aria-label="Console log">
            {text || (server.status === 'BUILD' ? 'Nothing yet: the instance is still being built.' : 'The log is empty: the guest has not written to its serial port.')}
          </pre>
          <p className="muted small">
            {text ? `${text.split('\n').length.toLocaleString('en-US')} lines shown. ` : ''}The whole log: <code>openstack console log show {server.id}</code>
          </p>
        </>
      )}
    </Card>
  )
}
