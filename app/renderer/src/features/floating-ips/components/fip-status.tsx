import { Badge } from '../../../components/ui/badge'
import type { FloatingIp } from '../../../lib/openstack/network'

/** ACTIVE once associated through a router that is up; DOWN otherwise. */
export function FipStatus({ fip }: { fip: FloatingIp }) {
  return (
    <Badge tone={fip.status === 'ACTIVE' ? 'success' : fip.status === 'ERROR' ? 'danger' : 'neutral'} dot data-testid="fip-status" title={fip.status === 'DOWN' ? 'Not associated, or its router is down' : undefined}>
      {fip.status}
    </Badge>
  )
}
