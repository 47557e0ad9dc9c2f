import { useClient } from '../../../lib/openstack/client-provider'
import { deleteImage, imageKeys } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v2/images/{id}: 204; 403 while the image is protected. */
export function useDeleteImage() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteImage(client, id),
    // Not the image's own query: the detail page leaves once it is gone.
    onSuccess: () => Promise.all([qc.invalidate(imageKeys.list), qc.invalidate(imageKeys.usage)]),
  })
}
