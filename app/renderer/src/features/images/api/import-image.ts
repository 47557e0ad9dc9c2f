import { useClient } from '../../../lib/openstack/client-provider'
import { createImage, deleteImage, imageKeys, importImageFromUrl, type Image } from '../../../lib/openstack/image'
import { useMutation, useQueryClient } from '../../../lib/query'
import { createImageBody, type NewImageForm } from '../utils/image-form'

export interface ImportImageInput {
  form: NewImageForm
  url: string
}

/** Thrown when the import was refused: says whether the empty image made for it could be removed. */
export class ImportFailed extends Error {
  constructor(
    readonly reason: unknown,
    readonly leftover?: Image,
  ) {
    super('import failed')
  }
}

/**
 * POST /v2/images, then POST /v2/images/{id}/import {"method": {"name": "web-download", "uri": …}} → 202.
 * Glance then downloads the URL itself (status importing → active; the list refreshes until then). When the
 * import is refused, the queued image is deleted again so that no empty image is left behind.
 */
export function useImportImage() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async ({ form, url }: ImportImageInput): Promise<Image> => {
      const image = await createImage(client, createImageBody(form))
      try {
        await importImageFromUrl(client, image.id, url.trim())
      } catch (err) {
        const removed = await deleteImage(client, image.id).then(
          () => true,
          () => false,
        )
        void qc.invalidate(imageKeys.list)
        throw new ImportFailed(err, removed ? undefined : image)
      }
      return image
    },
    onSuccess: () => qc.invalidate(imageKeys.list),
  })
}
