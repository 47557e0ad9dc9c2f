import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { formatBytes } from '../../../lib/format'
import type { Volume, VolumeSnapshot } from '../../../lib/openstack/volume'
import { useImages, useVolumeTypes } from '../api/get-volumes'
import { useCreateVolume } from '../api/volume-mutations'
import { buildCreateVolumeBody, createVolumeCli, describeVolumeError, emptyVolumeForm, minimumSize, validateVolumeForm, type VolumeForm, type VolumeSource } from '../utils/volume-form'

/** POST /volumes: blank, from an image (Cinder copies it in) or from a snapshot. */
export function CreateVolumeDialog({
  snapshots,
  initialSnapshot,
  onClose,
  onCreated,
}: {
  snapshots: readonly VolumeSnapshot[]
  initialSnapshot?: VolumeSnapshot
  onClose: () => void
  onCreated: (v: Volume) => void
}) {
  const [form, setForm] = useState<VolumeForm>(() =>
    initialSnapshot ? { ...emptyVolumeForm(), source: 'snapshot', snapshotId: initialSnapshot.id, size: String(initialSnapshot.size), name: `${initialSnapshot.name || 'snapshot'}-volume` } : emptyVolumeForm(),
  )
  const [touched, setTouched] = useState(false)
  const types = useVolumeTypes()
  const images = useImages(form.source === 'image')
  const create = useCreateVolume()
  const activeImages = (images.data ?? []).filter((i) => i.status === 'active')
  const image = activeImages.find((i) => i.id === form.imageId)
  const snapshot = snapshots.find((s) => s.id === form.snapshotId)
  const type = types.data?.find((t) => t.id === form.type || t.name === form.type)
  const facts = { image: image ? { name: image.name ?? image.id, size: image.size, min_disk: image.min_disk, virtual_size: image.virtual_size } : undefined, snapshot: snapshot ? { name: snapshot.name, size: snapshot.size } : undefined }
  const errors = validateVolumeForm(form, facts)
  const shown = touched ? errors : {}
  const cli = createVolumeCli(form, { image: image?.name ?? undefined, snapshot: snapshot ? snapshot.name || snapshot.id : undefined, snapshotSize: snapshot?.size, type: type?.name })
  const set = (patch: Partial<VolumeForm>) => setForm((f) => ({ ...f, ...patch }))
  const setSource = (source: VolumeSource) => {
    const snap = source === 'snapshot' ? (snapshot ?? snapshots.find((s) => s.status === 'available')) : undefined
    set({ source, ...(snap ? { snapshotId: snap.id, size: String(Math.max(Number(form.size) || 1, snap.size)) } : {}) })
  }
  const submit = () => {
    setTouched(true)
    if (Object.keys(errors).length) return
    void create.mutateAsync({ body: buildCreateVolumeBody(form), cli }).then(
      (v) => {
        onCreated(v)
        onClose()
      },
      () => undefined,
    )
  }
  return (
    <Dialog
      title="Create volume"
      description="A persistent disk: it outlives the instances it is attached to. Cinder makes it in the background; the list follows it until it is available."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-volume-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="plus" loading={create.isPending} data-testid="create-volume-submit">
            Create volume
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeVolumeError(create.error, 'create volumes')}
        </Alert>
      ) : null}
      <TextField label="Name" value={form.name} onChange={(e) => set({ name: e.target.value })} error={shown.name} autoFocus maxLength={255} data-testid="volume-name" />
      <TextField label="Description" optional value={form.description} onChange={(e) => set({ description: e.target.value })} maxLength={255} data-testid="volume-description" />
      <fieldset className="volume-source" data-testid="volume-source">
        <legend className="field-label">Source</legend>
        {(
          [
            ['blank', 'Empty disk'],
            ['image', 'An image'],
            ['snapshot', 'A snapshot'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="radio-option">
            <input type="radio" name="volume-source" value={value} checked={form.source === value} onChange={() => setSource(value)} data-testid={`volume-source-${value}`} disabled={value === 'snapshot' && snapshots.length === 0} />
            {label}
          </label>
        ))}
      </fieldset>
      {form.source === 'image' ? (
        <SelectField label="Image" value={form.imageId} onChange={(e) => set({ imageId: e.target.value })} error={shown.imageId} data-testid="volume-image" hint={images.status === 'pending' ? 'Loading images…' : image ? `${formatBytes(image.size ?? 0)}; the volume must be at least ${minimumSize(form, facts)} GB` : undefined}>
          <option value="">Choose an image…</option>
          {activeImages.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name || i.id}
            </option>
          ))}
        </SelectField>
      ) : null}
      {form.source === 'snapshot' ? (
        <SelectField
          label="Snapshot"
          value={form.snapshotId}
          onChange={(e) => {
            const s = snapshots.find((x) => x.id === e.target.value)
            set({ snapshotId: e.target.value, ...(s ? { size: String(s.size) } : {}) })
          }}
          error={shown.snapshotId}
          data-testid="volume-snapshot"
        >
          <option value="">Choose a snapshot…</option>
          {snapshots.map((s) => (
            <option key={s.id} value={s.id} disabled={s.status !== 'available'}>
              {(s.name || s.id) + ` (${s.size} GB${s.status !== 'available' ? `, ${s.status}` : ''})`}
            </option>
          ))}
        </SelectField>
      ) : null}
      <TextField label="Size (GB)" type="number" min={1} step={1} inputMode="numeric" value={form.size} onChange={(e) => set({ size: e.target.value })} error={shown.size} data-testid="volume-size" hint="Whole gigabytes. The file on this computer is sparse: it takes room only as the guest writes." />
      <SelectField
        label="Volume type"
        value={form.type}
        onChange={(e) => set({ type: e.target.value })}
        data-testid="volume-type"
        hint={types.status === 'error' ? 'Could not list the volume types: the default type is used.' : type?.description || 'The default type unless you choose one.'}
      >
        <option value="">Default</option>
        {(types.data ?? []).map((t) => (
          <option key={t.id} value={t.name}>
            {t.name}
          </option>
        ))}
      </SelectField>
      <div className="cli-line" data-testid="create-volume-cli">
        <code>{`$ ${cli}`}</code>
        <CopyButton text={cli} label="Copy the command" />
      </div>
    </Dialog>
  )
}
