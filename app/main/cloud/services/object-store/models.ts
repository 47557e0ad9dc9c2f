/** The object store's records, as the repository returns them. Metadata keys are lower-case header names. */
export type Metadata = Record<string, string>

export interface AccountRecord {
  projectId: string
  metadata: Metadata
  createdAt: number
}

export interface ContainerRecord {
  projectId: string
  name: string
  metadata: Metadata
  createdAt: number
  updatedAt: number
  objectCount: number
  bytesUsed: number
}

/** One segment of a static large object, as stored (Swift's manifest entry). */
export interface SloSegment {
  /** /container/object */
  name: string
  hash: string
  bytes: number
  content_type: string
  last_modified: string
}

export interface ObjectRecord {
  projectId: string
  container: string
  name: string
  /** The data file's id (null for a static large object manifest, whose bytes are its segments'). */
  file: string | null
  /** Bytes of the object's content (for an SLO: the sum of its segments). */
  size: number
  /** md5 hex of the data; for an SLO the md5 of its segments' etags. */
  etag: string
  contentType: string
  /** x-object-meta-*, content-disposition, content-encoding, x-object-manifest. */
  metadata: Metadata
  slo: SloSegment[] | null
  /** Unix seconds, or null. */
  deleteAt: number | null
  /** Unix seconds with fraction. */
  createdAt: number
}

export interface ListingParams {
  limit: number
  marker?: string
  endMarker?: string
  prefix?: string
  delimiter?: string
  reverse?: boolean
}
