import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField } from '../../../components/ui/field'
import { LoadingState } from '../../../components/ui/spinner'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { FloatingIp, UpdateFloatingIpBody } from '../../../lib/openstack/network'
import { useUpdateFloatingIp } from '../api/floating-ip-mutations'
import { useFloatingIpContext, useInstancePorts } from '../api/get-floating-ips'
import { associablePorts, describeAssociateError } from '../utils/floating-ip-form'

/** PUT /v2.0/floatingips/{id} {port_id}: choose an instance, then which of its ports (and address) the floating IP maps to. */
export function AssociateDialog({ fip, pool, onClose, onAssociated }: { fip: FloatingIp; pool: string; onClose: () => void; onAssociated: (to: string) => void }) {
  const ctx = useFloatingIpContext()
  const [serverId, setServerId] = useState('')
  const [portId, setPortId] = useState('')
  const [fixedIp, setFixedIp] = useState('')
  const [error, setError] = useState<string>()
  const ports = useInstancePorts(serverId)
  const update = useUpdateFloatingIp()
  const servers = [...(ctx.servers.data ?? [])].filter((s) => s.status !== 'DELETED').sort((a, b) => a.name.localeCompare(b.name))
  const candidates = associablePorts(ports.data ?? [])
  // One port (the usual case) is chosen for the person.
  const port = candidates.find((p) => p.id === portId) ?? (candidates.length === 1 ? candidates[0] : undefined)
  const ips = port?.fixed_ips.map((f) => f.ip_address) ?? []
  const ip = ips.length > 1 ? fixedIp || ips[0]! : undefined
  const netName = (id: string) => ctx.networks.data?.find((n) => n.id === id)?.name ?? id.slice(0, 8)
  const body: UpdateFloatingIpBody | undefined = port ? { floatingip: { port_id: port.id, ...(ip ? { fixed_ip_address: ip } : {}) } } : undefined
  const cli = body ? cliEquivalent({ service: 'network', method: 'PUT', path: `/v2.0/floatingips/${fip.id}`, body }) : null
  const server = servers.find((s) => s.id === serverId)
  const submit = () => {
    if (!serverId) return setError('Choose the instance the floating IP should lead to.')
    if (!body) return setError(candidates.length ? 'Choose which port of the instance.' : 'This instance has no port with an IPv4 address: it cannot take a floating IP.')
    setError(undefined)
    void update.mutateAsync({ id: fip.id, body }).then(
      () => {
        onAssociated(`${server?.name ?? serverId} (${ip ?? ips[0] ?? ''})`)
        onClose()
      },
      () => undefined,
    )
  }
  return (
    <Dialog
      title={`Associate ${fip.floating_ip_address}`}
      description={`Traffic to ${fip.floating_ip_address} goes to the instance's fixed address through the router that joins its subnet to ${pool}.`}
      onClose={onClose}
      busy={update.isPending}
      onSubmit={submit}
      data-testid="associate-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="link" loading={update.isPending} data-testid="associate-submit">
            Associate
          </Button>
        </>
      }
    >
      {update.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeAssociateError(update.error, pool)}
        </Alert>
      ) : null}
      {ctx.servers.status === 'pending' ? (
        <LoadingState label="Loading instances…" />
      ) : servers.length === 0 ? (
        <Alert tone="warning" title="No instance to associate">
          Launch an instance on a network that a router joins to {pool} first.
        </Alert>
      ) : (
        <SelectField
          label="Instance"
          value={serverId}
          error={error && !serverId ? error : undefined}
          onChange={(e) => {
            setServerId(e.target.value)
            setPortId('')
            setFixedIp('')
            setError(undefined)
          }}
          data-testid="associate-instance"
        >
          <option value="">Choose…</option>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.status})
            </option>
          ))}
        </SelectField>
      )}
      {serverId ? (
        ports.status === 'pending' ? (
          <LoadingState label="Loading the instance's ports…" />
        ) : candidates.length === 0 ? (
          <Alert tone="warning" title="This instance has no network port" data-testid="associate-no-port">
            A floating IP maps to a Neutron port, and {server?.name ?? 'this instance'} has none with an IPv4 address. Launch it on a network (the launch wizard's
            Networks step) to get one.
          </Alert>
        ) : (
          <div className="field-row">
            <SelectField label="Port" value={port?.id ?? ''} error={error && serverId ? error : undefined} onChange={(e) => setPortId(e.target.value)} data-testid="associate-port">
              {candidates.length > 1 ? <option value="">Choose…</option> : null}
              {candidates.map((p) => (
                <option key={p.id} value={p.id}>
                  {netName(p.network_id)}: {p.fixed_ips.map((f) => f.ip_address).join(', ')}
                </option>
              ))}
            </SelectField>
            {ips.length > 1 ? (
              <SelectField label="Fixed IP" value={ip} onChange={(e) => setFixedIp(e.target.value)} data-testid="associate-fixed-ip">
                {ips.map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </SelectField>
            ) : null}
          </div>
        )
      ) : null}
      {cli ? (
        <div className="cli-line" data-testid="associate-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
