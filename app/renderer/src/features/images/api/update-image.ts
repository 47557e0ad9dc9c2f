import { useClient } from '../../../lib/openstack/client-provider'
import { imageKeys, updateImage, type ImagePatchOp } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'

/** PATCH /v2/images/{id} with a JSON-patch (application/openstack-images-v2.1-json-patch). */
export function useUpdateImage() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, ops }: { id: string; ops: ImagePatchOp[] }) => updateImage(client, id, ops),
    onSuccess: () => qc.invalidate(imageKeys.all),
  })
}
