import { useEffect, useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { FileDrop } from '../../../components/ui/file-drop'
import { CheckboxField, SelectField, TextField } from '../../../components/ui/field'
import { ProgressBar } from '../../../components/ui/progress'
import { formatBytes, formatRate, percent } from '../../../lib/format'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useClient } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import { objectPath, objectStoreKeys, PUBLIC_READ_ACL } from '../../../lib/openstack/object-store'
import { useQueryClient } from '../../../lib/query'
import { useAccount } from '../api/get-object-store'
import { useCreateContainer, useDeleteObject, useDeleteObjects, useSetTempUrlKey } from '../api/object-store-mutations'
import { uploadObject } from '../api/upload-object'
import { containerNameError, objectNameError, uploadCli } from '../utils/object-browser'
import { SLO_THRESHOLD } from '../utils/slo-plan'
import { randomTempUrlKey, signedPathOf, tempUrl, tempUrlCli } from '../utils/temp-url'

function Cli({ cmd, testId }: { cmd: string; testId: string }) {
  return (
    <div className="cli-line" data-testid={testId}>
      <code>{`$ ${cmd}`}</code>
      <CopyButton text={cmd} label="Copy the command" />
    </div>
  )
}

/** PUT /{container} (with X-Container-Read when public). */
export function CreateContainerDialog({ existing, onClose, onCreated }: { existing: readonly string[]; onClose: () => void; onCreated: (name: string) => void }) {
  const [name, setName] = useState('')
  const [isPublic, setPublic] = useState(false)
  const [touched, setTouched] = useState(false)
  const create = useCreateContainer()
  const error = containerNameError(name.trim()) ?? (existing.includes(name.trim()) ? 'A container of that name exists already.' : undefined)
  const cli = `openstack container create ${shellQuote(name.trim() || '<name>')}` + (isPublic ? ` && swift post -r '${PUBLIC_READ_ACL}' ${shellQuote(name.trim() || '<name>')}` : '')
  return (
    <Dialog
      title="Create container"
      description="A container holds objects (files). Names with slashes inside it act as folders."
      onClose={onClose}
      busy={create.isPending}
      data-testid="create-container-dialog"
      onSubmit={() => {
        setTouched(true)
        if (error) return
        void create.mutateAsync({ name: name.trim(), isPublic }).then(() => {
          onCreated(name.trim())
          onClose()
        }, () => undefined)
      }}
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="plus" loading={create.isPending} data-testid="create-container-submit">
            Create container
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create containers')}
        </Alert>
      ) : null}
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={touched ? error : undefined} autoFocus maxLength={256} data-testid="container-name" />
      <CheckboxField label="Public" hint="Anyone who has an object's link can read it, without a token (X-Container-Read: .r:*,.rlistings)." checked={isPublic} onChange={(e) => setPublic(e.target.checked)} data-testid="container-public" />
      <Cli cmd={cli} testId="create-container-cli" />
    </Dialog>
  )
}

/**
 * Uploads one file into the current folder with a progress bar (XMLHttpRequest progress); above 64 MiB as SLO
 * segments. Cancel aborts the transfer and removes the segments already sent.
 */
