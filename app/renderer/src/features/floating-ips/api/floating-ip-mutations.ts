import { useClient } from '../../../lib/openstack/client-provider'
import {
  createFloatingIp,
  createPortForwarding,
  deleteFloatingIp,
  deletePortForwarding,
  networkKeys,
  updateFloatingIp,
  type CreateFloatingIpBody,
  type CreatePortForwardingBody,
  type UpdateFloatingIpBody,
} from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2.0/floatingips → 201 (409 when the pool or the quota is exhausted). */
export function useAllocateFloatingIp() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ body, cli }: { body: CreateFloatingIpBody; cli?: string | null }) => createFloatingIp(client, body, { cli }),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}

/** PUT /v2.0/floatingips/{id}: associate (port_id) or disassociate (port_id null). */
export function useUpdateFloatingIp() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateFloatingIpBody }) => updateFloatingIp(client, id, body),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}

/** DELETE /v2.0/floatingips/{id} → 204: the address goes back to the pool. */
export function useReleaseFloatingIp() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteFloatingIp(client, id),
    onSuccess: (_r: void, id: string) => {
      // Its port forwardings went with it: asking again would be a 404.
      qc.remove(networkKeys.portForwardings(id))
      return qc.invalidate(networkKeys.all)
    },
  })
}

export function useCreatePortForwarding(fipId: string) {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreatePortForwardingBody) => createPortForwarding(client, fipId, body),
    onSuccess: () => qc.invalidate(networkKeys.floatingIps),
  })
}

export function useDeletePortForwarding(fipId: string) {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deletePortForwarding(client, fipId, id),
    onSuccess: () => qc.invalidate(networkKeys.floatingIps),
  })
}
