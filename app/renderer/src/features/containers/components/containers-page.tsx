import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { Icon } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { ProgressBar } from '../../../components/ui/progress'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { UsageBar } from '../../../components/ui/usage-bar'
import { formatBytes, formatDateTime, percent } from '../../../lib/format'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useClient } from '../../../lib/openstack/client-provider'
import { OpenStackError, describeError } from '../../../lib/openstack/errors'
import { objectPath, objectStoreKeys } from '../../../lib/openstack/object-store'
import { useQueryClient } from '../../../lib/query'
import { Link, navigate, usePath } from '../../../lib/router'
import { OBJECT_STORE_POLL_MS, useAccount, useContainer, useContainers, useObjects, type ContainerRow } from '../api/get-object-store'
import { useSetContainerPublic } from '../api/object-store-mutations'
import { breadcrumbs, browserRows, folderPrefix, objectNameError, type BrowserRow } from '../utils/object-browser'
import { CreateContainerDialog, DeleteObjectsDialog, ObjectLinkDialog, UploadDialog, type DeleteTarget } from './container-dialogs'
import './containers.css'

const enc = encodeURIComponent

/** The route of a container's folder: `basePath/{container}/{prefix segments…}/`. */
export function browserPath(basePath: string, container: string, prefix = ''): string {
  return `${basePath}/${enc(container)}${prefix ? `/${prefix.split('/').filter(Boolean).map(enc).join('/')}/` : ''}`
}

function parseRoute(basePath: string, path: string): { container: string; prefix: string } | null {
  if (!path.startsWith(`${basePath}/`)) return null
  const rest = path.slice(basePath.length + 1)
  const parts = rest.split('/')
  const container = decodeURIComponent(parts[0] ?? '')
  if (!container) return null
  const folders = parts.slice(1).filter(Boolean).map(decodeURIComponent)
  return { container, prefix: folders.length ? `${folders.join('/')}/` : '' }
}

/** Storage → Object store: containers and usage at `basePath`; a container's folders below it. */
export function ContainersPage({ basePath }: { basePath: string }) {
  const route = parseRoute(basePath, usePath())
  return route ? <ContainerBrowser key={route.container} basePath={basePath} container={route.container} prefix={route.prefix} /> : <ContainerList basePath={basePath} />
}

function canWriteRoles(roles: readonly string[]) {
  return roles.some((r) => r !== 'reader')
}

function AccountUsage() {
  const account = useAccount()
  if (!account.data) return null
  const a = account.data
  return (
    <Card title="Account usage" data-testid="account-usage">
      <UsageBar label="Storage" used={a.bytesUsed} limit={a.quotaBytes} format={formatBytes} data-testid="account-bytes" />
      <p className="muted small" data-testid="account-counts">
        {a.containerCount} container{a.containerCount === 1 ? '' : 's'} · {a.objectCount} object{a.objectCount === 1 ? '' : 's'} · {formatBytes(a.bytesUsed)} (X-Account-Bytes-Used){' '}
        · Temp-URL key {a.tempUrlKey ? 'set' : 'not set'}
      </p>
    </Card>
  )
}

