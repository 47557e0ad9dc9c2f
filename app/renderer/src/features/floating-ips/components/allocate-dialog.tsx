import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { CreateFloatingIpBody, FloatingIp, Network } from '../../../lib/openstack/network'
import { useAllocateFloatingIp } from '../api/floating-ip-mutations'
import { describeAllocateError } from '../utils/floating-ip-form'

/** POST /v2.0/floatingips: a free address of an external network, for the project. */
export function AllocateDialog({ pools, onClose, onAllocated }: { pools: readonly Network[]; onClose: () => void; onAllocated: (f: FloatingIp) => void }) {
  const [poolId, setPoolId] = useState(() => (pools.find((p) => p.name === 'public') ?? pools[0])?.id ?? '')
  const [description, setDescription] = useState('')
  const allocate = useAllocateFloatingIp()
  const pool = pools.find((p) => p.id === poolId)
  const body: CreateFloatingIpBody = { floatingip: { floating_network_id: poolId, ...(description.trim() ? { description: description.trim() } : {}) } }
  const cli = poolId ? cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/floatingips', body: { floatingip: { ...body.floatingip, floating_network_id: pool?.name || poolId } } }) : null
  return (
    <Dialog
      title="Allocate floating IP"
      description="Reserves an address of an external network for this project. Associate it with an instance to reach the instance from outside its network."
      onClose={onClose}
      busy={allocate.isPending}
      onSubmit={() =>
        poolId &&
        void allocate.mutateAsync({ body, cli }).then(
          (f) => {
            onAllocated(f)
            onClose()
          },
          () => undefined,
        )
      }
      data-testid="allocate-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={allocate.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="plus" loading={allocate.isPending} disabled={!poolId} data-testid="allocate-submit">
            Allocate IP
          </Button>
        </>
      }
    >
      {allocate.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeAllocateError(allocate.error, pool?.name ?? 'the pool')}
        </Alert>
      ) : null}
      {pools.length === 0 ? (
        <Alert tone="warning" title="No external network">
          Floating IPs come from an external network, and none is visible to this project. An admin creates one (Network → Networks, External).
        </Alert>
      ) : (
        <SelectField label="Pool (external network)" value={poolId} onChange={(e) => setPoolId(e.target.value)} data-testid="allocate-pool">
          {pools.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name || p.id}
            </option>
          ))}
        </SelectField>
      )}
      <TextField label="Description" optional value={description} onChange={(e) => setDescription(e.target.value)} maxLength={255} data-testid="allocate-description" />
      {cli ? (
        <div className="cli-line" data-testid="allocate-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
