import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, createServer, type CreateServerBody } from '../../../lib/openstack/compute'
import { networkKeys } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /servers → 202: the instance exists (BUILD) and Nova builds it in the background. */
export function useCreateServer() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ body, cli }: { body: CreateServerBody; cli?: string | null }) => createServer(client, body, { cli }),
    onSuccess: () => Promise.all([qc.invalidate(computeKeys.servers), qc.invalidate(computeKeys.limits), qc.invalidate(computeKeys.hypervisors), qc.invalidate(networkKeys.all)]),
  })
}
