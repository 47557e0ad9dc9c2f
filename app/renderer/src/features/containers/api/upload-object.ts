import type { OpenStackClient } from '../../../lib/openstack/client'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { deleteObject, objectPath } from '../../../lib/openstack/object-store'
import { uploadCli } from '../utils/object-browser'
import { planProgress, planUpload, sloManifest } from '../utils/slo-plan'

/**
 * Uploads a file as `container`/`object`: one PUT, or above 64 MiB segments into `<container>_segments` and
 * then the SLO manifest (`PUT …?multipart-manifest=put`). Progress counts bytes of the whole file. On failure
 * or cancel, the segments already sent are deleted again (best effort) and the error is rethrown.
 */
export async function uploadObject(
  client: OpenStackClient,
  container: string,
  object: string,
  file: File,
  opts: { onProgress?: (loaded: number, total: number, phase: string) => void; signal?: AbortSignal } = {},
): Promise<void> {
  const plan = planUpload(container, object, file.size, { timestamp: file.lastModified / 1000 })
  const cli = uploadCli(container, object, file.name, plan.kind === 'slo', shellQuote)
  const contentType = file.type || 'application/octet-stream'
  if (plan.kind === 'single') {
    await client.upload('object-store', objectPath(container, object), file, {
      method: 'PUT',
      contentType,
      signal: opts.signal,
      cli,
      describeBody: file.name,
      onProgress: (loaded) => opts.onProgress?.(loaded, file.size, 'Uploading'),
    })
    return
  }
  const segContainer = plan.segmentContainer!
  // The segments container (202 when it exists already).
  await client.request('object-store', 'PUT', objectPath(segContainer), { cli: `openstack container create ${shellQuote(segContainer)}` })
  const etags: (string | null)[] = []
  const sent: string[] = []
  try {
    for (const seg of plan.segments) {
      const res = await client.upload('object-store', objectPath(segContainer, seg.object), file.slice(seg.start, seg.end), {
        method: 'PUT',
        signal: opts.signal,
        cli,
        describeBody: `${file.name}, segment ${seg.index + 1} of ${plan.segments.length}`,
        onProgress: (loaded) => opts.onProgress?.(planProgress(plan, seg.index, loaded), file.size, `Segment ${seg.index + 1} of ${plan.segments.length}`),
      })
      sent.push(seg.object)
      etags[seg.index] = res.headers.get('Etag')
    }
    opts.onProgress?.(file.size, file.size, 'Writing the manifest')
    await client.request('object-store', 'PUT', objectPath(container, object), {
      query: { 'multipart-manifest': 'put' },
      body: sloManifest(plan, etags),
      // The manifest's Content-Type becomes the object's (SLO reads the body as JSON whatever it says).
      contentType,
      cli,
      signal: opts.signal,
    })
  } catch (err) {
    for (const name of sent) await deleteObject(client, segContainer, name).catch(() => undefined)
    throw err
  }
}
