import type { BadgeTone } from '../../../components/ui/badge'
import type { Volume, VolumeSnapshot } from '../../../lib/openstack/volume'

/**
 * What a volume's status means and which actions it allows, after Cinder's own checks (volume/api.py): extend
 * needs `available` (3.42 would add in-use), attach `available`, detach `in-use`, snapshot `available` (or
 * in-use with force), delete neither attached nor with snapshots. Pure.
 */

const TRANSITIONAL = new Set(['creating', 'attaching', 'detaching', 'extending', 'deleting', 'reserved', 'downloading', 'uploading', 'retyping', 'backing-up', 'restoring-backup', 'maintenance', 'awaiting-transfer'])

export function isTransitional(status: string): boolean {
  return TRANSITIONAL.has(status)
}

/** Refresh while any volume or snapshot is on its way somewhere. */
export function needsPolling(volumes: readonly Volume[] | undefined, snapshots: readonly VolumeSnapshot[] | undefined): boolean {
  return Boolean(volumes?.some((v) => isTransitional(v.status)) || snapshots?.some((s) => isTransitional(s.status)))
}

export function statusTone(status: string): BadgeTone {
  if (status === 'available') return 'success'
  if (status === 'in-use') return 'info'
  if (status.startsWith('error')) return 'danger'
  if (isTransitional(status)) return 'warning'
  return 'neutral'
}

const LABELS: Record<string, string> = {
  creating: 'Creating',
  available: 'Available',
  reserved: 'Reserved',
  attaching: 'Attaching',
  detaching: 'Detaching',
  'in-use': 'In use',
  extending: 'Extending',
  deleting: 'Deleting',
  error: 'Error',
  error_deleting: 'Error deleting',
  error_extending: 'Error extending',
  downloading: 'Downloading image',
}

export function statusLabel(status: string): string {
  return LABELS[status] ?? status.replace(/[_-]/g, ' ').replace(/^./, (c) => c.toUpperCase())
}

export function statusHint(status: string): string | undefined {
  switch (status) {
    case 'creating':
    case 'downloading':
      return 'Cinder is making the disk (copying the image or snapshot when there is one).'
    case 'error':
      return 'Creating it failed. Delete it and try again (a smaller size, or another image).'
    case 'error_extending':
      return 'Growing it failed; its data is intact at the old size. Cinder needs an admin to reset its state.'
    case 'error_deleting':
      return 'Deleting it failed. An admin can reset its state and delete it again.'
    case 'in-use':
      return 'Attached to an instance: detach it before deleting or extending it.'
    default:
      return isTransitional(status) ? 'Cinder is working on it; the list follows it.' : undefined
  }
}

export type VolumeAction = 'extend' | 'attach' | 'detach' | 'snapshot' | 'delete'

/** Why `action` is not offered for `v` now (a tooltip), or undefined when it is. */
export function actionBlocker(action: VolumeAction, v: Volume, snapshots: readonly VolumeSnapshot[] = []): string | undefined {
  const busy = isTransitional(v.status) ? `Wait: the volume is ${statusLabel(v.status).toLowerCase()}.` : undefined
  switch (action) {
    case 'extend':
      if (v.status === 'in-use') return 'Detach it first: extending an attached volume needs Cinder 3.42.'
      return v.status === 'available' ? undefined : (busy ?? 'Only an available volume can be extended.')
    case 'attach':
      if (v.status === 'in-use' && !v.multiattach) return 'Already attached (the volume is not multiattach).'
      return v.status === 'available' ? undefined : (busy ?? 'Only an available volume can be attached.')
    case 'detach':
      if (v.attachments.some((a) => isRootDevice(a.device))) return "It is the instance's boot disk: Nova cannot detach it. Delete the instance instead (the volume stays unless it was made to be deleted with it)."
      return v.status === 'in-use' || v.attachments.length > 0 ? undefined : (busy ?? 'It is not attached.')
    case 'snapshot':
      return v.status === 'available' || v.status === 'in-use' ? undefined : (busy ?? 'Only an available or in-use volume can be snapshotted.')
    case 'delete': {
      if (v.status === 'in-use' || v.attachments.length > 0) return 'Detach it first: Cinder refuses to delete an attached volume.'
      const own = snapshots.filter((s) => s.volume_id === v.id).length
      if (own > 0) return `Delete its ${own} snapshot${own === 1 ? '' : 's'} first (Snapshots tab): Cinder refuses to delete a volume that has snapshots.`
      if (busy && v.status !== 'error_deleting') return busy
      return undefined
    }
  }
}

/** The first disk of a guest (vda, sda, xvda, hda): a boot-from-volume instance's root, which Nova never detaches. */
export function isRootDevice(device: string | null | undefined): boolean {
  return /^\/dev\/(x?v|s|h)da$/.test(device ?? '')
}