export function UploadDialog({ container, prefix, onClose, onUploaded }: { container: string; prefix: string; onClose: () => void; onUploaded: (name: string) => void }) {
  const client = useClient()
  const qc = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [name, setName] = useState('')
  const [progress, setProgress] = useState<{ loaded: number; total: number; phase: string; started: number } | null>(null)
  const [error, setError] = useState<unknown>()
  const abort = useRef<AbortController | null>(null)
  useEffect(() => () => abort.current?.abort(), [])
  const objectName = `${prefix}${name.trim()}`
  const nameError = file ? objectNameError(objectName) : undefined
  const large = (file?.size ?? 0) > SLO_THRESHOLD
  const busy = progress !== null
  const cli = file ? uploadCli(container, objectName, file.name, large, shellQuote) : `openstack object create ${shellQuote(container)} <file>`
  const start = () => {
    if (!file || nameError) return
    const ctrl = new AbortController()
    abort.current = ctrl
    setError(undefined)
    setProgress({ loaded: 0, total: file.size, phase: 'Uploading', started: performance.now() })
    void uploadObject(client, container, objectName, file, {
      signal: ctrl.signal,
      onProgress: (loaded, total, phase) => setProgress((p) => ({ loaded, total, phase, started: p?.started ?? performance.now() })),
    }).then(
      async () => {
        await qc.invalidate(objectStoreKeys.all)
        onUploaded(objectName)
        onClose()
      },
      (err: unknown) => {
        setProgress(null)
        setError(err)
      },
    )
  }
  const elapsed = progress ? (performance.now() - progress.started) / 1000 : 0
  return (
    <Dialog
      title={`Upload to ${container}${prefix ? `/${prefix}` : ''}`}
      description="Sent straight from this browser to Swift with your token. Files above 64 MiB go as segments plus a manifest (a Static Large Object), as swift upload --use-slo does."
      onClose={() => {
        abort.current?.abort()
        onClose()
      }}
      onSubmit={start}
      data-testid="upload-object-dialog"
      footer={
        <>
          <Button onClick={() => (busy ? abort.current?.abort() : onClose())} data-testid="upload-cancel">
            {busy ? 'Cancel upload' : 'Cancel'}
          </Button>
          <Button type="submit" variant="primary" icon="upload" loading={busy} disabled={!file} data-testid="upload-submit">
            Upload
          </Button>
        </>
      }
    >
      {error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(error, 'upload objects')}
        </Alert>
      ) : null}
      <FileDrop
        label="File"
        file={file}
        disabled={busy}
        onFile={(f) => {
          setFile(f)
          if (f) setName(f.name)
        }}
        data-testid="upload-file"
      >
        {file ? `${formatBytes(file.size)}${large ? ' · sent as segments' : ''}` : null}
      </FileDrop>
      <TextField label="Object name" hint={prefix ? `In the folder ${prefix}; slashes make more folders.` : 'Slashes make folders (docs/readme.txt).'} value={name} onChange={(e) => setName(e.target.value)} error={nameError} disabled={busy || !file} data-testid="upload-name" />
      {progress ? (
        <ProgressBar
          label={progress.phase}
          value={progress.loaded}
          max={progress.total}
          percent={percent(progress.loaded, progress.total)}
          details={
            <>
              <span>
                {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
              </span>
              <span>{elapsed > 0.5 ? formatRate(progress.loaded / elapsed) : ''}</span>
            </>
          }
          data-testid="upload-progress"
        />
      ) : null}
      <Cli cmd={cli} testId="upload-cli" />
    </Dialog>
  )
}

/** What a delete takes with it: one object, a folder (recursively), or a container (emptied first). */
export type DeleteTarget = { kind: 'object'; container: string; name: string } | { kind: 'folder'; container: string; prefix: string } | { kind: 'container'; container: string; objectCount: number }

export function DeleteObjectsDialog({ target, onClose, onDeleted }: { target: DeleteTarget; onClose: () => void; onDeleted: (message: string) => void }) {
  const del = useDeleteObjects()
  const delOne = useDeleteObject()
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const prefix = target.kind === 'object' ? target.name : target.kind === 'folder' ? target.prefix : ''
  const what = target.kind === 'object' ? target.name : target.kind === 'folder' ? `folder ${target.prefix}` : `container ${target.container}`
  const cli =
    target.kind === 'object'
      ? `openstack object delete ${shellQuote(target.container)} ${shellQuote(target.name)}`
      : target.kind === 'folder'
        ? `swift delete ${shellQuote(target.container)} --prefix ${shellQuote(target.prefix)}`
        : target.objectCount > 0
          ? `openstack container delete --recursive ${shellQuote(target.container)}`
          : `openstack container delete ${shellQuote(target.container)}`
  return (
    <ConfirmDialog
      title={`Delete ${what}?`}
      confirmLabel={target.kind === 'object' ? 'Delete object' : target.kind === 'folder' ? 'Delete folder and contents' : 'Delete container'}
      describe={(e) => describeError(e, 'delete objects')}
      onClose={onClose}
      onConfirm={async () => {
        if (target.kind === 'object') {
          await delOne.mutateAsync({ container: target.container, name: target.name })
          onDeleted(`${target.name} deleted.`)
          return
        }
        const n = await del.mutateAsync({
          container: target.container,
          prefix,
          deleteContainer: target.kind === 'container',
          onProgress: (done, total) => setProgress({ done, total }),
        })
        onDeleted(target.kind === 'container' ? `Container ${target.container} deleted${n ? ` with its ${n} objects` : ''}.` : `Folder ${prefix} deleted (${n} objects).`)
      }}
    >
      {target.kind === 'object' ? (
        <p>
          <strong>{target.name}</strong> is removed from {target.container} for good (a large object with its segments).
        </p>
      ) : target.kind === 'folder' ? (
        <p>
          Every object whose name starts with <code>{target.prefix}</code> is deleted, one by one. This cannot be undone.
        </p>
      ) : target.objectCount > 0 ? (
        <Alert tone="warning" title={`It holds ${target.objectCount} object${target.objectCount === 1 ? '' : 's'}`}>
          Swift deletes only empty containers: every object is deleted first, then the container. This cannot be undone.
        </Alert>
      ) : (
        <p>The container is empty.</p>
      )}
      {progress && progress.total > 0 ? <ProgressBar label="Deleting objects" value={progress.done} max={progress.total} percent={percent(progress.done, progress.total)} details={`${progress.done} of ${progress.total}`} data-testid="delete-progress" /> : null}
      <p className="cli-line">
        <code>{`$ ${cli}`}</code>
      </p>
    </ConfirmDialog>
  )
}

