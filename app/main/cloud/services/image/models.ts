export type ImageStatus = 'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'deactivated' | 'killed' | 'deleted' | 'pending_delete'
export type Visibility = 'public' | 'private' | 'shared' | 'community'
export type MemberStatus = 'pending' | 'accepted' | 'rejected'

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const

export interface Image {
  id: string
  name: string | null
  status: ImageStatus
  visibility: Visibility
  owner: string
  protected: boolean
  os_hidden: boolean
  disk_format: string | null
  container_format: string | null
  size: number | null
  virtual_size: number | null
  checksum: string | null
  os_hash_algo: string | null
  os_hash_value: string | null
  min_disk: number
  min_ram: number
  /** Path of the data file relative to the data dir, when the image has data. */
  location: string | null
  /** Path of the staged data (glance-direct) relative to the data dir. */
  staging: string | null
  tags: string[]
  properties: Record<string, string>
  created_at: string
  updated_at: string
}

export interface ImageMember {
  image_id: string
  member_id: string
  status: MemberStatus
  created_at: string
  updated_at: string
}
