/**
 * How a file is uploaded to Swift: in one PUT, or (above SLO_THRESHOLD) as segments in `<container>_segments`
 * followed by a Static Large Object manifest (`PUT …?multipart-manifest=put`), as `swift upload --use-slo`
 * does. Pure: no I/O.
 */

export const MiB = 1024 * 1024
/** Files larger than this go as segments (Swift refuses single objects above its max_file_size, 5 GiB). */
export const SLO_THRESHOLD = 64 * MiB
export const DEFAULT_SEGMENT_SIZE = 64 * MiB
/** Swift's default max_manifest_segments. */
export const MAX_SEGMENTS = 1000
/** Swift's default min_segment_size (only the last segment may be smaller). */
export const MIN_SEGMENT_SIZE = 1 * MiB

export interface Segment {
  index: number
  /** Byte range [start, end) of the file. */
  start: number
  end: number
  /** The segment's object name in the segments container. */
  object: string
}

export interface UploadPlan {
  kind: 'single' | 'slo'
  container: string
  object: string
  size: number
  segmentContainer?: string
  segmentSize?: number
  segments: Segment[]
}

/**
 * Plans the upload of `size` bytes to `container`/`object`. Segment names follow python-swiftclient
 * (`{object}/slo/{timestamp}/{size}/{segmentSize}/{index:08d}`), so `swift` recognises them; `timestamp` is the
 * file's mtime in seconds (a re-upload of a changed file never overwrites the segments of the live manifest).
 */
export function planUpload(
  container: string,
  object: string,
  size: number,
  opts: { threshold?: number; segmentSize?: number; timestamp?: number } = {},
): UploadPlan {
  const threshold = opts.threshold ?? SLO_THRESHOLD
  if (size <= threshold) return { kind: 'single', container, object, size, segments: [] }
  // Never more than MAX_SEGMENTS: a bigger file gets bigger segments.
  const segmentSize = Math.max(opts.segmentSize ?? DEFAULT_SEGMENT_SIZE, MIN_SEGMENT_SIZE, Math.ceil(size / MAX_SEGMENTS))
  const ts = (opts.timestamp ?? 0).toFixed(6)
  const segments: Segment[] = []
  for (let start = 0, index = 0; start < size; start += segmentSize, index++) {
    segments.push({ index, start, end: Math.min(size, start + segmentSize), object: `${object}/slo/${ts}/${size}/${segmentSize}/${String(index).padStart(8, '0')}` })
  }
  return { kind: 'slo', container, object, size, segmentContainer: `${container}_segments`, segmentSize, segments }
}

export interface ManifestEntry {
  path: string
  etag: string | null
  size_bytes: number
}

/** The SLO manifest body: one entry per segment, `path` as `/{container}/{object}` (not URL-encoded). */
export function sloManifest(plan: UploadPlan, etags: readonly (string | null | undefined)[]): ManifestEntry[] {
  return plan.segments.map((s) => ({
    path: `/${plan.segmentContainer}/${s.object}`,
    etag: normalizeEtag(etags[s.index]),
    size_bytes: s.end - s.start,
  }))
}

/** Swift quotes ETags in some answers; the manifest wants the bare MD5 (or null: not checked). */
export function normalizeEtag(etag: string | null | undefined): string | null {
  if (!etag) return null
  const bare = etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '')
  return /^[0-9a-f]{32}$/i.test(bare) ? bare.toLowerCase() : null
}

/** Overall progress of a plan: bytes of finished segments plus the current one's. */
export function planProgress(plan: UploadPlan, done: number, currentLoaded: number): number {
  const finished = plan.segments.slice(0, done).reduce((n, s) => n + (s.end - s.start), 0)
  return Math.min(plan.size, finished + currentLoaded)
}
