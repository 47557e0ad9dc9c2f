import type { Image, ImageMember } from '../models'
import { storeOfLocation } from '../object-store-backend'

/** Glance prints whole seconds: 2016-06-29T16:13:07Z */
export const glanceTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z')

/** Model → Glance v2 JSON: core fields, then custom properties flattened at the top level. */
export function imageView(i: Image) {
  const view: Record<string, unknown> = {
    ...i.properties,
    id: i.id,
    name: i.name,
    status: i.status,
    visibility: i.visibility,
    owner: i.owner,
    protected: i.protected,
    os_hidden: i.os_hidden,
    tags: i.tags,
    disk_format: i.disk_format,
    container_format: i.container_format,
    size: i.size,
    virtual_size: i.virtual_size,
    checksum: i.checksum,
    os_hash_algo: i.os_hash_algo,
    os_hash_value: i.os_hash_value,
    min_disk: i.min_disk,
    min_ram: i.min_ram,
    created_at: glanceTime(i.created_at),
    updated_at: glanceTime(i.updated_at),
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  }
  if (i.location) view.stores = storeOfLocation(i.location)
  return view
}

export function memberView(m: ImageMember) {
  return {
    image_id: m.image_id,
    member_id: m.member_id,
    status: m.status,
    created_at: glanceTime(m.created_at),
    updated_at: glanceTime(m.updated_at),
    schema: '/v2/schemas/member',
  }
}
