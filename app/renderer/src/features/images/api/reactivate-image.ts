import { useClient } from '../../../lib/openstack/client-provider'
import { imageKeys, reactivateImage } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2/images/{id}/actions/reactivate (admin). */
export function useReactivateImage() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => reactivateImage(client, id),
    onSuccess: () => qc.invalidate(imageKeys.all),
  })
}