function ContainerList({ basePath }: { basePath: string }) {
  const client = useClient()
  const toast = useToast()
  const containers = useContainers()
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null)
  const canWrite = canWriteRoles(client.session.roles)
  const rows = containers.data ?? []
  const columns: Column<ContainerRow>[] = [
    {
      key: 'name',
      header: 'Container',
      render: (c) => (
        <span className="container-cell">
          <Link to={browserPath(basePath, c.name)} className="container-link" data-testid="container-link">
            <Icon name="objectStore" /> {c.name}
          </Link>
          {c.name.endsWith('_segments') ? (
            <span className="muted small" data-testid="container-segments-note">
              Segments of the large objects in {c.name.slice(0, -'_segments'.length)}: deleting such an object there removes its segments here.
            </span>
          ) : null}
        </span>
      ),
    },
    { key: 'count', header: 'Objects', className: 'col-num', render: (c) => c.count.toLocaleString('en-US') },
    { key: 'bytes', header: 'Size', className: 'col-num', render: (c) => formatBytes(c.bytes) },
    {
      key: 'access',
      header: 'Access',
      render: (c) =>
        c.isPublic === undefined ? (
          <span className="muted">—</span>
        ) : c.isPublic ? (
          <Badge tone="warning" dot data-testid="container-access">
            Public
          </Badge>
        ) : (
          <Badge tone="neutral" dot data-testid="container-access">
            Private
          </Badge>
        ),
    },
    { key: 'modified', header: 'Modified', render: (c) => <span className="small">{formatDateTime(c.last_modified)}</span> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (c) =>
        canWrite ? (
          <Button
            size="sm"
            variant="ghost"
            icon="trash"
            className="btn-danger-ghost"
            aria-label={`Delete container ${c.name}`}
            title={`Delete container ${c.name}`}
            onClick={() => setDeleting({ kind: 'container', container: c.name, objectCount: c.count })}
            data-testid="container-delete"
          />
        ) : null,
    },
  ]
  const createButton = (testId: string) =>
    canWrite ? (
      <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid={testId}>
        Create container
      </Button>
    ) : null
  return (
    <div className="page page-containers" data-testid="containers-page">
      <PageHeader
        title="Object store"
        description="Containers of files (Swift), reachable over HTTP: privately with a token, publicly when the container is public, or through a temporary signed link."
        api="GET /object-store/v1/AUTH_{project_id}?format=json"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void containers.refetch()} loading={containers.isFetching && containers.status !== 'pending'} />
            {createButton('create-container')}
          </>
        }
      />
      <AccountUsage />
      {containers.status === 'pending' ? (
        <LoadingState label="Loading containers…" />
      ) : containers.status === 'error' && !containers.data ? (
        <Alert tone="danger" title="Could not list the containers" data-testid="page-error" action={<Button onClick={() => void containers.refetch()}>Try again</Button>}>
          {describeError(containers.error, 'list containers')}
        </Alert>
      ) : rows.length === 0 ? (
        <EmptyState icon="objectStore" title="No containers" action={createButton('create-container-empty') ?? undefined}>
          Create one, then upload files into it (<code>openstack container create c1</code>).
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <span className="muted toolbar-summary">
              {containers.live ? (
                <span className="live" title={`Refreshing every ${OBJECT_STORE_POLL_MS / 1000} seconds`}>
                  <span className="live-dot" aria-hidden="true" /> live
                </span>
              ) : null}
              {rows.length} container{rows.length === 1 ? '' : 's'}
            </span>
          </div>
          <DataTable label="Containers" columns={columns} rows={rows} rowKey={(c) => c.name} rowTestId="container-row" rowProps={(c) => ({ 'data-name': c.name, 'data-public': c.isPublic ? 'yes' : 'no' })} />
        </>
      )}
      {creating ? (
        <CreateContainerDialog
          existing={rows.map((r) => r.name)}
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            toast(`Container ${name} created.`)
            navigate(browserPath(basePath, name))
          }}
        />
      ) : null}
      {deleting ? <DeleteObjectsDialog target={deleting} onClose={() => setDeleting(null)} onDeleted={(m) => toast(m)} /> : null}
    </div>
  )
}

