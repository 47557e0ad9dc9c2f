import { Badge } from '../../../components/ui/badge'
import { Spinner } from '../../../components/ui/spinner'
import { statusInfo } from '../utils/image-status'

/** Glance's status as a coloured pill; a spinner while it is changing on its own, the meaning as a tooltip. */
export function ImageStatusBadge({ status }: { status: string }) {
  const info = statusInfo(status)
  return (
    <span className="image-status" data-testid="image-status" data-status={status} title={info.hint}>
      <Badge tone={info.tone} dot={!info.busy}>
        {info.busy ? <Spinner size="sm" /> : null}
        {info.label}
      </Badge>
    </span>
  )
}
