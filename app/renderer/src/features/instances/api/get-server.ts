import { useEffect } from 'react'
import { notifyServerOutcomes } from '../../../lib/notifications'
import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, getServer, type Server } from '../../../lib/openstack/compute'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import { isChanging, POLL_MS } from '../utils/server-status'

/** GET /servers/{id}. */
export const getServerQueryOptions = (client: OpenStackClient, id: string): QueryOptions<Server> => ({
  queryKey: computeKeys.server(id),
  queryFn: ({ signal }) => getServer(client, id, signal),
})

/** One instance; refreshes itself every 2 s while it is building or a task runs (and notifies when that ends, see useServers). */
export function useServer(id: string) {
  const query = useQuery(getServerQueryOptions(useClient(), id))
  usePolling(query.status === 'success' && !!query.data && isChanging(query.data), query.isFetching, query.refetch, POLL_MS)
  useEffect(() => notifyServerOutcomes(query.data ? [query.data] : undefined, isChanging), [query.data])
  return query
}
