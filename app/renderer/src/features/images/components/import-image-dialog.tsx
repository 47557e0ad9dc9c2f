import { useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import type { Image } from '../../../lib/openstack/image'
import { importMethods, useImportInfo } from '../api/get-import-info'
import { ImportFailed, useImportImage } from '../api/import-image'
import { compressedExtension, DISK_FORMATS, guessDiskFormat, imageNameFrom } from '../utils/disk-format'
import { describeImageError } from '../utils/image-errors'
import { hasErrors, validateImportForm, type NewImageErrors, type NewImageForm } from '../utils/image-form'
import { MinimumsFields } from './minimums-fields'
import { visibilityHint, VisibilityOptions } from './visibility'

/**
 * Create an image from a URL with Glance's interoperable import (web-download): POST /v2/images, then
 * POST /v2/images/{id}/import. Glance downloads the file itself; the list shows importing until it is active.
 */
export function ImportImageDialog({ isAdmin, onClose, onStarted }: { isAdmin: boolean; onClose: () => void; onStarted: (image: Image) => void }) {
  const [url, setUrl] = useState('')
  const [form, setForm] = useState<NewImageForm>({ name: '', diskFormat: '', visibility: 'private', minDisk: '0', minRam: '0' })
  const [errors, setErrors] = useState<NewImageErrors>({})
  const auto = useRef({ name: '', format: '' })
  const info = useImportInfo()
  const methods = importMethods(info.data)
  const unavailable = info.status === 'success' && methods !== undefined && !methods.includes('web-download')
  const run = useImportImage()

  const set = <K extends keyof NewImageForm>(k: K, v: NewImageForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (k in errors) setErrors((e) => ({ ...e, [k]: undefined }))
  }

  const changeUrl = (value: string) => {
    setUrl(value)
    if (errors.url) setErrors((e) => ({ ...e, url: undefined }))
    const name = imageNameFrom(value)
    const format = guessDiskFormat(value) ?? ''
    // Follow the URL until the user picks a name or format of their own.
    const prev = auto.current
    auto.current = { name, format }
    setForm((f) => ({
      ...f,
      name: f.name === prev.name ? name : f.name,
      diskFormat: f.diskFormat === prev.format ? format : f.diskFormat,
    }))
  }

  const submit = () => {
    const found = validateImportForm(form, url)
    setErrors(found)
    if (hasErrors(found)) return
    void run.mutateAsync({ form, url }).then(
      (image) => {
        onStarted(image)
        onClose()
      },
      () => undefined,
    )
  }

  const failure = run.error instanceof ImportFailed ? run.error : undefined
  const compressed = compressedExtension(url)

  return (
    <Dialog
      title="Create image from URL"
      description="Glance downloads the file itself (the web-download import method), so it never passes through your computer."
      onClose={onClose}
      busy={run.isPending}
      onSubmit={submit}
      data-testid="import-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={run.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="link" loading={run.isPending} disabled={unavailable} data-testid="import-submit">
            Create image
          </Button>
        </>
      }
    >
      {unavailable ? (
        <Alert tone="warning" title="Not offered by this cloud" data-testid="import-unavailable">
          This cloud's import methods are {methods?.length ? methods.join(', ') : 'none'}: web-download is not among them. Download the file and upload it
          instead.
        </Alert>
      ) : null}
      {run.error ? (
        <Alert tone="danger" title="Glance refused the import" data-testid="dialog-error">
          {describeImageError(failure ? failure.reason : run.error, 'create images')}
          {failure ? (failure.leftover ? ` The empty image ${failure.leftover.id} is still there: delete it from the list.` : ' The empty image created for it was deleted again.') : null}
        </Alert>
      ) : null}
      <TextField
        label="URL"
        type="url"
        autoFocus
        placeholder="https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img"
        value={url}
        onChange={(e) => changeUrl(e.target.value)}
        error={errors.url}
        hint="An http or https address the cloud itself can reach."
        data-testid="import-url"
      />
      {compressed ? (
        <Alert tone="warning">This is a .{compressed} archive. Glance stores files as they are and instances cannot boot an archive: use the uncompressed image's URL.</Alert>
      ) : null}
      <TextField label="Name" value={form.name} onChange={(e) => set('name', e.target.value)} error={errors.name} data-testid="import-name" />
      <div className="field-row">
        <SelectField
          label="Disk format"
          value={form.diskFormat}
          onChange={(e) => set('diskFormat', e.target.value)}
          error={errors.diskFormat}
          hint={form.diskFormat && form.diskFormat === auto.current.format ? 'Guessed from the URL.' : 'The format of the data Glance will download.'}
          data-testid="import-disk-format"
        >
          <option value="">Choose…</option>
          {DISK_FORMATS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Visibility"
          value={form.visibility}
          onChange={(e) => set('visibility', e.target.value as NewImageForm['visibility'])}
          hint={visibilityHint(form.visibility)}
          data-testid="import-visibility"
        >
          <VisibilityOptions isAdmin={isAdmin} />
        </SelectField>
      </div>
      <MinimumsFields minDisk={form.minDisk} minRam={form.minRam} errors={errors} onChange={(k, v) => set(k, v)} testIdPrefix="import" />
    </Dialog>
  )
}
