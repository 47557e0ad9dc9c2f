import type { ReactNode } from 'react'

export interface TabItem {
  id: string
  label: ReactNode
}

/** A row of tabs (ARIA tablist); the page renders the panel of `current`. */
export function Tabs({ tabs, current, onSelect, label }: { tabs: TabItem[]; current: string; onSelect: (id: string) => void; label: string }) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === current}
          aria-controls={`tabpanel-${t.id}`}
          tabIndex={t.id === current ? 0 : -1}
          className={['tab', t.id === current && 'tab-current'].filter(Boolean).join(' ')}
          data-testid={`tab-${t.id}`}
          onClick={() => onSelect(t.id)}
          onKeyDown={(e) => {
            const i = tabs.findIndex((x) => x.id === current)
            const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined
            if (next) {
              e.preventDefault()
              onSelect(next.id)
              document.getElementById(`tab-${next.id}`)?.focus()
            }
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  )
}

export function TabPanel({ id, children }: { id: string; children: ReactNode }) {
  return (
    <div role="tabpanel" id={`tabpanel-${id}`} aria-labelledby={`tab-${id}`} className="tab-panel" data-testid={`tabpanel-${id}`}>
      {children}
    </div>
  )
}
