import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { Network } from '../../../lib/openstack/network'
import { describeError } from '../../../lib/openstack/errors'
import { useCreateNetwork } from '../api/create-network'
import { buildCreateNetworkBody, buildCreateSubnetBody, emptyNetworkForm, hasErrors, validateNetworkForm, type NetworkErrors, type NetworkForm } from '../utils/network-form'

/** POST /v2.0/networks, then optionally POST /v2.0/subnets. Shared and external only for admins. */
export function CreateNetworkDialog({ existing, isAdmin, onClose, onCreated }: { existing: readonly Network[]; isAdmin: boolean; onClose: () => void; onCreated: (n: Network) => void }) {
  const [form, setForm] = useState<NetworkForm>(emptyNetworkForm)
  const [errors, setErrors] = useState<NetworkErrors>({})
  const create = useCreateNetwork()
  const set = <K extends keyof NetworkForm>(k: K, v: NetworkForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const submit = () => {
    const found = validateNetworkForm(
      form,
      existing.map((n) => n.name),
    )
    setErrors(found)
    if (hasErrors(found)) return
    void create
      .mutateAsync({ network: buildCreateNetworkBody(form, isAdmin), subnet: form.withSubnet ? (id) => buildCreateSubnetBody(form, id) : undefined })
      .then(
        (n) => {
          onCreated(n)
          onClose()
        },
        () => undefined,
      )
  }
  const name = form.name.trim()
  const cli = name
    ? [
        cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/networks', body: buildCreateNetworkBody(form, isAdmin) }),
        form.withSubnet && form.cidr.trim() ? cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/subnets', body: buildCreateSubnetBody(form, name) }) : null,
      ].filter(Boolean)
    : []
  return (
    <Dialog
      title="Create network"
      description="A private layer-2 network for instances, with a subnet that gives them addresses."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-network-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-network-submit">
            Create network
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create networks')}
        </Alert>
      ) : null}
      <TextField label="Name" autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder="app-net" data-testid="network-name" />
      {isAdmin ? (
        <div className="field-row">
          <CheckboxField label="Shared" hint="Every project may attach instances to it." checked={form.shared} onChange={(e) => set('shared', e.target.checked)} data-testid="network-shared" />
          <CheckboxField
            label="External"
            hint="Routers may use it as their gateway; floating IPs come from it."
            checked={form.external}
            onChange={(e) => set('external', e.target.checked)}
            data-testid="network-external"
          />
        </div>
      ) : null}
      <CheckboxField label="Create a subnet" hint="Without one, instances on this network get no address." checked={form.withSubnet} onChange={(e) => set('withSubnet', e.target.checked)} data-testid="network-with-subnet" />
      {form.withSubnet ? (
        <fieldset className="network-subnet-fields">
          <legend>Subnet</legend>
          <div className="field-row">
            <TextField label="Subnet name" optional value={form.subnetName} onChange={(e) => set('subnetName', e.target.value)} error={errors.subnetName} placeholder={`${name || 'network'}-subnet`} data-testid="subnet-name" />
            <TextField label="Range (CIDR)" value={form.cidr} onChange={(e) => set('cidr', e.target.value)} error={errors.cidr} placeholder="10.0.0.0/24" hint="IPv4, at most /30." data-testid="subnet-cidr" />
          </div>
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
          <CheckboxField label="DHCP" hint="Hand out addresses to instances automatically." checked={form.enableDhcp} onChange={(e) => set('enableDhcp', e.target.checked)} data-testid="subnet-dhcp" />
        </fieldset>
      ) : null}
      {cli.length ? (
        <p className="muted small">
          In a terminal:{' '}
          {cli.map((c) => (
            <code key={c} className="network-cli" data-testid="network-cli">
              {c}
            </code>
          ))}
        </p>
      ) : null}
    </Dialog>
  )
}
