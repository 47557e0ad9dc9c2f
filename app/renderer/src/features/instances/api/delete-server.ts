import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, deleteServer } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /servers/{id} → 204; the list shows it "deleting" until Nova has removed it. */
export function useDeleteServer() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteServer(client, id),
    // Not the server's own query: the detail page leaves once it is gone.
    onSuccess: () => Promise.all([qc.invalidate(computeKeys.serverList), qc.invalidate(computeKeys.limits), qc.invalidate(computeKeys.hypervisors)]),
  })
}
