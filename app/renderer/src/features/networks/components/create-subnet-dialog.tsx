import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { Network, Subnet } from '../../../lib/openstack/network'
import { useCreateSubnet } from '../api/create-subnet'
import { describeCreateSubnetError } from '../utils/network-errors'
import { buildSubnetBody, emptySubnetForm, hasSubnetErrors, MAX_DNS, validateSubnetForm, type SubnetErrors, type SubnetForm } from '../utils/subnet-form'

/** POST /v2.0/subnets on one network: range, gateway, DHCP, nameservers and one allocation pool, checked before sending. */
export function CreateSubnetDialog({ network, existing, onClose, onCreated }: { network: Network; existing: readonly Subnet[]; onClose: () => void; onCreated: (s: Subnet) => void }) {
  const [form, setForm] = useState<SubnetForm>(emptySubnetForm)
  const [errors, setErrors] = useState<SubnetErrors>({})
  const create = useCreateSubnet()
  const set = <K extends keyof SubnetForm>(k: K, v: SubnetForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const existingCidrs = existing.map((s) => s.cidr)
  const submit = () => {
    const found = validateSubnetForm(form, existingCidrs)
    setErrors(found)
    if (hasSubnetErrors(found)) return
    void create.mutateAsync(buildSubnetBody(form, network.id, network.name)).then(
      (s) => {
        onCreated(s)
        onClose()
      },
      () => undefined,
    )
  }
  const cli = form.cidr.trim() ? cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/subnets', body: buildSubnetBody(form, network.name || network.id, network.name) }) : null
  return (
    <Dialog
      title={`Create a subnet on ${network.name}`}
      description="A range of addresses on this network. Instances get one of them from DHCP; the gateway is the router's address on it."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-subnet-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-subnet-submit">
            Create subnet
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeCreateSubnetError(create.error)}
        </Alert>
      ) : null}
      <div className="field-row">
        <TextField label="Range (CIDR)" autoFocus value={form.cidr} onChange={(e) => set('cidr', e.target.value)} error={errors.cidr} placeholder="10.1.0.0/24" hint="IPv4, at most /30." data-testid="subnet-cidr" />
        <TextField label="Name" optional value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder={`${network.name}-subnet`} data-testid="subnet-name" />
      </div>
      {existing.length ? <p className="muted small">Already on this network: {existingCidrs.join(', ')} (a new range must not overlap them).</p> : null}
      <div className="field-row">
        <TextField
          label="Gateway"
          optional
          value={form.gateway}
          disabled={form.noGateway}
          onChange={(e) => set('gateway', e.target.value)}
          error={errors.gateway}
          hint="Empty: the first address of the range."
          data-testid="subnet-gateway"
        />
        <CheckboxField label="No gateway" hint="Instances reach only this network." checked={form.noGateway} onChange={(e) => set('noGateway', e.target.checked)} data-testid="subnet-no-gateway" />
      </div>
      <CheckboxField label="DHCP" hint="Hand out addresses (and the nameservers below) to instances automatically." checked={form.enableDhcp} onChange={(e) => set('enableDhcp', e.target.checked)} data-testid="subnet-dhcp" />
      <TextField
        label="DNS nameservers"
        optional
        value={form.dns}
        onChange={(e) => set('dns', e.target.value)}
        error={errors.dns}
        placeholder="9.9.9.9, 1.1.1.1"
        hint={`Up to ${MAX_DNS} addresses, separated by commas or spaces.`}
        data-testid="subnet-dns"
      />
      <fieldset className="network-subnet-fields">
        <legend>Allocation pool (optional)</legend>
        <div className="field-row">
          <TextField label="First address" value={form.poolStart} onChange={(e) => set('poolStart', e.target.value)} error={errors.poolStart} placeholder="10.1.0.10" data-testid="subnet-pool-start" />
          <TextField label="Last address" value={form.poolEnd} onChange={(e) => set('poolEnd', e.target.value)} error={errors.poolEnd} placeholder="10.1.0.200" data-testid="subnet-pool-end" />
        </div>
        <p className="field-hint">The addresses Neutron hands out. Empty: the whole range but the gateway.</p>
      </fieldset>
      {cli ? (
        <div className="cli-line" data-testid="subnet-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
