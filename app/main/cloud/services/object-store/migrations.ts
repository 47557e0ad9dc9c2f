import type { Migration } from '../../platform/db/migrations'

/**
 * Accounts, containers and objects. Names live only here; an object's bytes are a file named by a random id
 * (`file`), so no name can reach the filesystem. Container usage is kept in the container row, in the same
 * transaction as every object write, and recomputed at start.
 */
export const OBJECT_STORE_MIGRATIONS: Migration[] = [
  {
    id: 'object-store-0001-initial',
    sql: `
CREATE TABLE swift_accounts (
  project_id TEXT PRIMARY KEY,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at REAL NOT NULL
);
CREATE TABLE swift_containers (
  project_id TEXT NOT NULL,
  name TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  object_count INTEGER NOT NULL DEFAULT 0,
  bytes_used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, name)
);
CREATE TABLE swift_objects (
  project_id TEXT NOT NULL,
  container TEXT NOT NULL,
  name TEXT NOT NULL,
  file TEXT,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  slo_manifest TEXT,
  delete_at INTEGER,
  created_at REAL NOT NULL,
  PRIMARY KEY (project_id, container, name),
  FOREIGN KEY (project_id, container) REFERENCES swift_containers (project_id, name)
);
CREATE UNIQUE INDEX swift_objects_file ON swift_objects (file) WHERE file IS NOT NULL;
CREATE INDEX swift_objects_delete_at ON swift_objects (delete_at) WHERE delete_at IS NOT NULL
`,
  },
]
