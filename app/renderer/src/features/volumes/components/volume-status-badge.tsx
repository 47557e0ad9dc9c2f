import { Badge } from '../../../components/ui/badge'
import { Spinner } from '../../../components/ui/spinner'
import { isTransitional, statusHint, statusLabel, statusTone } from '../utils/volume-status'

/** A volume's or snapshot's status; a spinner in it while Cinder works (Cinder reports no percentage). */
export function VolumeStatusBadge({ status }: { status: string }) {
  const moving = isTransitional(status)
  return (
    <span className="volume-status" data-testid="volume-status" data-status={status} title={statusHint(status)}>
      <Badge tone={statusTone(status)} dot={!moving}>
        {moving ? <Spinner size="sm" /> : null}
        {statusLabel(status)}
      </Badge>
    </span>
  )
}
