import type { ReactNode } from 'react'
import { Icon } from './icons'

export interface FilterToolbarProps {
  filter: string
  onFilter(value: string): void
  placeholder: string
  /** Accessible name of the search box, e.g. "Filter images". */
  label: string
  filterTestId: string
  summaryTestId: string
  /** Shows the "live" badge while the list refreshes by itself. */
  live: boolean
  liveTitle: string
  /** Counts, quota use: whatever the list says about itself. */
  children: ReactNode
}

/** The search box and summary line above a resource list (images, instances). */
export function FilterToolbar(p: FilterToolbarProps) {
  return (
    <div className="toolbar">
      <label className="search">
        <Icon name="search" />
        <input
          className="input"
          type="search"
          placeholder={p.placeholder}
          value={p.filter}
          onChange={(e) => p.onFilter(e.target.value)}
          aria-label={p.label}
          data-testid={p.filterTestId}
        />
      </label>
      <span className="muted toolbar-summary" data-testid={p.summaryTestId}>
        {p.live ? (
          <span className="live" title={p.liveTitle}>
            <span className="live-dot" aria-hidden="true" /> live
          </span>
        ) : null}
        {p.children}
      </span>
    </div>
  )
}