const DURATIONS = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '1 day' },
  { seconds: 7 * 86400, label: '7 days' },
]

/** The links of one object: the public URL (works without a token when the container is public) and a TempURL. */
export function ObjectLinkDialog({ container, name, isPublic, onClose }: { container: string; name: string; isPublic: boolean; onClose: () => void }) {
  const client = useClient()
  const account = useAccount()
  const setKey = useSetTempUrlKey()
  const [seconds, setSeconds] = useState(3600)
  const [link, setLink] = useState<string>()
  const url = `${client.endpoint('object-store') ?? ''}${objectPath(container, name)}`
  const key = account.data?.tempUrlKey
  const signedPath = signedPathOf(url)
  useEffect(() => {
    let live = true
    if (!key) return
    void tempUrl(url, key, Math.floor(Date.now() / 1000) + seconds).then((l) => live && setLink(l))
    return () => {
      live = false
    }
  }, [url, key, seconds])
  return (
    <Dialog title={`Links to ${name}`} onClose={onClose} data-testid="object-link-dialog" footer={<Button onClick={onClose}>Close</Button>}>
      <section className="object-link">
        <h3 className="object-link-title">Public link</h3>
        {isPublic ? (
          <div className="copyable" data-testid="public-link">
            <code className="object-url">{url}</code>
            <CopyButton text={url} label="Copy the public link" data-testid="copy-public-link" />
          </div>
        ) : (
          <p className="muted">The container is private: this URL answers 401 without a token. Make the container public to share it, or use a temporary link.</p>
        )}
      </section>
      <section className="object-link">
        <h3 className="object-link-title">Temporary link</h3>
        {account.status === 'pending' ? (
          <p className="muted">Reading the account…</p>
        ) : !key ? (
          <>
            <p className="muted">A temporary link is signed with the account's Temp-URL key, and this account has none yet. Setting one lets anyone who knows it make links to any object of the project.</p>
            {setKey.error ? <Alert tone="danger">{describeError(setKey.error, 'set the account key')}</Alert> : null}
            <Button icon="key" loading={setKey.isPending} onClick={() => void setKey.mutateAsync(randomTempUrlKey()).catch(() => undefined)} data-testid="set-temp-url-key">
              Set a random Temp-URL key
            </Button>
          </>
        ) : (
          <>
            <SelectField label="Valid for" value={String(seconds)} onChange={(e) => setSeconds(Number(e.target.value))} data-testid="temp-url-duration">
              {DURATIONS.map((d) => (
                <option key={d.seconds} value={d.seconds}>
                  {d.label}
                </option>
              ))}
            </SelectField>
            {link ? (
              <div className="copyable" data-testid="temp-link">
                <code className="object-url">{link}</code>
                <CopyButton text={link} label="Copy the temporary link" />
              </div>
            ) : null}
            <p className="muted small">
              Signed in this browser: HMAC-SHA256 of <code>{`GET\\n<expires>\\n${signedPath}`}</code> with the key.
            </p>
            <Cli cmd={tempUrlCli(signedPath, seconds)} testId="temp-url-cli" />
          </>
        )}
      </section>
    </Dialog>
  )
}
