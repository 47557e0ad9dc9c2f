import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, SelectField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import type { Network, Port, SecurityGroup, Subnet } from '../../../lib/openstack/network'
import { useCreatePort } from '../api/port-mutations'
import { buildCreatePortBody, emptyPortForm, hasPortErrors, validatePortForm, type PortErrors, type PortForm } from '../utils/port-form'
import { SecurityGroupChoices } from './security-group-choices'

function describeCreatePortError(err: unknown): string {
  if (err instanceof OpenStackError && err.status === 409) return `${err.message.replace(/\.?\s*$/, '.')} Choose another address, or leave it empty for a free one.`
  if (err instanceof OpenStackError && err.status === 403) return "Ports can only be made on the project's own networks and on shared ones."
  return describeError(err, 'create ports')
}

/** POST /v2.0/ports: a port on a network (an address, a MAC), to hand to an instance later. */
export function CreatePortDialog({
  networks,
  subnets,
  groups,
  projectId,
  initialNetworkId,
  onClose,
  onCreated,
}: {
  networks: readonly Network[]
  subnets: readonly Subnet[]
  groups: readonly SecurityGroup[]
  projectId?: string
  initialNetworkId: string
  onClose: () => void
  onCreated: (p: Port) => void
}) {
  const ownGroups = groups.filter((g) => !projectId || g.project_id === projectId)
  const defaultGroup = ownGroups.find((g) => g.name === 'default')
  const usable = networks.filter((n) => !n['router:external'] || n.shared || n.project_id === projectId)
  const [form, setForm] = useState<PortForm>(() => emptyPortForm(initialNetworkId || usable.find((n) => n.name === 'private')?.id || '', defaultGroup?.id))
  const [errors, setErrors] = useState<PortErrors>({})
  const create = useCreatePort()
  const set = <K extends keyof PortForm>(k: K, v: PortForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const own = subnets.filter((s) => s.network_id === form.networkId)
  const submit = () => {
    const found = validatePortForm(form, subnets)
    setErrors(found)
    if (hasPortErrors(found)) return
    void create.mutateAsync(buildCreatePortBody(form)).then(
      (p) => {
        onCreated(p)
        onClose()
      },
      () => undefined,
    )
  }
  const cli = form.networkId ? cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/ports', body: buildCreatePortBody(form) }) : null
  return (
    <Dialog
      title="Create port"
      description="A port reserves an address and a MAC on a network. Give it to an instance at launch (openstack server create --port) or later (openstack server add port)."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-port-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-port-submit">
            Create port
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeCreatePortError(create.error)}
        </Alert>
      ) : null}
      <div className="field-row">
        <SelectField
          label="Network"
          value={form.networkId}
          error={errors.networkId}
          onChange={(e) => {
            set('networkId', e.target.value)
            set('subnetId', '')
          }}
          data-testid="port-network"
        >
          <option value="">Choose…</option>
          {usable.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name || n.id}
            </option>
          ))}
        </SelectField>
        <TextField label="Name" optional value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder="web-port" data-testid="port-name" />
      </div>
      <div className="field-row">
        <SelectField label="Subnet" optional value={form.subnetId} onChange={(e) => set('subnetId', e.target.value)} disabled={own.length === 0} data-testid="port-subnet">
          <option value="">Any (Neutron chooses)</option>
          {own.map((s) => (
            <option key={s.id} value={s.id}>
              {s.cidr} {s.name ? `(${s.name})` : ''}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Fixed IP"
          optional
          value={form.ipAddress}
          onChange={(e) => set('ipAddress', e.target.value)}
          error={errors.ipAddress}
          placeholder={own[0] ? own[0].cidr.replace(/\.\d+\/\d+$/, '.20') : '10.0.0.20'}
          hint="Empty: a free address of the subnet."
          data-testid="port-ip"
        />
      </div>
      <SecurityGroupChoices groups={ownGroups} selected={form.securityGroups} onChange={(ids) => set('securityGroups', ids)} />
      <CheckboxField label="Enabled (admin state up)" hint="A disabled port passes no traffic." checked={form.adminStateUp} onChange={(e) => set('adminStateUp', e.target.checked)} data-testid="port-admin-state" />
      {cli ? (
        <div className="cli-line" data-testid="port-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
