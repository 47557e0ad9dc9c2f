import type { ReactNode } from 'react'

export type BadgeTone = 'success' | 'danger' | 'warning' | 'info' | 'neutral' | 'accent'

/** A small status pill; `dot` adds a coloured dot before the words. */
export function Badge({ tone = 'neutral', dot, children, className, ...rest }: { tone?: BadgeTone; dot?: boolean; children: ReactNode; className?: string; 'data-testid'?: string; title?: string }) {
  return (
    <span className={['badge', `badge-${tone}`, className].filter(Boolean).join(' ')} {...rest}>
      {dot ? <span className="badge-dot" aria-hidden="true" /> : null}
      {children}
    </span>
  )
}

/** Enabled/Disabled, as Keystone's `enabled` flag. */
export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge tone={enabled ? 'success' : 'neutral'} dot>
      {enabled ? 'Enabled' : 'Disabled'}
    </Badge>
  )
}
