import { useClient } from '../../../lib/openstack/client-provider'
import { createNetwork, createSubnet, deleteNetwork, networkKeys, type CreateNetworkBody, type CreateSubnetBody } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/**
 * POST /v2.0/networks → 201, then (with a subnet) POST /v2.0/subnets → 201. When the subnet is refused the new
 * network is deleted again, so a retry does not leave an empty network behind.
 */
export function useCreateNetwork() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async ({ network, subnet }: { network: CreateNetworkBody; subnet?: (networkId: string) => CreateSubnetBody }) => {
      const net = await createNetwork(client, network)
      if (subnet) {
        try {
          await createSubnet(client, subnet(net.id))
        } catch (err) {
          await deleteNetwork(client, net.id).catch(() => undefined)
          throw err
        }
      }
      return net
    },
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}
