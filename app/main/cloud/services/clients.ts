/**
 * The internal clients through which one service asks another for something. A service never imports another
 * service's folder; start-cloud wires each client to its service once all have been created.
 */
export interface IdentityClient {
  /** The id of a project by name (domain Default unless given), or undefined. */
  projectIdByName(name: string, domainId?: string): Promise<string | undefined>
  projectExists(id: string): Promise<boolean>
}

/** An image as other services see it: what they need to boot from it. */
export interface ImageInfo {
  id: string
  name: string | null
  status: string
  owner: string
  disk_format: string | null
  min_disk: number
  min_ram: number
  size: number | null
  virtual_size: number | null
  properties: Record<string, string>
  /** Absolute path of the image data (only when active). */
  file: string | null
}

export interface ImageClient {
  /** The image if `ctx` may see it, else undefined. */
  get(ctx: import('../platform/auth-context').AuthContext, id: string): Promise<ImageInfo | undefined>
  /** Keeps an image's file alive while an instance or volume is built on it, even if the image is deleted. */
  hold(imageId: string, holder: string): Promise<void>
  release(imageId: string, holder: string): Promise<void>
  /** Creates an image for ctx's project from a file (a snapshot); the file is moved into the store. */
  createFromFile(
    ctx: import('../platform/auth-context').AuthContext,
    fields: { name: string; disk_format: 'qcow2' | 'raw'; min_disk?: number; min_ram?: number; properties?: Record<string, string> },
    file: string,
  ): Promise<ImageInfo>
  /** Creates a queued image record (for createImage, which answers before the data exists). */
  createQueued(
    ctx: import('../platform/auth-context').AuthContext,
    fields: { name: string; disk_format: 'qcow2' | 'raw'; min_disk?: number; min_ram?: number; properties?: Record<string, string> },
  ): Promise<ImageInfo>
  /** Uploads a file into a queued image (its data); the image becomes active, or killed on failure. */
  uploadFile(imageId: string, file: string): Promise<ImageInfo>
}

export interface ServiceClients {
  identity: IdentityClient
  image: ImageClient
}
