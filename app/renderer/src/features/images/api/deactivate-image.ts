import { useClient } from '../../../lib/openstack/client-provider'
import { deactivateImage, imageKeys } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2/images/{id}/actions/deactivate (admin): nobody can boot or download it until reactivated. */
export function useDeactivateImage() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deactivateImage(client, id),
    onSuccess: () => qc.invalidate(imageKeys.all),
  })
}
