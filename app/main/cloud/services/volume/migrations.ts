import type { Migration } from '../../platform/db/migrations'

export const VOLUME_MIGRATIONS: Migration[] = [
  {
    id: 'volume-0001-initial',
    sql: `
CREATE TABLE volume_types (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  is_public INTEGER NOT NULL DEFAULT 1,
  extra_specs TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE TABLE volume_volumes (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT,
  description TEXT,
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  bootable INTEGER NOT NULL DEFAULT 0,
  volume_type_id TEXT NOT NULL REFERENCES volume_types(id),
  format TEXT NOT NULL,
  availability_zone TEXT NOT NULL DEFAULT 'nova',
  source_volid TEXT,
  snapshot_id TEXT,
  image_id TEXT,
  metadata TEXT NOT NULL DEFAULT '{}',
  image_metadata TEXT NOT NULL DEFAULT '{}',
  fault TEXT,
  target_size INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX volume_volumes_project ON volume_volumes(project_id);
CREATE TABLE volume_attachments (
  id TEXT PRIMARY KEY,
  volume_id TEXT NOT NULL REFERENCES volume_volumes(id) ON DELETE CASCADE,
  server_id TEXT NOT NULL,
  attach_status TEXT NOT NULL,
  device TEXT,
  mode TEXT NOT NULL DEFAULT 'rw',
  connector TEXT,
  created_at TEXT NOT NULL,
  attached_at TEXT
);
CREATE INDEX volume_attachments_volume ON volume_attachments(volume_id);
CREATE INDEX volume_attachments_server ON volume_attachments(server_id);
CREATE TABLE volume_snapshots (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  volume_id TEXT NOT NULL REFERENCES volume_volumes(id),
  name TEXT,
  description TEXT,
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  format TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  fault TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX volume_snapshots_volume ON volume_snapshots(volume_id);
CREATE TABLE volume_quotas (
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, resource)
)`,
  },
  {
    id: 'volume-0002-backups',
    sql: `
CREATE TABLE volume_backups (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  volume_id TEXT NOT NULL,
  name TEXT,
  description TEXT,
  status TEXT NOT NULL,
  size INTEGER NOT NULL,
  container TEXT NOT NULL,
  object_name TEXT NOT NULL,
  format TEXT NOT NULL,
  fault TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT
);
CREATE INDEX volume_backups_project ON volume_backups(project_id)`,
  },
]