/** One container: breadcrumbs, folders then objects, upload, public/private, links, download, delete. */
function ContainerBrowser({ basePath, container, prefix }: { basePath: string; container: string; prefix: string }) {
  const client = useClient()
  const qc = useQueryClient()
  const toast = useToast()
  const info = useContainer(container)
  const objects = useObjects(container, prefix)
  const setPublic = useSetContainerPublic()
  const [uploading, setUploading] = useState(false)
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null)
  const [linkOf, setLinkOf] = useState<string | null>(null)
  const [newFolder, setNewFolder] = useState<string | null>(null)
  const [download, setDownload] = useState<{ name: string; loaded: number; total: number } | null>(null)
  const canWrite = canWriteRoles(client.session.roles)
  const isPublic = info.data?.isPublic ?? false
  const rows = browserRows(objects.data ?? [], prefix)
  const gone = info.error instanceof OpenStackError && info.error.status === 404

  const save = async (name: string) => {
    setDownload({ name, loaded: 0, total: 0 })
    try {
      const blob = await client.download('object-store', objectPath(container, name), {
        onProgress: (loaded, total) => setDownload({ name, loaded, total }),
        cli: `openstack object save ${shellQuote(container)} ${shellQuote(name)}`,
      })
      const url = URL.createObjectURL(blob)
      const a = document.createElement('a')
      a.href = url
      a.download = name.split('/').pop() || name
      a.rel = 'noopener'
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    } catch (err) {
      toast(`Could not download ${name}: ${describeError(err, 'download objects')}`, 'danger')
    } finally {
      setDownload(null)
    }
  }

  const createFolder = async (name: string) => {
    const p = folderPrefix(prefix, name)
    const err = objectNameError(p)
    if (err || !name.trim()) return
    try {
      await client.upload('object-store', objectPath(container, p), new Blob([]), { method: 'PUT', contentType: 'application/directory', cli: `openstack object create --name ${shellQuote(p)} ${shellQuote(container)} /dev/null` })
      await qc.invalidate(objectStoreKeys.all)
      setNewFolder(null)
      navigate(browserPath(basePath, container, p))
    } catch (e) {
      toast(`Could not create the folder: ${describeError(e, 'create objects')}`, 'danger')
    }
  }

  const columns: Column<BrowserRow>[] = [
    {
      key: 'name',
      header: 'Name',
      render: (r) =>
        r.kind === 'folder' ? (
          <Link to={browserPath(basePath, container, r.prefix)} className="object-folder" data-testid="folder-link">
            <Icon name="project" /> {r.label}
          </Link>
        ) : (
          <span className="object-name" data-testid="object-name">
            {r.label}
          </span>
        ),
    },
    { key: 'size', header: 'Size', className: 'col-num', render: (r) => (r.kind === 'object' ? formatBytes(r.bytes) : <span className="muted">folder</span>) },
    { key: 'type', header: 'Type', render: (r) => (r.kind === 'object' ? <span className="small">{r.contentType}</span> : null) },
    { key: 'modified', header: 'Modified', render: (r) => (r.kind === 'object' ? <span className="small">{formatDateTime(r.lastModified)}</span> : null) },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (r) => (
        <span className="object-actions">
          {r.kind === 'object' ? (
            <>
              <Button size="sm" variant="ghost" icon="download" aria-label={`Download ${r.name}`} title="Download" onClick={() => void save(r.name)} disabled={download !== null} data-testid="object-download" />
              <Button size="sm" variant="ghost" icon="link" aria-label={`Links to ${r.name}`} title="Public or temporary link" onClick={() => setLinkOf(r.name)} data-testid="object-links" />
            </>
          ) : null}
          {canWrite ? (
            <Button
              size="sm"
              variant="ghost"
              icon="trash"
              className="btn-danger-ghost"
              aria-label={`Delete ${r.kind === 'folder' ? r.prefix : r.name}`}
              title="Delete"
              onClick={() => setDeleting(r.kind === 'folder' ? { kind: 'folder', container, prefix: r.prefix } : { kind: 'object', container, name: r.name })}
              data-testid={r.kind === 'folder' ? 'folder-delete' : 'object-delete'}
            />
          ) : null}
        </span>
      ),
    },
  ]

  return (
    <div className="page page-containers" data-testid="container-browser" data-container={container} data-prefix={prefix} data-public={isPublic ? 'yes' : 'no'}>
      <Link to={basePath} className="back-link" data-testid="back-to-containers">
        <Icon name="arrowLeft" /> Containers
      </Link>
      <PageHeader
        title={
          <span className="cell-name">
            <span data-testid="container-title">{container}</span>
            {info.data ? (
              <Badge tone={isPublic ? 'warning' : 'neutral'} dot data-testid="container-access">
                {isPublic ? 'Public' : 'Private'}
              </Badge>
            ) : null}
          </span>
        }
        description={info.data ? `${info.data.objectCount} object${info.data.objectCount === 1 ? '' : 's'}, ${formatBytes(info.data.bytesUsed)}.${isPublic ? ' Anyone with a link can read its objects.' : ''}` : undefined}
        api={`GET /object-store/v1/AUTH_{project_id}/${container}?format=json&delimiter=/${prefix ? `&prefix=${prefix}` : ''}`}
        actions={
          canWrite && !gone ? (
            <>
              <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void Promise.all([objects.refetch(), info.refetch()])} loading={objects.isFetching && objects.status !== 'pending'} />
              <Button
                icon={isPublic ? 'lock' : 'link'}
                loading={setPublic.isPending}
                disabled={!info.data}
                onClick={() => void setPublic.mutateAsync({ name: container, isPublic: !isPublic }).then(() => toast(isPublic ? `${container} is private again.` : `${container} is public: its objects' links work without a token.`), (e: unknown) => toast(describeError(e, 'change container access'), 'danger'))}
                data-testid="toggle-public"
              >
                {isPublic ? 'Make private' : 'Make public'}
              </Button>
              <Button icon="plus" onClick={() => setNewFolder('')} data-testid="new-folder">
                New folder
              </Button>
              <Button variant="primary" icon="upload" onClick={() => setUploading(true)} data-testid="upload-object">
                Upload
              </Button>
            </>
          ) : undefined
        }
      />
      <nav className="breadcrumbs" aria-label="Folder" data-testid="breadcrumbs">
        <Link to={browserPath(basePath, container)}>{container}</Link>
        {breadcrumbs(prefix).map((b) => (
          <span key={b.prefix}>
            <span className="muted"> / </span>
            <Link to={browserPath(basePath, container, b.prefix)}>{b.label}</Link>
          </span>
        ))}
      </nav>
      {newFolder !== null ? (
        <form
          className="new-folder-form"
          onSubmit={(e) => {
            e.preventDefault()
            void createFolder(newFolder)
          }}
        >
          <input className="input" aria-label="Folder name" placeholder="Folder name" autoFocus value={newFolder} onChange={(e) => setNewFolder(e.target.value)} data-testid="new-folder-name" />
          <Button type="submit" variant="primary" disabled={!newFolder.trim()} data-testid="new-folder-submit">
            Create folder
          </Button>
          <Button onClick={() => setNewFolder(null)}>Cancel</Button>
        </form>
      ) : null}
      {download ? <ProgressBar label={`Downloading ${download.name}`} value={download.loaded} max={download.total || 1} percent={percent(download.loaded, download.total || 1)} details={formatBytes(download.loaded)} data-testid="download-progress" /> : null}
      {gone ? (
        <Alert tone="warning" title="This container no longer exists" data-testid="page-error">
          No container is named {container} in this project: it was deleted. <Link to={basePath}>Back to the containers</Link>
        </Alert>
      ) : objects.status === 'pending' ? (
        <LoadingState label="Loading objects…" />
      ) : objects.status === 'error' && !objects.data ? (
        <Alert tone="danger" title="Could not list the objects" data-testid="page-error" action={<Button onClick={() => void objects.refetch()}>Try again</Button>}>
          {describeError(objects.error, 'list objects')}
        </Alert>
      ) : rows.length === 0 ? (
        <EmptyState icon="upload" title={prefix ? 'This folder is empty' : 'This container is empty'} action={canWrite ? <Button variant="primary" icon="upload" onClick={() => setUploading(true)} data-testid="upload-object-empty">Upload a file</Button> : undefined}>
          Upload files here (<code>openstack object create {shellQuote(container)} file</code>).
        </EmptyState>
      ) : (
        <DataTable
          label={`Objects in ${container}`}
          columns={columns}
          rows={rows}
          rowKey={(r) => (r.kind === 'folder' ? `d:${r.prefix}` : `o:${r.name}`)}
          rowTestId="object-row"
          rowProps={(r) => ({ 'data-kind': r.kind, 'data-name': r.kind === 'folder' ? r.prefix : r.name })}
        />
      )}
      {uploading ? <UploadDialog container={container} prefix={prefix} onClose={() => setUploading(false)} onUploaded={(n) => toast(`${n} uploaded.`)} /> : null}
      {deleting ? <DeleteObjectsDialog target={deleting} onClose={() => setDeleting(null)} onDeleted={(m) => toast(m)} /> : null}
      {linkOf ? <ObjectLinkDialog container={container} name={linkOf} isPublic={isPublic} onClose={() => setLinkOf(null)} /> : null}
    </div>
  )
}
