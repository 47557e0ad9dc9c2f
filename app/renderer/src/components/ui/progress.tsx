import type { ReactNode } from 'react'

/**
 * A determinate progress bar: the native <progress> (its value is an attribute, so no inline style is needed
 * under the strict CSP), with the percentage and any details beside it.
 */
export function ProgressBar({
  value,
  max,
  label,
  percent,
  details,
  tone = 'primary',
  'data-testid': testId,
}: {
  value: number
  max: number
  label: string
  percent: number
  details?: ReactNode
  tone?: 'primary' | 'success' | 'danger'
  'data-testid'?: string
}) {
  return (
    <div className={`progress-block progress-${tone}`} data-testid={testId} data-percent={percent}>
      <div className="progress-head">
        <span className="progress-label">{label}</span>
        <span className="progress-percent" data-testid="progress-percent">
          {percent}%
        </span>
      </div>
      <progress className="progress" value={value} max={max > 0 ? max : 1} aria-label={label} />
      {details ? <div className="progress-details">{details}</div> : null}
    </div>
  )
}
