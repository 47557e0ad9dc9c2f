import { useEffect, useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { FilterToolbar } from '../../../components/ui/filter-toolbar'
import { Icon } from '../../../components/ui/icons'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { formatByteCount, formatBytes, formatDateTime } from '../../../lib/format'
import { useSession } from '../../../lib/openstack/client-provider'
import { OpenStackError } from '../../../lib/openstack/errors'
import type { Image } from '../../../lib/openstack/image'
import { Link, navigate, usePath } from '../../../lib/router'
import { storageUsage, useImageUsage } from '../api/get-image-usage'
import { useImages } from '../api/get-images'
import { describeImageError } from '../utils/image-errors'
import { canModify, shouldPoll } from '../utils/image-status'
import { ImageActionButtons, ImageActionDialogs, type ImageAction, type LaunchInstance } from './image-actions'
import { ImageDetail } from './image-detail'
import { ImageStatusBadge } from './image-status-badge'
import { ImportImageDialog } from './import-image-dialog'
import { UploadImageDialog } from './upload-image-dialog'
import { VisibilityBadge } from './visibility'
import './images.css'

/** Compute → Images: the list at `basePath`, one image's details at `basePath/{id}`. */
export function ImagesPage({ basePath, launchInstance }: { basePath: string; launchInstance?: LaunchInstance }) {
  const path = usePath()
  const id = path.startsWith(`${basePath}/`) ? decodeURIComponent(path.slice(basePath.length + 1)) : ''
  return id ? <ImageDetail key={id} id={id} basePath={basePath} launchInstance={launchInstance} /> : <ImagesList basePath={basePath} launchInstance={launchInstance} />
}

type Dialog = 'upload' | 'import' | null

function ImagesList({ basePath, launchInstance }: { basePath: string; launchInstance?: LaunchInstance }) {
  const session = useSession()
  const images = useImages()
  const [dialog, setDialog] = useState<Dialog>(null)
  const [action, setAction] = useState<ImageAction | null>(null)
  const [filter, setFilter] = useState('')
  const toast = useToast()
  // Glance lets members and admins create images; a reader-only token is refused, so it gets no buttons.
  const canCreate = session.roles.some((r) => r !== 'reader')
  const who = { projectId: session.project?.id, isAdmin: session.isAdmin }
  const open = (image: Image) => navigate(`${basePath}/${encodeURIComponent(image.id)}`)

  const all = images.data ?? []
  const needle = filter.trim().toLowerCase()
  const shown = needle ? all.filter((i) => [i.name ?? '', i.id, i.disk_format ?? '', i.status].some((s) => s.toLowerCase().includes(needle))) : all
  const totalBytes = all.reduce((n, i) => n + (i.size ?? 0), 0)
  const live = images.status === 'success' && shouldPoll(all)
  const usage = useImageUsage()
  const storage = storageUsage(usage.data)
  // The quota usage follows the project's images: refresh it when their sizes change (an upload or import ends).
  const ownBytes = all.reduce((n, i) => n + (i.owner === session.project?.id ? (i.size ?? 0) : 0), 0)
  const seenBytes = useRef<number | null>(null)
  const refetchUsage = usage.refetch
  useEffect(() => {
    if (images.status !== 'success') return
    if (seenBytes.current !== null && seenBytes.current !== ownBytes) void refetchUsage()
    seenBytes.current = ownBytes
  }, [images.status, ownBytes, refetchUsage])

  const columns: Column<Image>[] = [
    {
      key: 'name',
      header: 'Name',
      className: 'col-grow',
      render: (i) => (
        <span className="cell-name">
          <Link to={`${basePath}/${encodeURIComponent(i.id)}`} className="image-link" data-testid="image-name-cell" title={i.id}>
            {i.name || <span className="muted">(no name) {i.id.slice(0, 8)}</span>}
          </Link>
          {i.protected ? <Icon name="lock" className="muted" title="Protected: cannot be deleted" /> : null}
          {i.owner && i.owner === session.project?.id ? null : (
            <Badge tone="neutral" title={`Owned by project ${i.owner ?? 'unknown'}`}>
              other project
            </Badge>
          )}
        </span>
      ),
    },
    { key: 'status', header: 'Status', render: (i) => <ImageStatusBadge image={i} /> },
    { key: 'visibility', header: 'Visibility', render: (i) => <VisibilityBadge visibility={i.visibility} /> },
    { key: 'format', header: 'Disk format', render: (i) => (i.disk_format ? <code className="format">{i.disk_format}</code> : <span className="muted">—</span>) },
    {
      key: 'size',
      header: 'Size',
      className: 'col-num',
      render: (i) => (
        <span data-testid="image-size" title={i.size != null ? formatByteCount(i.size) : 'No data uploaded yet'}>
          {formatBytes(i.size)}
        </span>
      ),
    },
    { key: 'created', header: 'Created', className: 'col-nowrap', render: (i) => <span className="muted">{formatDateTime(i.created_at)}</span> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (i) => <ImageActionButtons compact image={i} canModify={canModify(i, who)} isAdmin={session.isAdmin} onAction={setAction} />,
    },
  ]

  const forbidden = images.error instanceof OpenStackError && images.error.status === 403
  const createButtons = canCreate ? (
    <>
      <Button icon="link" onClick={() => setDialog('import')} data-testid="import-image-open">
        Create from URL
      </Button>
      <Button variant="primary" icon="upload" onClick={() => setDialog('upload')} data-testid="upload-image-open">
        Upload image
      </Button>
    </>
  ) : null

  return (
    <div className="page" data-testid="images-page">
      <PageHeader
        title="Images"
        description="Disk images instances boot from. Glance stores them; Nova copies one onto each new instance's disk."
        api="GET /image/v2/images"
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void images.refetch()} loading={images.isFetching && images.status === 'success'} />
            {createButtons}
          </>
        }
      />
      {images.status === 'pending' ? (
        <LoadingState label="Loading images…" />
      ) : images.status === 'error' ? (
        <Alert
          tone={forbidden ? 'warning' : 'danger'}
          title="Could not list the images"
          data-testid="page-error"
          action={forbidden ? undefined : <Button onClick={() => void images.refetch()}>Try again</Button>}
        >
          {describeImageError(images.error, 'list images')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="image" title="No images yet" action={createButtons ? <span className="image-empty-actions">{createButtons}</span> : undefined}>
          Upload a disk image (a CirrOS <code>.img</code> is a good first one: it is small and boots fast), or let Glance download one from a URL.
        </EmptyState>
      ) : (
        <>
          <FilterToolbar
            filter={filter}
            onFilter={setFilter}
            placeholder="Filter by name, ID, format or status"
            label="Filter images"
            filterTestId="image-filter"
            summaryTestId="images-summary"
            live={live}
            liveTitle="Refreshing every few seconds while an image is changing"
          >
              <span>
                {shown.length === all.length ? `${all.length} image${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length}`} · {formatBytes(totalBytes)}
              </span>
              {storage ? <StorageUsage used={storage.used} limit={storage.limit} project={session.project?.name} /> : null}
          </FilterToolbar>
          {shown.length > 0 ? (
            <DataTable
              label="Images"
              columns={columns}
              rows={shown}
              rowKey={(i) => i.id}
              rowTestId="image-row"
              rowProps={(i) => ({ 'data-name': i.name ?? '', 'data-id': i.id, 'data-status': i.status })}
            />
          ) : (
            <EmptyState icon="search" title="Nothing matches" action={<Button onClick={() => setFilter('')}>Clear the filter</Button>}>
              No image mentions “{filter}”.
            </EmptyState>
          )}
        </>
      )}
      {dialog === 'upload' ? (
        <UploadImageDialog
          isAdmin={session.isAdmin}
          onClose={() => setDialog(null)}
          onUploaded={(i) => toast(`Image ${i.name ?? i.id} uploaded.`)}
          onOpen={(i) => {
            setDialog(null)
            open(i)
          }}
        />
      ) : null}
      {dialog === 'import' ? (
        <ImportImageDialog
          isAdmin={session.isAdmin}
          onClose={() => setDialog(null)}
          onStarted={(i) => toast(`Glance is downloading ${i.name ?? i.id}; the list shows it active when done.`, 'info')}
        />
      ) : null}
      <ImageActionDialogs action={action} isAdmin={session.isAdmin} onClose={() => setAction(null)} launchInstance={launchInstance} />
    </div>
  )
}

/** The project's image storage against its quota (GET /v2/info/usage); an upload over it answers 413. */
function StorageUsage({ used, limit, project }: { used: number; limit?: number; project?: string }) {
  const full = limit !== undefined && limit > 0 ? used / limit : 0
  return (
    <span
      className={['storage-usage', full >= 0.9 && 'storage-usage-high'].filter(Boolean).join(' ')}
      title={`Image storage quota of project ${project ?? ''}: ${formatByteCount(used)} used${limit !== undefined ? ` of ${formatByteCount(limit)}` : ', no limit'}`}
      data-testid="storage-usage"
    >
      <Icon name="volume" />
      {limit !== undefined ? `${formatBytes(used)} of ${formatBytes(limit)} quota used` : `${formatBytes(used)} stored, no quota`}
    </span>
  )
}
