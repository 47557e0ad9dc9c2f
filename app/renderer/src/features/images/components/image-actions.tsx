import type { ReactNode } from 'react'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { useToast } from '../../../components/ui/toast'
import { formatBytes } from '../../../lib/format'
import type { Image } from '../../../lib/openstack/image'
import { useDeactivateImage } from '../api/deactivate-image'
import { useDeleteImage } from '../api/delete-image'
import { useReactivateImage } from '../api/reactivate-image'
import { describeImageError } from '../utils/image-errors'
import { EditImageDialog } from './edit-image-dialog'
import { LaunchInstanceNotice } from './launch-instance-notice'

export type ImageAction = { kind: 'edit' | 'delete' | 'launch' | 'deactivate' | 'reactivate'; image: Image }

/**
 * Opens the compute panels' launch wizard with the image chosen. The app composes it in (features do not import
 * each other); without it (no compute service in the catalog) "Launch instance" explains why it cannot.
 */
export type LaunchInstance = (image: Image, onClose: () => void) => ReactNode

const label = (image: Image) => image.name || image.id

/**
 * The buttons of one image (a table row or the detail page). What Glance's default policy forbids is disabled
 * with the reason as a tooltip: changing another project's image, deleting a protected one; deactivation is
 * for admins only and not shown to others.
 */
export function ImageActionButtons({
  image,
  canModify,
  isAdmin,
  onAction,
  compact = false,
}: {
  image: Image
  canModify: boolean
  isAdmin: boolean
  onAction: (a: ImageAction) => void
  /** Table rows: a short "Launch" and icon-only buttons (named by aria-label, explained by tooltip). */
  compact?: boolean
}) {
  const size = compact ? 'sm' : 'md'
  const text = (words: string) => (compact ? undefined : words)
  const notOwner = 'This image belongs to another project: only its owner or an admin can change it'
  return (
    <span className="image-actions">
      {image.status === 'active' ? (
        <Button size={size} variant="ghost" icon="rocket" onClick={() => onAction({ kind: 'launch', image })} title={`Launch an instance from ${label(image)}`} data-testid="launch-image">
          {compact ? 'Launch' : 'Launch instance'}
        </Button>
      ) : null}
      <Button
        size={size}
        variant="ghost"
        icon="edit"
        onClick={() => onAction({ kind: 'edit', image })}
        disabled={!canModify}
        title={canModify ? `Edit ${label(image)}` : notOwner}
        aria-label={`Edit ${label(image)}`}
        data-testid="edit-image"
      >
        {text('Edit')}
      </Button>
      {isAdmin && image.status === 'active' ? (
        <Button
          size={size}
          variant="ghost"
          icon="pause"
          onClick={() => onAction({ kind: 'deactivate', image })}
          title="Deactivate: block booting and downloading this image (admin)"
          aria-label={`Deactivate ${label(image)}`}
          data-testid="deactivate-image"
        >
          {text('Deactivate')}
        </Button>
      ) : null}
      {isAdmin && image.status === 'deactivated' ? (
        <Button size={size} variant="ghost" icon="play" onClick={() => onAction({ kind: 'reactivate', image })} title="Reactivate: allow booting it again (admin)" aria-label={`Reactivate ${label(image)}`} data-testid="reactivate-image">
          {text('Reactivate')}
        </Button>
      ) : null}
      <Button
        size={size}
        variant="ghost"
        icon="trash"
        className="btn-danger-ghost"
        onClick={() => onAction({ kind: 'delete', image })}
        disabled={!canModify || image.protected}
        title={!canModify ? notOwner : image.protected ? 'Protected: edit the image and clear "Protected" to delete it' : `Delete ${label(image)}`}
        aria-label={`Delete ${label(image)}`}
        data-testid="delete-image"
      >
        {text('Delete')}
      </Button>
    </span>
  )
}

/** The dialog of the action in progress, if any. */
export function ImageActionDialogs({
  action,
  isAdmin,
  onClose,
  onDeleted,
  launchInstance,
}: {
  action: ImageAction | null
  isAdmin: boolean
  onClose: () => void
  onDeleted?: (image: Image) => void
  launchInstance?: LaunchInstance
}) {
  const toast = useToast()
  const remove = useDeleteImage()
  const deactivate = useDeactivateImage()
  const reactivate = useReactivateImage()
  if (!action) return null
  const { image } = action
  switch (action.kind) {
    case 'launch':
      return launchInstance ? launchInstance(image, onClose) : <LaunchInstanceNotice image={image} onClose={onClose} />
    case 'edit':
      return <EditImageDialog image={image} isAdmin={isAdmin} onClose={onClose} onSaved={(saved) => toast(`Image ${label(saved)} saved.`)} />
    case 'delete':
      return (
        <ConfirmDialog
          title={`Delete image ${label(image)}?`}
          confirmLabel="Delete image"
          describe={(e) => describeImageError(e, 'delete this image')}
          onClose={onClose}
          onConfirm={async () => {
            await remove.mutateAsync(image.id)
            toast(`Image ${label(image)} deleted.`)
            onDeleted?.(image)
          }}
        >
          <p>
            The image <strong>{label(image)}</strong>
            {image.size != null ? ` and its ${formatBytes(image.size)} of data` : ''} will be deleted. Instances already running from it keep running, but no new one
            can boot from it. This cannot be undone.
          </p>
        </ConfirmDialog>
      )
    case 'deactivate':
      return (
        <ConfirmDialog
          title={`Deactivate image ${label(image)}?`}
          confirmLabel="Deactivate"
          tone="primary"
          describe={(e) => describeImageError(e, 'deactivate images')}
          onClose={onClose}
          onConfirm={async () => {
            await deactivate.mutateAsync(image.id)
            toast(`Image ${label(image)} deactivated.`)
          }}
        >
          <p>
            Until it is reactivated, nobody but an admin can download <strong>{label(image)}</strong> and no new instance can boot from it. Its data is kept.
          </p>
        </ConfirmDialog>
      )
    case 'reactivate':
      return (
        <ConfirmDialog
          title={`Reactivate image ${label(image)}?`}
          confirmLabel="Reactivate"
          tone="primary"
          describe={(e) => describeImageError(e, 'reactivate images')}
          onClose={onClose}
          onConfirm={async () => {
            await reactivate.mutateAsync(image.id)
            toast(`Image ${label(image)} reactivated.`)
          }}
        >
          <p>
            <strong>{label(image)}</strong> becomes active again: projects that can see it can boot and download it.
          </p>
        </ConfirmDialog>
      )
  }
}
