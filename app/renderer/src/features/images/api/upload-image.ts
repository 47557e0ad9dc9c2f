import { useCallback, useEffect, useRef, useState } from 'react'
import { notifier, uploadNotice } from '../../../lib/notifications'
import { imageCreateCommand } from '../../../lib/openstack/cli-equivalent'
import { useClient } from '../../../lib/openstack/client-provider'
import { OpenStackError } from '../../../lib/openstack/errors'
import { createImage, deleteImage, getImage, imageKeys, uploadImageData, type Image } from '../../../lib/openstack/image'
import { useQueryClient } from '../../../lib/query'
import { createImageBody, type NewImageForm } from '../utils/image-form'
import { averageRate, keepRecent, secondsLeft, transferRate, type Sample } from '../utils/transfer'

export type UploadPhase = 'idle' | 'creating' | 'uploading' | 'checking' | 'done' | 'failed' | 'cancelled'

export interface UploadState {
  phase: UploadPhase
  /** The image once created (queued), then as Glance shows it after the upload. */
  image?: Image
  fileName?: string
  loaded: number
  total: number
  /** Bytes per second: moving while uploading, the average once done. */
  rate: number
  secondsLeft?: number
  error?: unknown
  /** After a failure or cancel: whether the queued image was deleted again, or is still there. */
  leftover?: 'removed' | 'kept'
}

const IDLE: UploadState = { phase: 'idle', loaded: 0, total: 0, rate: 0 }

/** Progress re-renders at most this often (the browser reports every few kilobytes). */
const RENDER_EVERY_MS = 100

/**
 * Uploads a file as a new image, as `openstack image create --file` does: POST /v2/images (queued), then
 * PUT /v2/images/{id}/file with the bytes (saving → active), with progress, speed and cancel. A failed or
 * cancelled upload deletes the queued image again, so no empty image is left behind. Leaving the page cancels.
 * When it ends (done or failed, not cancelled) while the page is in the background, a desktop notification says so.
 */
export function useUploadImage() {
  const client = useClient()
  const qc = useQueryClient()
  const [state, setState] = useState<UploadState>(IDLE)
  const controller = useRef<AbortController | null>(null)

  useEffect(() => () => controller.current?.abort(), [])

  const start = useCallback(
    async (form: NewImageForm, file: File): Promise<Image | undefined> => {
      // Called from the dialog's submit: still inside the gesture a browser requires for the permission prompt.
      notifier.askPermission()
      const abort = new AbortController()
      controller.current = abort
      const body = createImageBody(form)
      setState({ phase: 'creating', fileName: file.name, loaded: 0, total: file.size, rate: 0 })
      let image: Image
      try {
        image = await createImage(client, body)
      } catch (error) {
        setState((s) => ({ ...s, phase: 'failed', error }))
        notifier.notifyIfAway(uploadNotice({ ok: false, fileName: file.name }))
        return undefined
      }
      if (abort.signal.aborted) return cleanUp(image, new OpenStackError(0, 'The upload was cancelled.', { method: 'PUT', path: '', kind: 'aborted' }))

      let samples: Sample[] = []
      let lastRender = 0
      const startedAt = performance.now()
      setState((s) => ({ ...s, phase: 'uploading', image }))
      try {
        await uploadImageData(client, image.id, file, {
          signal: abort.signal,
          fileName: file.name,
          // The CLI does both calls in one command.
          cli: imageCreateCommand(body, file.name),
          onProgress: (loaded, total) => {
            const now = performance.now()
            samples = keepRecent([...samples, { t: now, loaded }], now)
            if (now - lastRender < RENDER_EVERY_MS && loaded < total) return
            lastRender = now
            const rate = transferRate(samples, now)
            setState((s) => (s.phase === 'uploading' ? { ...s, loaded, total, rate, secondsLeft: secondsLeft(loaded, total, rate) } : s))
          },
        })
      } catch (error) {
        return cleanUp(image, error)
      }
      const endedAt = performance.now()
      setState((s) => ({ ...s, phase: 'checking', loaded: file.size, total: file.size, rate: averageRate(file.size, startedAt, endedAt), secondsLeft: 0 }))
      void qc.invalidate(imageKeys.all)
      // Glance answered 204: show the image as it is now (active, with its size and checksums).
      const final = await getImage(client, image.id).catch(() => image)
      setState((s) => ({ ...s, phase: 'done', image: final }))
      notifier.notifyIfAway(uploadNotice({ ok: true, imageName: final.name ?? final.id, status: final.status }))
      return final

      async function cleanUp(created: Image, error: unknown): Promise<undefined> {
        const cancelled = error instanceof OpenStackError && error.details.kind === 'aborted'
        setState((s) => ({ ...s, phase: cancelled ? 'cancelled' : 'failed', error }))
        if (!cancelled) notifier.notifyIfAway(uploadNotice({ ok: false, fileName: file.name }))
        const removed = await deleteImage(client, created.id).then(
          () => true,
          () => false,
        )
        setState((s) => ({ ...s, leftover: removed ? 'removed' : 'kept' }))
        void qc.invalidate(imageKeys.list)
        return undefined
      }
    },
    [client, qc],
  )

  const cancel = useCallback(() => controller.current?.abort(), [])
  const reset = useCallback(() => setState(IDLE), [])
  return { state, start, cancel, reset }
}
