import type { Migration } from '../../platform/db/migrations'

export const IDENTITY_MIGRATIONS: Migration[] = [
  {
    id: 'identity-0001-initial',
    sql: `
CREATE TABLE identity_domains (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  tags TEXT NOT NULL DEFAULT '[]',
  extra TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);
CREATE TABLE identity_projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain_id TEXT NOT NULL REFERENCES identity_domains(id),
  parent_id TEXT,
  description TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  tags TEXT NOT NULL DEFAULT '[]',
  extra TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE identity_users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain_id TEXT NOT NULL REFERENCES identity_domains(id),
  default_project_id TEXT,
  description TEXT,
  email TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  password_hash TEXT,
  password_changed_at TEXT,
  extra TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE identity_groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain_id TEXT NOT NULL REFERENCES identity_domains(id),
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE identity_group_members (
  group_id TEXT NOT NULL REFERENCES identity_groups(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES identity_users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE TABLE identity_roles (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE identity_implied_roles (
  prior_role_id TEXT NOT NULL REFERENCES identity_roles(id) ON DELETE CASCADE,
  implied_role_id TEXT NOT NULL REFERENCES identity_roles(id) ON DELETE CASCADE,
  PRIMARY KEY (prior_role_id, implied_role_id)
);
CREATE TABLE identity_assignments (
  type TEXT NOT NULL CHECK (type IN ('UserProject', 'UserDomain', 'GroupProject', 'GroupDomain')),
  actor_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  role_id TEXT NOT NULL REFERENCES identity_roles(id) ON DELETE CASCADE,
  PRIMARY KEY (type, actor_id, target_id, role_id)
);
CREATE INDEX identity_assignments_target ON identity_assignments (target_id);
CREATE TABLE identity_tokens (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  project_id TEXT,
  domain_id TEXT,
  methods TEXT NOT NULL,
  audit_id TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  app_cred_id TEXT,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX identity_tokens_user ON identity_tokens (user_id);
CREATE INDEX identity_tokens_expires ON identity_tokens (expires_at);
CREATE TABLE identity_app_creds (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES identity_users(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  description TEXT,
  secret_hash TEXT NOT NULL,
  expires_at TEXT,
  unrestricted INTEGER NOT NULL DEFAULT 0,
  roles TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (user_id, name)
);
`,
  },
]
