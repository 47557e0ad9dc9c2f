import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { AppShell } from '../components/layout/app-shell'
import { LoadingState } from '../components/ui/spinner'
import { ToastProvider } from '../components/ui/toast'
import { connectDesktopSession, hasDesktopSession } from '../features/auth/api/desktop-session'
import { LoginPage } from '../features/auth/components/login-page'
import { CallLog } from '../lib/openstack/call-log'
import { CallLogProvider } from '../lib/openstack/call-log-provider'
import type { ClientOptions, OpenStackClient } from '../lib/openstack/client'
import { ClientProvider } from '../lib/openstack/client-provider'
import { describeError } from '../lib/openstack/errors'
import { QueryClient, QueryClientProvider } from '../lib/query'
import { navigate, usePath } from '../lib/router'
import { findPanel, HOME, navSections, SECTIONS } from './navigation'

type State = { kind: 'starting' } | { kind: 'login'; notice?: string } | { kind: 'ready'; client: OpenStackClient }

/**
 * The whole dashboard: a Keystone login (or the desktop app's session), then the shell with its panels.
 * The token lives in this component's state only: no storage, no cookies; closing the tab logs out.
 */
export function App() {
  const log = useMemo(() => new CallLog(), [])
  const [state, setState] = useState<State>(() => (hasDesktopSession() ? { kind: 'starting' } : { kind: 'login' }))
  const endSession = useRef<(notice: string) => void>(() => undefined)
  endSession.current = (notice) => setState({ kind: 'login', notice })

  const clientOptions = useMemo<ClientOptions>(
    () => ({
      origin: window.location.origin,
      log,
      onUnauthorized: () => endSession.current('Your session has ended (the token expired or was revoked). Log in again.'),
    }),
    [log],
  )

  useEffect(() => {
    if (state.kind !== 'starting') return
    let cancelled = false
    connectDesktopSession(clientOptions).then(
      (client) => {
        if (!cancelled) setState(client ? { kind: 'ready', client } : { kind: 'login' })
      },
      (err: unknown) => {
        if (!cancelled) setState({ kind: 'login', notice: `The desktop session could not be used: ${describeError(err)} Log in with a password instead.` })
      },
    )
    return () => {
      cancelled = true
    }
  }, [state.kind, clientOptions])

  const onLoggedIn = useCallback((client: OpenStackClient) => {
    setState({ kind: 'ready', client })
    navigate(HOME)
  }, [])

  return (
    <CallLogProvider log={log}>
      {state.kind === 'starting' ? (
          <div className="boot">
            <LoadingState label="Connecting to your cloud…" />
          </div>
        ) : state.kind === 'login' ? (
          <LoginPage clientOptions={clientOptions} onLoggedIn={onLoggedIn} notice={state.notice} />
        ) : (
          <Dashboard
            key={state.client.session.token}
            client={state.client}
            onLogout={() => {
              void state.client.logout()
              setState({ kind: 'login', notice: 'You have logged out.' })
            }}
          />
        )}
    </CallLogProvider>
  )
}

function Dashboard({ client, onLogout }: { client: OpenStackClient; onLogout: () => void }) {
  // One cache per session: another user must never see this one's data.
  const queryClient = useMemo(() => new QueryClient(), [])
  useEffect(() => () => queryClient.clear(), [queryClient])
  const path = usePath()
  const panel = findPanel(path)
  useEffect(() => {
    if (!panel) navigate(HOME)
  }, [panel])
  const sectionTitle = SECTIONS.find((s) => s.id === panel?.section)?.title
  useEffect(() => {
    document.title = panel ? `${panel.label} · Stackling` : 'Stackling'
  }, [panel])
  const { session } = client
  return (
    <QueryClientProvider client={queryClient}>
      <ClientProvider client={client}>
        <ToastProvider>
        <AppShell
          sections={navSections()}
          currentPath={panel?.path ?? path}
          crumbs={[session.project?.name ?? 'Stackling', ...(sectionTitle ? [sectionTitle] : []), panel?.label ?? '']}
          user={{ name: session.user.name, project: session.project?.name, roles: session.roles, isAdmin: client.isAdmin }}
          onLogout={onLogout}
        >
          {panel ? <div key={panel.path}>{panel.render()}</div> : null}
        </AppShell>
        </ToastProvider>
      </ClientProvider>
    </QueryClientProvider>
  )
}
