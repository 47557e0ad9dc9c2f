import { useClient } from '../../../lib/openstack/client-provider'
import { getSerialConsole } from '../../../lib/openstack/compute'
import { useMutation } from '../../../lib/query'

/** os-getSerialConsole → a websocket URL whose token works once, for 10 minutes: asked for at each connection. */
export function useSerialConsoleUrl() {
  const client = useClient()
  return useMutation({ mutationFn: (id: string) => getSerialConsole(client, id) })
}
