import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import type { Flavor } from '../../../lib/openstack/compute'
import { describeError } from '../../../lib/openstack/errors'
import { useCreateFlavor } from '../api/create-flavor'
import { buildCreateFlavorBody, emptyFlavorForm, hasErrors, validateFlavorForm, type FlavorErrors, type FlavorForm } from '../utils/flavor-form'

/** POST /flavors (admin): name, size, and whether every project may use it. */
export function CreateFlavorDialog({ existing, onClose, onCreated }: { existing: readonly Flavor[]; onClose: () => void; onCreated: (f: Flavor) => void }) {
  const [form, setForm] = useState<FlavorForm>(emptyFlavorForm)
  const [errors, setErrors] = useState<FlavorErrors>({})
  const create = useCreateFlavor()
  const set = <K extends keyof FlavorForm>(k: K, v: FlavorForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const submit = () => {
    const found = validateFlavorForm(form, existing)
    setErrors(found)
    if (hasErrors(found)) return
    void create.mutateAsync(buildCreateFlavorBody(form)).then(
      (f) => {
        onCreated(f)
        onClose()
      },
      () => undefined,
    )
  }
  const cli = form.name.trim() ? cliEquivalent({ service: 'compute', method: 'POST', path: '/flavors', body: buildCreateFlavorBody(form) }) : null
  return (
    <Dialog
      title="Create flavor"
      description="A size for instances. Nova checks it against each image's minimums and the project quotas at launch."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-flavor-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-flavor-submit">
            Create flavor
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create flavors')}
        </Alert>
      ) : null}
      <div className="field-row">
        <TextField label="Name" autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} placeholder="m1.mini" data-testid="flavor-name" />
        <TextField label="ID" optional value={form.id} onChange={(e) => set('id', e.target.value)} error={errors.id} hint="Empty: Nova makes a UUID." data-testid="flavor-id" />
      </div>
      <div className="field-row field-row-3">
        <TextField label="vCPUs" type="number" min={1} value={form.vcpus} onChange={(e) => set('vcpus', e.target.value)} error={errors.vcpus} data-testid="flavor-vcpus" />
        <TextField label="RAM (MB)" type="number" min={1} value={form.ramMb} onChange={(e) => set('ramMb', e.target.value)} error={errors.ramMb} data-testid="flavor-ram" />
        <TextField label="Root disk (GB)" type="number" min={0} value={form.diskGb} onChange={(e) => set('diskGb', e.target.value)} error={errors.diskGb} hint="0: the image's size." data-testid="flavor-disk" />
      </div>
      <div className="field-row">
        <TextField label="Ephemeral disk (GB)" type="number" min={0} value={form.ephemeralGb} onChange={(e) => set('ephemeralGb', e.target.value)} error={errors.ephemeralGb} hint="A second, blank disk." />
        <TextField label="Swap (MB)" type="number" min={0} value={form.swapMb} onChange={(e) => set('swapMb', e.target.value)} error={errors.swapMb} />
      </div>
      <CheckboxField label="Public" hint="Every project may use it. A private flavor is for the projects an admin gives it to." checked={form.isPublic} onChange={(e) => set('isPublic', e.target.checked)} data-testid="flavor-public" />
      {cli ? (
        <p className="muted small">
          In a terminal: <code data-testid="flavor-cli">{cli}</code>
        </p>
      ) : null}
    </Dialog>
  )
}
