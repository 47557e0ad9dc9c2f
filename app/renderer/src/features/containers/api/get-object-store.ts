import { useClient } from '../../../lib/openstack/client-provider'
import { getAccount, getContainer, listContainers, listObjects, objectStoreKeys, type AccountInfo, type ContainerInfo, type ContainerSummary, type ListingEntry } from '../../../lib/openstack/object-store'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery } from '../../../lib/query'

/** Swift has no transitional states: a slow refresh keeps the usage and listings current with other clients. */
export const OBJECT_STORE_POLL_MS = 10_000

/** HEAD the account: bytes, counts, the TempURL key. */
export function useAccount() {
  const client = useClient()
  const visible = usePageVisible()
  const q = useQuery<AccountInfo>({ queryKey: objectStoreKeys.account, queryFn: ({ signal }) => getAccount(client, signal) })
  usePolling(visible && q.status !== 'pending', q.isFetching, q.refetch, OBJECT_STORE_POLL_MS)
  return q
}

export interface ContainerRow extends ContainerSummary {
  /** From a HEAD of the container (undefined when it failed). */
  isPublic?: boolean
}

/** GET the account (format=json), then HEAD each container for its read ACL (public or not). */
export function useContainers() {
  const client = useClient()
  const visible = usePageVisible()
  const q = useQuery<ContainerRow[]>({
    queryKey: objectStoreKeys.containers,
    queryFn: async ({ signal }) => {
      const rows = await listContainers(client, signal)
      const heads = await Promise.all(rows.map((r) => getContainer(client, r.name, signal).catch(() => undefined)))
      return rows.map((r, i) => ({ ...r, isPublic: heads[i]?.isPublic }))
    },
  })
  usePolling(visible && q.status !== 'pending', q.isFetching, q.refetch, OBJECT_STORE_POLL_MS)
  return { ...q, live: visible }
}

export function useContainer(name: string) {
  const client = useClient()
  return useQuery<ContainerInfo>({ queryKey: objectStoreKeys.container(name), queryFn: ({ signal }) => getContainer(client, name, signal) })
}

/** One folder level of a container (prefix + delimiter=/). */
export function useObjects(container: string, prefix: string) {
  const client = useClient()
  const visible = usePageVisible()
  const q = useQuery<ListingEntry[]>({ queryKey: objectStoreKeys.objects(container, prefix), queryFn: ({ signal }) => listObjects(client, container, { prefix, delimiter: '/', signal }) })
  usePolling(visible && q.status !== 'pending', q.isFetching, q.refetch, OBJECT_STORE_POLL_MS)
  return { ...q, live: visible }
}
