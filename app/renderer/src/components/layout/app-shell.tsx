import { useState, type ReactNode } from 'react'
import { ApiDrawer } from '../api-drawer/api-drawer'
import { useApiCalls } from '../../lib/openstack/call-log-provider'
import { Button } from '../ui/button'
import { Icon } from '../ui/icons'
import type { NavSection } from './nav-types'
import { Sidebar } from './sidebar'
import './layout.css'

export interface ShellUser {
  name: string
  project?: string
  roles: string[]
  isAdmin: boolean
}

/** The frame around every panel: sidebar, top bar (who, API calls toggle, log out), content, API drawer. */
export function AppShell({
  sections,
  currentPath,
  crumbs,
  user,
  onLogout,
  children,
}: {
  sections: NavSection[]
  currentPath: string
  crumbs: string[]
  user: ShellUser
  onLogout: () => void
  children: ReactNode
}) {
  const [drawerOpen, setDrawerOpen] = useState(false)
  const calls = useApiCalls()
  const failed = calls.filter((c) => c.status !== undefined && (c.status === 0 || c.status >= 400)).length
  return (
    <div className={['shell', drawerOpen && 'shell-drawer-open'].filter(Boolean).join(' ')}>
      <Sidebar sections={sections} currentPath={currentPath} isAdmin={user.isAdmin} />
      <div className="shell-main">
        <header className="topbar" data-testid="topbar">
          <ol className="breadcrumbs" aria-label="You are here">
            {crumbs.map((c, i) => (
              <li key={`${i}-${c}`} aria-current={i === crumbs.length - 1 ? 'page' : undefined}>
                {c}
              </li>
            ))}
          </ol>
          <div className="topbar-actions">
            <button
              type="button"
              className={['api-toggle', drawerOpen && 'api-toggle-on'].filter(Boolean).join(' ')}
              aria-pressed={drawerOpen}
              aria-controls="api-drawer"
              onClick={() => setDrawerOpen(!drawerOpen)}
              data-testid="api-drawer-toggle"
              title="Show every REST call the dashboard makes"
            >
              <Icon name="terminal" />
              <span>API calls</span>
              <span className="api-toggle-count">{calls.length}</span>
              {failed > 0 ? <span className="api-toggle-failed" title={`${failed} failed`} /> : null}
            </button>
            <div className="user-chip" data-testid="user-chip">
              <span className="user-avatar" aria-hidden="true">
                {user.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="user-text">
                <span className="user-name" data-testid="user-name">
                  {user.name}
                </span>
                <span className="user-project">
                  {user.project ? `project ${user.project}` : 'no project'} · {user.isAdmin ? 'admin' : (user.roles[0] ?? 'no role')}
                </span>
              </span>
            </div>
            <Button variant="ghost" icon="logout" onClick={onLogout} data-testid="logout">
              Log out
            </Button>
          </div>
        </header>
        <main className="content" id="content">
          {children}
        </main>
        {drawerOpen ? (
          <div id="api-drawer" className="drawer-slot">
            <ApiDrawer onClose={() => setDrawerOpen(false)} />
          </div>
        ) : null}
      </div>
    </div>
  )
}
