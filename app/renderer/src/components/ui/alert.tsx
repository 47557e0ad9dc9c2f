import type { ReactNode } from 'react'
import { Icon, type IconName } from './icons'

export type AlertTone = 'info' | 'warning' | 'danger' | 'success'

const ICONS: Record<AlertTone, IconName> = { info: 'info', warning: 'lock', danger: 'alert', success: 'check' }

/** A callout box: errors with what to do, notices, hints. Errors are announced to screen readers. */
export function Alert({ tone = 'info', title, children, action, icon, ...rest }: { tone?: AlertTone; title?: ReactNode; children?: ReactNode; action?: ReactNode; icon?: IconName; 'data-testid'?: string }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'danger' ? 'alert' : 'note'} {...rest}>
      <Icon name={icon ?? ICONS[tone]} className="alert-icon" />
      <div className="alert-body">
        {title ? <div className="alert-title">{title}</div> : null}
        {children ? <div className="alert-text">{children}</div> : null}
      </div>
      {action ? <div className="alert-action">{action}</div> : null}
    </div>
  )
}
