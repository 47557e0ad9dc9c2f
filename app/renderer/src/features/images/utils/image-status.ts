import type { Image } from '../../../lib/openstack/image'

/**
 * What an image's status means to a person, and when the list should keep refreshing. Pure: no DOM, no I/O.
 * Glance's states: queued (created, no data) → saving (data arriving) → active; importing (Glance downloads it
 * itself); killed (the upload failed); deactivated (an admin blocked it); pending_delete and deleted.
 */

export type StatusTone = 'success' | 'danger' | 'warning' | 'info' | 'neutral' | 'accent'

interface StatusInfo {
  label: string
  tone: StatusTone
  hint: string
  busy: boolean
}

const STATUS: Record<string, StatusInfo> = {
  queued: { label: 'Queued', tone: 'neutral', hint: 'Created, waiting for its data: upload a file or import it from a URL.', busy: false },
  saving: { label: 'Saving', tone: 'info', hint: 'Glance is storing the uploaded data.', busy: true },
  uploading: { label: 'Uploading', tone: 'info', hint: 'The data is being staged for an import.', busy: true },
  importing: { label: 'Importing', tone: 'info', hint: 'Glance is downloading and checking the data.', busy: true },
  active: { label: 'Active', tone: 'success', hint: 'Ready: instances can boot from it.', busy: false },
  killed: { label: 'Killed', tone: 'danger', hint: 'Storing the data failed: delete this image and upload it again.', busy: false },
  deactivated: { label: 'Deactivated', tone: 'warning', hint: 'An administrator deactivated it: it cannot be booted or downloaded until reactivated.', busy: false },
  pending_delete: { label: 'Pending delete', tone: 'neutral', hint: 'Deleted; Glance removes its data soon.', busy: true },
  deleted: { label: 'Deleted', tone: 'neutral', hint: 'Deleted.', busy: false },
}

export function statusInfo(status: string): StatusInfo {
  return STATUS[status] ?? { label: status || 'unknown', tone: 'neutral', hint: `Glance reports the status "${status}".`, busy: false }
}

/**
 * Why a web-download import failed, when it did: Glance puts the image back to queued and records the failed
 * method in `os_glance_failed_import` (Stackling adds the reason in `os_glance_import_error`).
 */
export function importFailure(image: Pick<Image, 'status'> & { os_glance_failed_import?: unknown; os_glance_import_error?: unknown }): string | undefined {
  const failed = image.os_glance_failed_import
  if (image.status !== 'queued' || typeof failed !== 'string' || failed === '') return undefined
  const why = typeof image.os_glance_import_error === 'string' && image.os_glance_import_error ? image.os_glance_import_error.replace(/\.$/, '') : ''
  return `The import failed${why ? `: ${why}` : ''}. Delete this image and try again with a URL the cloud can reach.`
}

/** The status shown for an image: Glance's, or "Import failed" for a queued image whose import failed. */
export function imageStatusInfo(image: Parameters<typeof importFailure>[0]): StatusInfo {
  const failure = importFailure(image)
  return failure ? { label: 'Import failed', tone: 'danger', hint: failure, busy: false } : statusInfo(image.status)
}

/**
 * A queued image that was touched recently may be getting its data from another client (or this one, in
 * another tab); an old one is just empty. Refreshing for those only keeps the API calls panel readable.
 */
export const QUEUED_WATCH_MS = 5 * 60_000

/** True while the image is changing on its own and the list should refresh to show it. */
export function isChanging(image: Pick<Image, 'status' | 'updated_at' | 'created_at'> & { os_glance_failed_import?: unknown }, now: number = Date.now()): boolean {
  if (statusInfo(image.status).busy) return true
  if (image.status !== 'queued' || importFailure(image)) return false
  const t = Date.parse(image.updated_at || image.created_at)
  return Number.isFinite(t) && now - t < QUEUED_WATCH_MS
}

/** How often the images list refreshes while something is changing (milliseconds). */
export const POLL_MS = 2000

export const shouldPoll = (images: readonly Parameters<typeof isChanging>[0][] | undefined, now: number = Date.now()): boolean =>
  (images ?? []).some((i) => isChanging(i, now))

/** Glance's default policy: the owner's project (or an admin) may change or delete an image. */
export const canModify = (image: Pick<Image, 'owner'>, session: { projectId?: string; isAdmin: boolean }): boolean =>
  session.isAdmin || (Boolean(image.owner) && image.owner === session.projectId)
