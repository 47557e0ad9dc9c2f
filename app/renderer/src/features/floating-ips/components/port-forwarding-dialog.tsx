import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { Server } from '../../../lib/openstack/compute'
import type { FloatingIp, PortForwarding } from '../../../lib/openstack/network'
import { useCreatePortForwarding } from '../api/floating-ip-mutations'
import { useInstancePorts } from '../api/get-floating-ips'
import { associablePorts, buildForwardingBody, describeForwardingError, emptyForwardingForm, hasForwardingErrors, instanceOf, validateForwardingForm, type ForwardingErrors, type ForwardingForm } from '../utils/floating-ip-form'

/** POST /v2.0/floatingips/{id}/port_forwardings: one port of 127.0.0.1 to one port of an instance. */
export function PortForwardingDialog({
  fip,
  servers,
  existing,
  onClose,
  onCreated,
}: {
  fip: FloatingIp
  servers: readonly Server[]
  existing: readonly PortForwarding[]
  onClose: () => void
  onCreated: (p: PortForwarding) => void
}) {
  const [serverId, setServerId] = useState(() => instanceOf(fip) ?? '')
  const [form, setForm] = useState<ForwardingForm>(emptyForwardingForm)
  const [errors, setErrors] = useState<ForwardingErrors>({})
  const ports = useInstancePorts(serverId)
  const candidates = associablePorts(ports.data ?? [])
  const create = useCreatePortForwarding(fip.id)
  const set = <K extends keyof ForwardingForm>(k: K, v: ForwardingForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  // The first port and its first address are chosen for the person.
  const portId = form.portId || candidates[0]?.id || ''
  const port = candidates.find((p) => p.id === portId)
  const internalIp = form.internalIp || port?.fixed_ips[0]?.ip_address || ''
  const effective: ForwardingForm = { ...form, portId, internalIp }
  const submit = () => {
    const found = validateForwardingForm(effective, candidates, existing)
    setErrors(found)
    if (hasForwardingErrors(found)) return
    void create.mutateAsync(buildForwardingBody(effective)).then(
      (p) => {
        onCreated(p)
        onClose()
      },
      () => undefined,
    )
  }
  const cli = portId && form.internalPort && form.externalPort ? cliEquivalent({ service: 'network', method: 'POST', path: `/v2.0/floatingips/${fip.id}/port_forwardings`, body: buildForwardingBody(effective) }) : null
  return (
    <Dialog
      title={`Port forwarding on ${fip.floating_ip_address}`}
      description="Connections to the chosen port of 127.0.0.1 on this computer reach the instance's port."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="pf-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="pf-submit">
            Add
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeForwardingError(create.error)}
        </Alert>
      ) : null}
      <div className="field-row">
        <SelectField
          label="Instance"
          value={serverId}
          onChange={(e) => {
            setServerId(e.target.value)
            setForm((f) => ({ ...f, portId: '', internalIp: '' }))
          }}
          data-testid="pf-instance"
        >
          <option value="">Choose…</option>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Port and address"
          value={`${portId}|${internalIp}`}
          error={errors.portId ?? errors.internalIp}
          disabled={candidates.length === 0}
          onChange={(e) => {
            const [p = '', ip = ''] = e.target.value.split('|')
            setForm((f) => ({ ...f, portId: p, internalIp: ip }))
          }}
          data-testid="pf-port"
        >
          {candidates.length === 0 ? <option value="|">{serverId ? 'no port with an address' : 'choose an instance'}</option> : null}
          {candidates.flatMap((p) =>
            p.fixed_ips.map((x) => (
              <option key={`${p.id}|${x.ip_address}`} value={`${p.id}|${x.ip_address}`}>
                {x.ip_address}
              </option>
            )),
          )}
        </SelectField>
      </div>
      <div className="field-row">
        <SelectField label="Protocol" value={form.protocol} onChange={(e) => set('protocol', e.target.value as 'tcp' | 'udp')} data-testid="pf-protocol">
          <option value="tcp">TCP</option>
          <option value="udp">UDP</option>
        </SelectField>
        <TextField label="Instance port" inputMode="numeric" value={form.internalPort} onChange={(e) => set('internalPort', e.target.value)} error={errors.internalPort} placeholder="8080" data-testid="pf-internal-port" />
        <TextField label="Port of 127.0.0.1" inputMode="numeric" value={form.externalPort} onChange={(e) => set('externalPort', e.target.value)} error={errors.externalPort} placeholder="40100" data-testid="pf-external-port" />
      </div>
      <TextField label="Description" optional value={form.description} onChange={(e) => set('description', e.target.value)} maxLength={255} data-testid="pf-description" />
      {cli ? (
        <div className="cli-line" data-testid="pf-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
