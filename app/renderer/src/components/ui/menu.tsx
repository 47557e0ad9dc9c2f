import { useId, useRef } from 'react'
import { Icon, type IconName } from './icons'

export interface MenuItem {
  key: string
  label: string
  icon?: IconName
  onSelect: () => void
  disabled?: boolean
  /** Why it is disabled, or what it does. */
  title?: string
  danger?: boolean
  'data-testid'?: string
}

/**
 * A button that opens a list of actions: the native popover API (top layer, so a table's overflow never clips
 * it; Esc and clicks elsewhere close it), placed under its button by CSS anchor positioning where the browser
 * has it, centred otherwise.
 */
export function Menu({ label, icon = 'more', items, 'data-testid': testId, compact }: { label: string; icon?: IconName; items: MenuItem[]; 'data-testid'?: string; compact?: boolean }) {
  const id = useId()
  const ref = useRef<HTMLDivElement>(null)
  return (
    <>
      <button type="button" className={['btn', 'btn-ghost', 'btn-sm', 'menu-button', compact && 'btn-icon-only'].filter(Boolean).join(' ')} popoverTarget={id} aria-haspopup="menu" aria-label={label} title={label} data-testid={testId}>
        <Icon name={icon} />
        {compact ? null : <span>{label}</span>}
      </button>
      <div ref={ref} id={id} popover="auto" className="menu" role="menu" aria-label={label} data-testid={testId ? `${testId}-items` : undefined}>
        {items.map((item) => (
          <button
            key={item.key}
            type="button"
            role="menuitem"
            className={['menu-item', item.danger && 'menu-item-danger'].filter(Boolean).join(' ')}
            disabled={item.disabled}
            title={item.title}
            data-testid={item['data-testid']}
            onClick={() => {
              ref.current?.hidePopover()
              item.onSelect()
            }}
          >
            {item.icon ? <Icon name={item.icon} /> : null}
            <span>{item.label}</span>
          </button>
        ))}
      </div>
    </>
  )
}
