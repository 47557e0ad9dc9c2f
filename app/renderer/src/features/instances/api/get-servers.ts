import { useEffect } from 'react'
import { notifyServerOutcomes } from '../../../lib/notifications'
import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listServers, type Server } from '../../../lib/openstack/compute'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import { isChanging, POLL_MS, shouldPoll } from '../utils/server-status'

/** GET /servers/detail: the project's instances with every field. */
export const getServersQueryOptions = (client: OpenStackClient): QueryOptions<Server[]> => ({
  queryKey: computeKeys.serverList,
  queryFn: ({ signal }) => listServers(client, signal),
})

/**
 * The instances list; refreshes itself every 2 s while one is building or has a task running, and notifies the
 * desktop when one becomes ACTIVE or ERROR while the page is in the background (lib/notifications).
 */
export function useServers() {
  const query = useQuery(getServersQueryOptions(useClient()))
  usePolling(query.status === 'success' && shouldPoll(query.data), query.isFetching, query.refetch, POLL_MS)
  useEffect(() => notifyServerOutcomes(query.data, isChanging), [query.data])
  return query
}
