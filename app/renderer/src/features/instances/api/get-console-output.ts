import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, getConsoleOutput } from '../../../lib/openstack/compute'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'

/** os-getConsoleOutput: the serial log's last `length` lines (all without one). */
export const getConsoleOutputQueryOptions = (client: OpenStackClient, id: string, length: number | undefined): QueryOptions<string> => ({
  queryKey: computeKeys.consoleOutput(id, length),
  queryFn: ({ signal }) => getConsoleOutput(client, id, length, signal),
})

/** The console log; with `follow`, fetched again every `everyMs` after each answer. */
export function useConsoleOutput(id: string, length: number | undefined, follow: boolean, everyMs = 2000) {
  const query = useQuery(getConsoleOutputQueryOptions(useClient(), id, length))
  usePolling(follow && query.status !== 'pending', query.isFetching, query.refetch, everyMs)
  return query
}
