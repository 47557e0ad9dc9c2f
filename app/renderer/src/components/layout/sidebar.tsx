import { Link } from '../../lib/router'
import { Icon, Logo } from '../ui/icons'
import type { NavSection } from './nav-types'

export function Sidebar({ sections, currentPath, isAdmin }: { sections: NavSection[]; currentPath: string; isAdmin: boolean }) {
  return (
    <nav className="sidebar" aria-label="Main" data-testid="sidebar">
      <div className="sidebar-brand">
        <Logo />
        <div>
          <div className="sidebar-brand-name">Stackling</div>
          <div className="sidebar-brand-tag">pocket OpenStack</div>
        </div>
      </div>
      <div className="sidebar-sections">
        {sections.map((section) => {
          const items = section.items.filter((i) => isAdmin || !i.adminOnly)
          if (items.length === 0) return null
          return (
            <div className="sidebar-section" key={section.id}>
              {section.title ? <div className="sidebar-section-title">{section.title}</div> : null}
              <ul>
                {items.map((item) => {
                  const active = currentPath === item.path || currentPath.startsWith(`${item.path}/`)
                  return (
                    <li key={item.path}>
                      <Link
                        to={item.path}
                        className={['nav-link', active && 'nav-link-active', item.soon && 'nav-link-soon'].filter(Boolean).join(' ')}
                        aria-current={active ? 'page' : undefined}
                        title={item.soon ? `${item.label} (coming soon)` : item.label}
                        data-testid={`nav-${item.path.replace(/^\//, '').replace(/\//g, '-')}`}
                      >
                        <Icon name={item.icon} />
                        <span className="nav-link-label">{item.label}</span>
                        {item.soon ? <span className="nav-soon">soon</span> : null}
                      </Link>
                    </li>
                  )
                })}
              </ul>
            </div>
          )
        })}
      </div>
    </nav>
  )
}
