import type { Migration } from '../../platform/db/migrations'

export const COMPUTE_MIGRATIONS: Migration[] = [
  {
    id: 'compute-0001-initial',
    sql: `
CREATE TABLE compute_flavors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  vcpus INTEGER NOT NULL,
  ram INTEGER NOT NULL,
  disk INTEGER NOT NULL,
  ephemeral INTEGER NOT NULL DEFAULT 0,
  swap INTEGER NOT NULL DEFAULT 0,
  rxtx_factor REAL NOT NULL DEFAULT 1.0,
  is_public INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE compute_flavor_extra_specs (
  flavor_id TEXT NOT NULL REFERENCES compute_flavors(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (flavor_id, key)
);
CREATE TABLE compute_flavor_access (
  flavor_id TEXT NOT NULL REFERENCES compute_flavors(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  PRIMARY KEY (flavor_id, project_id)
);
CREATE TABLE compute_keypairs (
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);
CREATE TABLE compute_instances (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  image_id TEXT,
  flavor_id TEXT NOT NULL,
  flavor TEXT NOT NULL,
  vm_state TEXT NOT NULL,
  task_state TEXT,
  power_state INTEGER NOT NULL DEFAULT 0,
  key_name TEXT,
  key_data TEXT,
  user_data TEXT,
  config_drive INTEGER NOT NULL DEFAULT 1,
  availability_zone TEXT NOT NULL DEFAULT 'nova',
  host TEXT,
  networks TEXT NOT NULL DEFAULT '"auto"',
  addresses TEXT NOT NULL DEFAULT '{}',
  metadata TEXT NOT NULL DEFAULT '{}',
  fault TEXT,
  reservation_id TEXT NOT NULL,
  launch_index INTEGER NOT NULL DEFAULT 0,
  access_ipv4 TEXT NOT NULL DEFAULT '',
  access_ipv6 TEXT NOT NULL DEFAULT '',
  launched_at TEXT,
  terminated_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX compute_instances_project ON compute_instances (project_id);
CREATE TABLE compute_instance_actions (
  instance_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  action TEXT NOT NULL,
  project_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  start_time TEXT NOT NULL,
  message TEXT,
  PRIMARY KEY (instance_id, request_id)
);
CREATE TABLE compute_instance_action_events (
  instance_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  event TEXT NOT NULL,
  start_time TEXT NOT NULL,
  finish_time TEXT,
  result TEXT,
  traceback TEXT
);
CREATE INDEX compute_action_events_req ON compute_instance_action_events (instance_id, request_id);
CREATE TABLE compute_quotas (
  project_id TEXT NOT NULL,
  resource TEXT NOT NULL,
  hard_limit INTEGER NOT NULL,
  PRIMARY KEY (project_id, resource)
);
`,
  },
  {
    // DevStack's flavors, once: an admin who deletes them does not get them back on the next start.
    id: 'compute-0002-default-flavors',
    sql: `
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('42', 'm1.nano', 1, 128, 1, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('84', 'm1.micro', 1, 192, 1, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('1', 'm1.tiny', 1, 512, 1, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('2', 'm1.small', 1, 2048, 20, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('3', 'm1.medium', 2, 4096, 40, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('4', 'm1.large', 4, 8192, 80, '2026-01-01T00:00:00Z');
INSERT INTO compute_flavors (id, name, vcpus, ram, disk, created_at) VALUES ('5', 'm1.xlarge', 8, 16384, 160, '2026-01-01T00:00:00Z');
`,
  },
  {
    // Neutron ports: which port each NIC is on, and whether compute made it (deleted with the instance) or the
    // user passed it in (unbound, kept). port_id is unique: a port serves one NIC (the metadata service relies on it).
    id: 'compute-0003-instance-ports',
    sql: `
CREATE TABLE compute_instance_ports (
  port_id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  network_id TEXT NOT NULL,
  mac_address TEXT NOT NULL,
  preserve_on_delete INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX compute_instance_ports_instance ON compute_instance_ports (instance_id, position);
ALTER TABLE compute_instances ADD COLUMN security_group_ids TEXT;
`,
  },
  {
    // Block storage: the volumes plugged into each instance (Nova's block_device_mappings), with how far an attach
    // or detach got (the reconcile after a crash reads it), and boot from volume on the instance.
    id: 'compute-0004-volume-attachments',
    sql: `
CREATE TABLE compute_volume_attachments (
  volume_id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  attachment_id TEXT NOT NULL,
  device TEXT NOT NULL,
  state TEXT NOT NULL,
  boot_index INTEGER,
  delete_on_termination INTEGER NOT NULL DEFAULT 0,
  file TEXT NOT NULL,
  format TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (instance_id, device)
);
CREATE INDEX compute_volume_attachments_instance ON compute_volume_attachments (instance_id);
ALTER TABLE compute_instances ADD COLUMN boot_volume TEXT;
`,
  },
]
