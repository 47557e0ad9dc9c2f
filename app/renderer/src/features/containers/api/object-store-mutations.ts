import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { createContainer, deleteContainer, deleteObject, listObjects, objectStoreKeys, setContainerPublic, setTempUrlKey } from '../../../lib/openstack/object-store'
import { useMutation, useQueryClient } from '../../../lib/query'

export function useCreateContainer() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ name, isPublic }: { name: string; isPublic: boolean }) => createContainer(client, name, { isPublic }),
    onSuccess: () => qc.invalidate(objectStoreKeys.all),
  })
}

export function useSetContainerPublic() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ name, isPublic }: { name: string; isPublic: boolean }) => setContainerPublic(client, name, isPublic),
    onSuccess: () => qc.invalidate(objectStoreKeys.all),
  })
}

export function useSetTempUrlKey() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (key: string) => setTempUrlKey(client, key),
    onSuccess: () => qc.invalidate(objectStoreKeys.account),
  })
}

/**
 * Deletes every object whose name starts with `prefix` ('' = all of the container), one DELETE each (SLO
 * manifests with their segments), reporting progress. Then, for a whole container, the container itself.
 * Stops at the first failure: what was deleted stays deleted.
 */
export async function deleteRecursively(
  client: OpenStackClient,
  container: string,
  prefix: string,
  opts: { deleteContainer: boolean; onProgress?: (done: number, total: number) => void },
): Promise<number> {
  const entries = await listObjects(client, container, { prefix })
  const names = entries.flatMap((e) => ('name' in e ? [e.name] : []))
  let done = 0
  opts.onProgress?.(0, names.length)
  for (const name of names) {
    await deleteObject(client, container, name)
    opts.onProgress?.(++done, names.length)
  }
  if (opts.deleteContainer) await deleteContainer(client, container)
  return names.length
}

export function useDeleteObjects() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (v: { container: string; prefix: string; deleteContainer: boolean; onProgress?: (done: number, total: number) => void }) =>
      deleteRecursively(client, v.container, v.prefix, { deleteContainer: v.deleteContainer, onProgress: v.onProgress }),
    onSuccess: (_n: number, v) => {
      if (v.deleteContainer) qc.remove(objectStoreKeys.container(v.container))
      return qc.invalidate(objectStoreKeys.all)
    },
  })
}

export function useDeleteObject() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ container, name }: { container: string; name: string }) => deleteObject(client, container, name),
    onSuccess: () => qc.invalidate(objectStoreKeys.all),
  })
}
