import type { ReactNode } from 'react'

/**
 * One resource as a bar: what is used, optionally what a request would add, against a limit. An SVG whose
 * widths are attributes (no inline style under the strict CSP). Without a limit the bar stays empty and says so.
 */
export function UsageBar({
  label,
  used,
  requested = 0,
  limit,
  format = (n) => n.toLocaleString('en-US'),
  detail,
  'data-testid': testId,
}: {
  label: ReactNode
  used: number
  /** What the action being prepared would add (drawn after `used`, red when it would overflow). */
  requested?: number
  /** Undefined: unlimited. */
  limit?: number
  format?: (n: number) => string
  detail?: ReactNode
  'data-testid'?: string
}) {
  const hasLimit = limit !== undefined && limit >= 0
  const scale = hasLimit ? Math.max(limit, 1) : 1
  const pct = (n: number) => (hasLimit ? Math.max(0, Math.min(100, (n / scale) * 100)) : 0)
  const usedPct = pct(used)
  const reqPct = Math.min(100 - usedPct, pct(requested))
  const after = used + requested
  const over = hasLimit && after > limit
  const high = hasLimit && !over && after / scale >= 0.9
  const value = hasLimit
    ? requested > 0
      ? `${format(used)} + ${format(requested)} of ${format(limit)}`
      : `${format(used)} of ${format(limit)}`
    : requested > 0
      ? `${format(used)} + ${format(requested)}, no limit`
      : `${format(used)}, no limit`
  return (
    <div
      className={['usage', over && 'usage-over', high && 'usage-high'].filter(Boolean).join(' ')}
      data-testid={testId}
      data-used={used}
      data-requested={requested}
      data-limit={hasLimit ? limit : ''}
    >
      <div className="usage-head">
        <span className="usage-label">{label}</span>
        <span className="usage-value" data-testid="usage-value">
          {value}
        </span>
      </div>
      <svg className="usage-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={`${typeof label === 'string' ? label : ''}: ${value}`}>
        <rect className="usage-track" x="0" y="0" width="100" height="8" />
        {usedPct > 0 ? <rect className="usage-used" x="0" y="0" width={usedPct} height="8" /> : null}
        {reqPct > 0 ? <rect className="usage-requested" x={usedPct} y="0" width={reqPct} height="8" /> : null}
      </svg>
      {detail ? <div className="usage-detail">{detail}</div> : null}
    </div>
  )
}
