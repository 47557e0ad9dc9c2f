import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { useToast } from '../../../components/ui/toast'
import { describeError } from '../../../lib/openstack/errors'
import type { FloatingIp } from '../../../lib/openstack/network'
import { useReleaseFloatingIp, useUpdateFloatingIp } from '../api/floating-ip-mutations'
import { AssociateDialog } from './associate-dialog'

export type FloatingIpAction = { kind: 'associate' | 'disassociate' | 'release'; fip: FloatingIp }

/** The dialogs of a floating IP's actions: choose where to associate it, confirm disassociating or releasing it. */
export function FloatingIpActionDialogs({
  action,
  onClose,
  poolName,
  instanceName,
  onReleased,
}: {
  action: FloatingIpAction | null
  onClose: () => void
  poolName: (networkId: string) => string
  instanceName: (fip: FloatingIp) => string | undefined
  onReleased?: () => void
}) {
  const toast = useToast()
  const update = useUpdateFloatingIp()
  const release = useReleaseFloatingIp()
  if (!action) return null
  const f = action.fip
  if (action.kind === 'associate') return <AssociateDialog fip={f} pool={poolName(f.floating_network_id)} onClose={onClose} onAssociated={(to) => toast(`${f.floating_ip_address} now maps to ${to}.`)} />
  const target = instanceName(f) ?? f.fixed_ip_address ?? 'its port'
  if (action.kind === 'disassociate') {
    return (
      <ConfirmDialog
        title={`Disassociate ${f.floating_ip_address}?`}
        confirmLabel="Disassociate"
        tone="primary"
        describe={(e) => describeError(e, 'disassociate this floating IP (only its project or an admin may)')}
        onClose={onClose}
        onConfirm={async () => {
          await update.mutateAsync({ id: f.id, body: { floatingip: { port_id: null } } })
          toast(`${f.floating_ip_address} no longer maps to ${target}.`)
        }}
      >
        <p>
          <code>{f.floating_ip_address}</code> stops leading to <strong>{target}</strong> ({f.fixed_ip_address}): open ssh sessions through it break, and its
          forwarded ports of 127.0.0.1 close. The address stays allocated to the project.
        </p>
      </ConfirmDialog>
    )
  }
  return (
    <ConfirmDialog
      title={`Release ${f.floating_ip_address}?`}
      confirmLabel="Release"
      describe={(e) => describeError(e, 'release this floating IP (only its project or an admin may)')}
      onClose={onClose}
      onConfirm={async () => {
        await release.mutateAsync(f.id)
        toast(`${f.floating_ip_address} released.`)
        onReleased?.()
      }}
    >
      <p>
        <code>{f.floating_ip_address}</code> goes back to the pool of {poolName(f.floating_network_id)}; another project may get it next.
        {f.port_id ? (
          <>
            {' '}
            It still maps to <strong>{target}</strong>: that mapping ends too.
          </>
        ) : null}
      </p>
    </ConfirmDialog>
  )
}
