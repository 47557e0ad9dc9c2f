import { useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { FileDrop } from '../../../components/ui/file-drop'
import { ProgressBar } from '../../../components/ui/progress'
import { formatByteCount, formatBytes, formatDuration, formatRate, percent } from '../../../lib/format'
import type { Image } from '../../../lib/openstack/image'
import { useUploadImage, type UploadState } from '../api/upload-image'
import { compressedExtension, DISK_FORMATS, formatMismatch, guessDiskFormat, imageNameFrom, sniffDiskFormat, SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES } from '../utils/disk-format'
import { describeImageError } from '../utils/image-errors'
import { hasErrors, validateUploadForm, type NewImageErrors, type NewImageForm } from '../utils/image-form'
import { MinimumsFields } from './minimums-fields'
import { visibilityHint, VisibilityOptions } from './visibility'

const ACCEPT = '.qcow2,.qcow,.img,.raw,.iso,.vmdk,.vhd,.vhdx,.vdi'

interface Detection {
  /** True once the header was read. */
  checked?: boolean
  /** From the file's header; undefined when none is recognised. */
  sniffed?: string
  /** From the extension. */
  guessed?: string
  compressed?: string
}

async function detect(file: File): Promise<Detection> {
  const head = new Uint8Array(await file.slice(0, SNIFF_HEAD_BYTES).arrayBuffer())
  const tail = file.size > SNIFF_HEAD_BYTES ? new Uint8Array(await file.slice(file.size - SNIFF_TAIL_BYTES).arrayBuffer()) : undefined
  return { checked: true, sniffed: sniffDiskFormat(head, tail), guessed: guessDiskFormat(file.name), compressed: compressedExtension(file.name) }
}

/**
 * Upload an image file: POST /v2/images then PUT /v2/images/{id}/file with a progress bar (percent, bytes,
 * speed) and cancel. The name comes from the file name and the disk format from the file's header or extension.
 */
export function UploadImageDialog({ isAdmin, onClose, onUploaded, onOpen }: { isAdmin: boolean; onClose: () => void; onUploaded: (image: Image) => void; onOpen: (image: Image) => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [form, setForm] = useState<NewImageForm>({ name: '', diskFormat: '', visibility: 'private', minDisk: '0', minRam: '0' })
  const [errors, setErrors] = useState<NewImageErrors>({})
  const [detection, setDetection] = useState<Detection>({})
  const autoName = useRef('')
  const upload = useUploadImage()
  const { phase } = upload.state
  const running = phase === 'creating' || phase === 'uploading' || phase === 'checking'
  const finished = phase === 'done'

  const set = <K extends keyof NewImageForm>(k: K, v: NewImageForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (k in errors) setErrors((e) => ({ ...e, [k]: undefined }))
  }

  const choose = (f: File | null) => {
    setFile(f)
    setErrors((e) => ({ ...e, file: undefined, name: undefined, diskFormat: undefined }))
    if (phase === 'failed' || phase === 'cancelled') upload.reset()
    if (!f) return
    const name = imageNameFrom(f.name)
    // Follow the file name until the user types a name of their own.
    const prevAuto = autoName.current
    autoName.current = name
    setForm((cur) => ({
      ...cur,
      name: cur.name.trim() !== '' && cur.name !== prevAuto ? cur.name : name,
      diskFormat: guessDiskFormat(f.name) ?? cur.diskFormat,
    }))
    setDetection({ guessed: guessDiskFormat(f.name), compressed: compressedExtension(f.name) })
    void detect(f).then(
      (d) => {
        setDetection(d)
        if (d.sniffed) setForm((cur) => ({ ...cur, diskFormat: d.sniffed! }))
      },
      () => undefined,
    )
  }

  const submit = () => {
    if (running) return
    if (finished) {
      onClose()
      return
    }
    const found = validateUploadForm(form, file)
    setErrors(found)
    if (hasErrors(found) || !file) return
    void upload.start(form, file).then((image) => {
      if (image) onUploaded(image)
    })
  }

  const mismatch = file && detection.checked ? formatMismatch(form.diskFormat, detection.sniffed) : undefined
  const formatHint =
    detection.sniffed && detection.sniffed === form.diskFormat
      ? "Detected from the file's header."
      : detection.guessed && detection.guessed === form.diskFormat
        ? 'Guessed from the extension (qemu-img info tells for sure).'
        : 'The format of the data in the file, which Glance checks.'

  return (
    <Dialog
      title="Upload image"
      description="Glance stores the file as a new image: first POST /v2/images creates it (queued), then PUT /v2/images/{id}/file sends the bytes."
      onClose={onClose}
      busy={running}
      onSubmit={submit}
      data-testid="upload-dialog"
      footer={
        running ? (
          <Button key="cancel-upload" variant="danger" onClick={upload.cancel} disabled={phase === 'checking'} data-testid="upload-cancel">
            Cancel upload
          </Button>
        ) : finished ? (
          <>
            <Button key="open" onClick={() => upload.state.image && onOpen(upload.state.image)} data-testid="upload-open">
              View image
            </Button>
            <Button key="done" type="submit" variant="primary" data-testid="upload-close">
              Done
            </Button>
          </>
        ) : (
          <>
            <Button key="cancel" onClick={onClose}>
              Cancel
            </Button>
            <Button key="submit" type="submit" variant="primary" icon="upload" data-testid="upload-submit">
              Upload
            </Button>
          </>
        )
      }
    >
      <UploadOutcome state={upload.state} />
      {phase !== 'idle' && phase !== 'failed' && phase !== 'cancelled' ? <UploadProgress state={upload.state} /> : null}
      {!finished ? (
        <>
          <FileDrop label="Image file" accept={ACCEPT} file={file} onFile={choose} disabled={running} error={errors.file} data-testid="image-file">
            {file ? <span data-testid="chosen-file-size">{formatBytes(file.size)}</span> : null}
          </FileDrop>
          {detection.compressed ? (
            <Alert tone="warning" data-testid="compressed-warning">
              This is a .{detection.compressed} archive. Glance stores files as they are and instances cannot boot an archive: decompress it first.
            </Alert>
          ) : null}
          <TextField
            label="Name"
            value={form.name}
            onChange={(e) => set('name', e.target.value)}
            error={errors.name}
            disabled={running}
            hint="What instances and the CLI call it; it need not be unique."
            data-testid="image-name"
          />
          <div className="field-row">
            <SelectField
              label="Disk format"
              value={form.diskFormat}
              onChange={(e) => set('diskFormat', e.target.value)}
              error={errors.diskFormat}
              hint={formatHint}
              disabled={running}
              data-testid="image-disk-format"
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
              disabled={running}
              data-testid="image-visibility-select"
            >
              <VisibilityOptions isAdmin={isAdmin} />
            </SelectField>
          </div>
          {mismatch ? (
            <Alert tone="warning" data-testid="format-warning">
              {mismatch}
            </Alert>
          ) : null}
          <MinimumsFields minDisk={form.minDisk} minRam={form.minRam} errors={errors} disabled={running} onChange={(k, v) => set(k, v)} />
        </>
      ) : null}
    </Dialog>
  )
}

function UploadProgress({ state }: { state: UploadState }) {
  const pct = state.phase === 'done' || state.phase === 'checking' ? 100 : percent(state.loaded, state.total)
  const label =
    state.phase === 'creating'
      ? 'Creating the image…'
      : state.phase === 'uploading'
        ? `Uploading ${state.fileName ?? ''}…`
        : state.phase === 'checking'
          ? 'Uploaded; Glance is checking the image…'
          : `Uploaded ${state.fileName ?? ''}`
  return (
    <ProgressBar
      value={state.phase === 'done' || state.phase === 'checking' ? state.total : state.loaded}
      max={state.total}
      percent={pct}
      label={label}
      tone={state.phase === 'done' ? 'success' : 'primary'}
      data-testid="upload-progress"
      details={
        <>
          <span data-testid="upload-bytes">
            {formatBytes(state.phase === 'done' || state.phase === 'checking' ? state.total : state.loaded)} of {formatBytes(state.total)}
          </span>
          <span data-testid="upload-speed">
            {state.rate > 0 ? `${formatRate(state.rate)}${state.phase === 'done' ? ' average' : ''}` : state.phase === 'creating' ? 'starting…' : '—'}
            {state.phase === 'uploading' && state.secondsLeft !== undefined && state.secondsLeft > 0.5 ? ` · ${formatDuration(state.secondsLeft)} left` : ''}
          </span>
        </>
      }
    />
  )
}

function UploadOutcome({ state }: { state: UploadState }) {
  if (state.phase === 'done' && state.image) {
    const img = state.image
    return (
      <Alert tone="success" title={`Image ${img.name ?? img.id} is ${img.status}`} data-testid="upload-done">
        {img.size != null ? `${formatByteCount(img.size)} stored` : 'Stored'}
        {img.checksum ? (
          <>
            , MD5 <code className="hash">{img.checksum}</code>
          </>
        ) : null}
        .
      </Alert>
    )
  }
  if (state.phase === 'failed' || state.phase === 'cancelled') {
    const cleanup =
      state.leftover === 'removed'
        ? ' The empty image created for it was deleted again.'
        : state.leftover === 'kept'
          ? ` The empty image ${state.image?.id ?? ''} could not be deleted: delete it from the list.`
          : ''
    return state.phase === 'cancelled' ? (
      <Alert tone="info" data-testid="upload-cancelled">
        Upload cancelled.{cleanup}
      </Alert>
    ) : (
      <Alert tone="danger" title="The upload failed" data-testid="dialog-error">
        {describeImageError(state.error, 'upload images')}
        {cleanup}
      </Alert>
    )
  }
  return null
}
