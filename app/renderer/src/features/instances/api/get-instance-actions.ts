import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, getInstanceAction, listInstanceActions, type InstanceAction, type InstanceActionDetail } from '../../../lib/openstack/compute'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import { POLL_MS } from '../utils/server-status'

/** GET /servers/{id}/os-instance-actions: what was done to the instance, newest first. */
export const getInstanceActionsQueryOptions = (client: OpenStackClient, id: string): QueryOptions<InstanceAction[]> => ({
  queryKey: computeKeys.actions(id),
  queryFn: ({ signal }) => listInstanceActions(client, id, signal),
})

/** The action log; follows the instance while it is changing. */
export function useInstanceActions(id: string, live: boolean) {
  const query = useQuery(getInstanceActionsQueryOptions(useClient(), id))
  usePolling(live && query.status === 'success', query.isFetching, query.refetch, POLL_MS)
  return query
}

/** GET /servers/{id}/os-instance-actions/{request_id}: one action with its events. */
export const getInstanceActionQueryOptions = (client: OpenStackClient, id: string, requestId: string): QueryOptions<InstanceActionDetail> => ({
  queryKey: computeKeys.action(id, requestId),
  queryFn: ({ signal }) => getInstanceAction(client, id, requestId, signal),
})

export function useInstanceAction(id: string, requestId: string, live: boolean) {
  const query = useQuery(getInstanceActionQueryOptions(useClient(), id, requestId))
  const unfinished = query.data?.events.some((e) => !e.finish_time) ?? false
  usePolling((live || unfinished) && query.status === 'success', query.isFetching, query.refetch, POLL_MS)
  return query
}
