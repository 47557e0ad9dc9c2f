import type { Migration } from '../../platform/db/migrations'

export const IMAGE_MIGRATIONS: Migration[] = [
  {
    id: 'image-0001-initial',
    sql: `
CREATE TABLE image_images (
  id TEXT PRIMARY KEY,
  name TEXT,
  status TEXT NOT NULL,
  visibility TEXT NOT NULL,
  owner TEXT NOT NULL,
  protected INTEGER NOT NULL DEFAULT 0,
  os_hidden INTEGER NOT NULL DEFAULT 0,
  disk_format TEXT,
  container_format TEXT,
  size INTEGER,
  virtual_size INTEGER,
  checksum TEXT,
  os_hash_algo TEXT,
  os_hash_value TEXT,
  min_disk INTEGER NOT NULL DEFAULT 0,
  min_ram INTEGER NOT NULL DEFAULT 0,
  location TEXT,
  staging TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  properties TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX image_images_owner ON image_images (owner);
CREATE TABLE image_members (
  image_id TEXT NOT NULL REFERENCES image_images(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (image_id, member_id)
);
CREATE TABLE image_holds (
  image_id TEXT NOT NULL REFERENCES image_images(id),
  holder TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (image_id, holder)
);
`,
  },
]
