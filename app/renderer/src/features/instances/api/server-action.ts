import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, imageIdFromLocation, serverAction, type ServerActionBody } from '../../../lib/openstack/compute'
import { OpenStackError } from '../../../lib/openstack/errors'
import { imageKeys } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'

/**
 * POST /servers/{id}/action → 202 (start, stop, reboot, pause, suspend, createImage …). Refreshes the server
 * afterwards, also after a 409: the state it showed was stale. Resolves with the snapshot's image id for
 * createImage (from the Location header).
 */
export function useServerAction() {
  const client = useClient()
  const qc = useQueryClient()
  const refresh = (id: string) => Promise.all([qc.invalidate(computeKeys.serverList), qc.invalidate(computeKeys.server(id)), qc.invalidate(computeKeys.actions(id))])
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: ServerActionBody }) => {
      try {
        const res = await serverAction(client, id, body)
        return { imageId: imageIdFromLocation(res.headers.get('Location')) }
      } catch (err) {
        if (err instanceof OpenStackError && err.status === 409) void refresh(id)
        throw err
      }
    },
    onSuccess: (_r, { id, body }) =>
      Promise.all([refresh(id), 'createImage' in body ? qc.invalidate(imageKeys.list) : undefined, qc.invalidate(computeKeys.hypervisors)]),
  })
}
