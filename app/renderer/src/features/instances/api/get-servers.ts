import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listServers, type Server } from '../../../lib/openstack/compute'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import { POLL_MS, shouldPoll } from '../utils/server-status'

/** GET /servers/detail: the project's instances with every field. */
export const getServersQueryOptions = (client: OpenStackClient): QueryOptions<Server[]> => ({
  queryKey: computeKeys.serverList,
  queryFn: ({ signal }) => listServers(client, signal),
})

/** The instances list; refreshes itself every 2 s while one is building or has a task running. */
export function useServers() {
  const query = useQuery(getServersQueryOptions(useClient()))
  usePolling(query.status === 'success' && shouldPoll(query.data), query.isFetching, query.refetch, POLL_MS)
  return query
}
