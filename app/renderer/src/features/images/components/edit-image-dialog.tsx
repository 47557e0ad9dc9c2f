import { useMemo, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, SelectField, TextField } from '../../../components/ui/field'
import type { Image } from '../../../lib/openstack/image'
import { useUpdateImage } from '../api/update-image'
import { describeImageError } from '../utils/image-errors'
import { buildImagePatch, formFromImage, hasErrors, newPropertyRow, validateEditForm, type ImageEditErrors, type ImageEditForm, type PropertyRow } from '../utils/image-form'
import { MinimumsFields } from './minimums-fields'
import { visibilityHint, VisibilityOptions } from './visibility'

const SUGGESTED_KEYS = ['hw_disk_bus', 'hw_vif_model', 'hw_scsi_model', 'hw_machine_type', 'hw_firmware_type', 'hw_qemu_guest_agent', 'os_distro', 'os_version', 'os_type', 'architecture']

/**
 * Edit an image's attributes and custom properties. What is sent is a JSON-patch of the differences only
 * (PATCH /v2/images/{id}, application/openstack-images-v2.1-json-patch), shown before saving.
 */
export function EditImageDialog({ image, isAdmin, onClose, onSaved }: { image: Image; isAdmin: boolean; onClose: () => void; onSaved: (image: Image) => void }) {
  const [form, setForm] = useState<ImageEditForm>(() => formFromImage(image))
  const [errors, setErrors] = useState<ImageEditErrors>({})
  const update = useUpdateImage()
  const ops = useMemo(() => buildImagePatch(image, form), [image, form])

  const set = <K extends keyof ImageEditForm>(k: K, v: ImageEditForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (k in errors) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const setRow = (rowId: number, patch: Partial<PropertyRow>) => {
    setForm((f) => ({ ...f, properties: f.properties.map((r) => (r.rowId === rowId ? { ...r, ...patch } : r)) }))
    if (errors.properties?.[rowId]) setErrors((e) => ({ ...e, properties: { ...e.properties, [rowId]: {} } }))
  }

  const submit = () => {
    const found = validateEditForm(form)
    setErrors(found)
    if (hasErrors(found) || ops.length === 0) return
    void update.mutateAsync({ id: image.id, ops }).then(
      (saved) => {
        onSaved(saved)
        onClose()
      },
      () => undefined,
    )
  }

  return (
    <Dialog
      title={`Edit image ${image.name ?? image.id}`}
      description="Glance changes only what you change here; size, checksum and status are its own."
      onClose={onClose}
      busy={update.isPending}
      onSubmit={submit}
      data-testid="edit-image-dialog"
      footer={
        <>
          <span className="dialog-footer-note muted small" data-testid="edit-change-count">
            {ops.length === 0 ? 'No changes yet' : `${ops.length} change${ops.length === 1 ? '' : 's'}`}
          </span>
          <Button onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={update.isPending} disabled={ops.length === 0} data-testid="edit-submit">
            Save changes
          </Button>
        </>
      }
    >
      {update.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeImageError(update.error, 'change this image')}
        </Alert>
      ) : null}
      <TextField label="Name" autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} data-testid="edit-name" />
      <div className="field-row">
        <SelectField
          label="Visibility"
          value={form.visibility}
          onChange={(e) => set('visibility', e.target.value)}
          hint={visibilityHint(form.visibility)}
          data-testid="edit-visibility"
        >
          <VisibilityOptions isAdmin={isAdmin} current={image.visibility} />
        </SelectField>
        <div className="field field-checkbox-inline">
          <CheckboxField
            label="Protected"
            hint="A protected image cannot be deleted."
            checked={form.protected}
            onChange={(e) => set('protected', e.target.checked)}
            data-testid="edit-protected"
          />
        </div>
      </div>
      <MinimumsFields minDisk={form.minDisk} minRam={form.minRam} errors={errors} onChange={(k, v) => set(k, v)} testIdPrefix="edit" />
      <PropertiesEditor
        rows={form.properties}
        errors={errors.properties ?? {}}
        onChange={setRow}
        onAdd={() => set('properties', [...form.properties, newPropertyRow()])}
        onRemove={(rowId) => set('properties', form.properties.filter((r) => r.rowId !== rowId))}
      />
      <details className="patch-preview" data-testid="patch-preview">
        <summary>Request body: the JSON-patch that will be sent</summary>
        <pre className="code-block">{JSON.stringify(ops, null, 2)}</pre>
      </details>
    </Dialog>
  )
}

function PropertiesEditor({
  rows,
  errors,
  onChange,
  onAdd,
  onRemove,
}: {
  rows: PropertyRow[]
  errors: ImageEditErrors['properties'] & object
  onChange: (rowId: number, patch: Partial<PropertyRow>) => void
  onAdd: () => void
  onRemove: (rowId: number) => void
}) {
  return (
    <fieldset className="properties-editor">
      <legend className="field-label">Custom properties</legend>
      <p className="field-hint">
        Free key/value pairs that tell Nova how to boot the image, e.g. <code>hw_disk_bus=virtio</code> or <code>os_distro=ubuntu</code>.
      </p>
      {rows.length > 0 ? (
        <div className="property-rows">
          {rows.map((row) => {
            const e = errors[row.rowId] ?? {}
            return (
              <div className="property-row" key={row.rowId} data-testid="property-row" data-key={row.key}>
                <div className="property-cell">
                  <input
                    className="input"
                    list="image-property-keys"
                    placeholder="key"
                    aria-label="Property key"
                    value={row.key}
                    onChange={(ev) => onChange(row.rowId, { key: ev.target.value })}
                    aria-invalid={e.key ? true : undefined}
                    data-testid="property-key"
                  />
                  {e.key ? <div className="field-error" data-testid="field-error">{e.key}</div> : null}
                </div>
                <div className="property-cell">
                  <input
                    className="input"
                    placeholder="value"
                    aria-label={`Value of ${row.key || 'the new property'}`}
                    value={row.value}
                    onChange={(ev) => onChange(row.rowId, { value: ev.target.value })}
                    aria-invalid={e.value ? true : undefined}
                    data-testid="property-value"
                  />
                  {e.value ? <div className="field-error" data-testid="field-error">{e.value}</div> : null}
                </div>
                <Button
                  variant="ghost"
                  size="sm"
                  icon="trash"
                  className="btn-danger-ghost"
                  aria-label={`Remove ${row.key || 'this property'}`}
                  title="Remove this property"
                  onClick={() => onRemove(row.rowId)}
                  data-testid="property-remove"
                />
              </div>
            )
          })}
        </div>
      ) : (
        <p className="muted small">No custom properties.</p>
      )}
      <datalist id="image-property-keys">
        {SUGGESTED_KEYS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <div>
        <Button size="sm" icon="plus" onClick={onAdd} data-testid="property-add">
          Add property
        </Button>
      </div>
    </fieldset>
  )
}
