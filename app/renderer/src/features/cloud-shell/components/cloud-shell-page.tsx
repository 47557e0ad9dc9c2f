import { useCallback, useState } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { PageHeader } from '../../../components/ui/page'
import { useClient } from '../../../lib/openstack/client-provider'
import { desktopShellBridge } from '../api/shell-transport'
import { ShellTerminal, type ShellState } from './shell-terminal'
import './cloud-shell.css'

interface Tab {
  id: number
  title: string
  state: ShellState
}

/**
 * The cloud shell: terminals running the user's shell on this computer, with `openstack` and `swift` acting as
 * the dashboard's user on its project (a clouds.yaml of the session's token). Several tabs; closing a tab ends
 * its shell and every process it started.
 */
export function CloudShellPage() {
  const client = useClient()
  const [tabs, setTabs] = useState<Tab[]>([{ id: 1, title: 'Shell 1', state: { kind: 'connecting' } }])
  const [current, setCurrent] = useState(1)
  const [next, setNext] = useState(2)
  const token = client.session.token
  const origin = client.origin || window.location.origin

  const addTab = useCallback(() => {
    const id = next
    setNext(id + 1)
    setTabs((t) => [...t, { id, title: `Shell ${id}`, state: { kind: 'connecting' } }])
    setCurrent(id)
  }, [next])

  const closeTab = useCallback(
    (id: number) => {
      setTabs((t) => {
        const rest = t.filter((x) => x.id !== id)
        if (current === id && rest.length) setCurrent(rest[Math.max(0, t.findIndex((x) => x.id === id) - 1)]!.id)
        return rest
      })
    },
    [current],
  )

  const setState = useCallback((id: number, state: ShellState) => setTabs((t) => t.map((x) => (x.id === id ? { ...x, state } : x))), [])

  return (
    <div className="cloud-shell-page" data-testid="cloud-shell-page">
      <PageHeader
        title="Cloud shell"
        description={
          <>
            A terminal on this computer where <code>openstack</code> and <code>swift</code> act as {client.session.user.name} on project{' '}
            {client.session.project?.name ?? '—'}. Each tab is its own shell; closing it ends the shell and what runs in it.
          </>
        }
        api={desktopShellBridge() ? 'desktop IPC → pty' : 'WebSocket /cloud-shell/v1/socket → pty'}
        actions={
          <Button icon="plus" onClick={addTab} data-testid="shell-new-tab">
            New tab
          </Button>
        }
      />
      <div className="shell-tabs" role="tablist" aria-label="Shells">
        {tabs.map((t) => (
          <div key={t.id} className={['shell-tab', t.id === current && 'shell-tab-current'].filter(Boolean).join(' ')} data-testid="shell-tab" data-tab-id={t.id} data-state={t.state.kind}>
            <button type="button" role="tab" aria-selected={t.id === current} className="shell-tab-title" onClick={() => setCurrent(t.id)} data-testid="shell-tab-select">
              {t.title}
              {t.state.kind === 'closed' ? (
                <Badge tone="neutral">ended</Badge>
              ) : t.state.kind === 'connecting' ? (
                <Badge tone="info">starting</Badge>
              ) : null}
            </button>
            <button type="button" className="shell-tab-close" aria-label={`Close ${t.title}`} title="Close this tab and end its shell" onClick={() => closeTab(t.id)} data-testid="shell-tab-close">
              ×
            </button>
          </div>
        ))}
      </div>
      {tabs.length === 0 ? (
        <p className="muted" data-testid="shell-empty">
          No shell is open. <Button size="sm" onClick={addTab}>Open one</Button>
        </p>
      ) : null}
      <div className="shell-panels">
        {tabs.map((t) => (
          <ShellTerminal key={t.id} token={token} origin={origin} active={t.id === current} label={t.title} onState={(s) => setState(t.id, s)} />
        ))}
      </div>
    </div>
  )
}
