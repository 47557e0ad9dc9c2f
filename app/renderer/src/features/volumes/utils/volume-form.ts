import { shellQuote as q } from '../../../lib/openstack/cli-equivalent'
import { OpenStackError, describeError } from '../../../lib/openstack/errors'
import type { CreateSnapshotBody, CreateVolumeBody, Volume } from '../../../lib/openstack/volume'

/** The create-volume form: blank, from an image or from a snapshot. Pure: validation, body, CLI line. */

export type VolumeSource = 'blank' | 'image' | 'snapshot'

export interface VolumeForm {
  name: string
  description: string
  source: VolumeSource
  size: string
  imageId: string
  snapshotId: string
  /** '' = the cloud's default type. */
  type: string
}

export const emptyVolumeForm = (): VolumeForm => ({ name: '', description: '', source: 'blank', size: '1', imageId: '', snapshotId: '', type: '' })

export const MAX_VOLUME_GB = 1000
const GiB = 1024 ** 3

export interface SourceFacts {
  /** The image's size in bytes (and min_disk in GB), when an image is chosen. */
  image?: { name: string; size?: number | null; min_disk?: number; virtual_size?: number | null }
  snapshot?: { name: string | null; size: number }
}

/** The smallest size Cinder accepts for the source, in GB. */
export function minimumSize(form: VolumeForm, facts: SourceFacts): number {
  if (form.source === 'image' && facts.image) {
    const bytes = Math.max(facts.image.virtual_size ?? 0, facts.image.size ?? 0)
    return Math.max(1, facts.image.min_disk ?? 0, Math.ceil(bytes / GiB))
  }
  if (form.source === 'snapshot' && facts.snapshot) return facts.snapshot.size
  return 1
}

export function validateVolumeForm(form: VolumeForm, facts: SourceFacts): Partial<Record<keyof VolumeForm, string>> {
  const errors: Partial<Record<keyof VolumeForm, string>> = {}
  if (!form.name.trim()) errors.name = 'Give the volume a name (the CLI and the instance page show it).'
  else if (form.name.length > 255) errors.name = 'At most 255 characters.'
  const size = Number(form.size)
  const min = minimumSize(form, facts)
  if (!/^\d+$/.test(form.size.trim()) || size < 1) errors.size = 'A whole number of GB, at least 1.'
  else if (size > MAX_VOLUME_GB) errors.size = `At most ${MAX_VOLUME_GB} GB.`
  else if (size < min) errors.size = form.source === 'snapshot' ? `At least the snapshot's ${min} GB.` : `At least ${min} GB: the image needs that much room.`
  if (form.source === 'image' && !form.imageId) errors.imageId = 'Choose an image.'
  if (form.source === 'snapshot' && !form.snapshotId) errors.snapshotId = 'Choose a snapshot.'
  return errors
}

/** POST /volumes body; `metadata` and `volume_type` always present, as python-cinderclient sends them. */
export function buildCreateVolumeBody(form: VolumeForm): CreateVolumeBody {
  return {
    volume: {
      name: form.name.trim(),
      size: Number(form.size),
      ...(form.description.trim() ? { description: form.description.trim() } : {}),
      ...(form.source === 'image' && form.imageId ? { imageRef: form.imageId } : {}),
      ...(form.source === 'snapshot' && form.snapshotId ? { snapshot_id: form.snapshotId } : {}),
      volume_type: form.type || null,
      metadata: {},
    },
  }
}

/** `openstack volume create …` with names where the user chose by name. */
export function createVolumeCli(form: VolumeForm, names: { image?: string; snapshot?: string; snapshotSize?: number; type?: string }): string {
  const parts = ['openstack volume create']
  if (form.source === 'snapshot') parts.push(`--snapshot ${q(names.snapshot || form.snapshotId || '<snapshot>')}`)
  if (form.source === 'image') parts.push(`--image ${q(names.image || form.imageId || '<image>')}`)
  // From a snapshot, --size is only needed to grow it; the CLI takes the snapshot's size otherwise.
  if (form.source !== 'snapshot' || Number(form.size) !== names.snapshotSize) parts.push(`--size ${q(form.size.trim() || '1')}`)
  if (form.type) parts.push(`--type ${q(names.type || form.type)}`)
  if (form.description.trim()) parts.push(`--description ${q(form.description.trim())}`)
  parts.push(q(form.name.trim() || '<name>'))
  return parts.join(' ')
}

export function validateExtend(volume: Volume, newSize: string): string | undefined {
  const n = Number(newSize)
  if (!/^\d+$/.test(newSize.trim())) return 'A whole number of GB.'
  if (n <= volume.size) return `Larger than the current ${volume.size} GB: Cinder can grow a volume, never shrink it.`
  if (n > MAX_VOLUME_GB) return `At most ${MAX_VOLUME_GB} GB.`
  return undefined
}

export const extendCli = (volume: Volume, newSize: string) => `openstack volume set --size ${q(newSize.trim())} ${q(volume.name || volume.id)}`

export function buildSnapshotBody(volume: Volume, name: string, description = ''): CreateSnapshotBody {
  return {
    snapshot: {
      volume_id: volume.id,
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      // Cinder refuses an in-use volume's snapshot without force (the data may be mid-write: crash-consistent only).
      force: volume.status === 'in-use',
    },
  }
}

export const snapshotCli = (volume: Volume, name: string) =>
  `openstack volume snapshot create --volume ${q(volume.name || volume.id)}${volume.status === 'in-use' ? ' --force' : ''} ${q(name.trim() || '<name>')}`

export const attachCli = (server: string, volume: Volume) => `openstack server add volume ${q(server)} ${q(volume.name || volume.id)}`
export const detachCli = (server: string, volume: Volume) => `openstack server remove volume ${q(server)} ${q(volume.name || volume.id)}`
export const deleteCli = (volume: Volume) => `openstack volume delete ${q(volume.name || volume.id)}`

/** Cinder's and Nova's refusals in words that say what to do. */
export function describeVolumeError(err: unknown, action: string): string {
  if (err instanceof OpenStackError) {
    const m = err.message
    if (err.status === 413 || /quota|exceed/i.test(m)) return `${m.replace(/\.?$/, '.')} Delete volumes or snapshots you no longer need, or ask an admin for a larger quota.`
    if (err.status === 400 && /in-use|attached/i.test(m)) return `${m.replace(/\.?$/, '.')} Detach it from its instance first.`
    if (err.status === 400 && /snapshot/i.test(m)) return `${m.replace(/\.?$/, '.')} Delete its snapshots first (Snapshots tab).`
    if (err.status === 400 || err.status === 409) return `${m.replace(/\.?$/, '.')} Refresh the list: its state may have changed.`
  }
  return describeError(err, action)
}
