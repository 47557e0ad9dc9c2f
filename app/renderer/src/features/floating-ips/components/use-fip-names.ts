import { adminUserOf } from '../../../lib/openstack/host-access'
import type { FloatingIp } from '../../../lib/openstack/network'
import { useFloatingIpContext } from '../api/get-floating-ips'
import { instanceOf } from '../utils/floating-ip-form'

/** Names for the IDs a floating IP carries: its pool, its instance, the ssh user of the instance's image. */
export function useFipNames() {
  const ctx = useFloatingIpContext()
  const networks = ctx.networks.data ?? []
  const pool = (id: string) => networks.find((n) => n.id === id)?.name ?? `${id.slice(0, 8)}…`
  const serverOf = (f: FloatingIp) => {
    const id = instanceOf(f)
    return id ? ctx.servers.data?.find((s) => s.id === id) : undefined
  }
  const userFor = (f: FloatingIp) => {
    const s = serverOf(f)
    const imageId = s && s.image ? s.image.id : undefined
    return adminUserOf(imageId ? ctx.images.data?.find((i) => i.id === imageId) : undefined)
  }
  const pools = networks.filter((n) => n['router:external']).sort((a, b) => a.name.localeCompare(b.name))
  return { pool, serverOf, userFor, pools, servers: ctx.servers }
}
