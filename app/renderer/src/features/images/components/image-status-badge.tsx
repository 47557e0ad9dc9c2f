import { Badge } from '../../../components/ui/badge'
import { Spinner } from '../../../components/ui/spinner'
import type { Image } from '../../../lib/openstack/image'
import { imageStatusInfo } from '../utils/image-status'

/** Glance's status as a coloured pill; a spinner while it is changing on its own, the meaning as a tooltip. */
export function ImageStatusBadge({ image }: { image: Image }) {
  const info = imageStatusInfo(image)
  return (
    <span className="image-status" data-testid="image-status" data-status={image.status} title={info.hint}>
      <Badge tone={info.tone} dot={!info.busy}>
        {info.busy ? <Spinner size="sm" /> : null}
        {info.label}
      </Badge>
    </span>
  )
}
