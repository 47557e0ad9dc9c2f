import type { Database, SqlExecutor } from '../../platform/db/database'
import { parseJson } from '../../platform/db/json-column'
import type {
  AppCredential,
  Assignment,
  AssignmentType,
  Domain,
  Group,
  Project,
  Role,
  TokenRecord,
  User,
} from './models'

type Row = Record<string, any>

const json = parseJson

const toDomain = (r: Row): Domain => ({
  id: r.id,
  name: r.name,
  description: r.description,
  enabled: !!r.enabled,
  tags: json(r.tags, []),
  extra: json(r.extra, {}),
})
const toProject = (r: Row): Project => ({
  id: r.id,
  name: r.name,
  domain_id: r.domain_id,
  parent_id: r.parent_id,
  description: r.description,
  enabled: !!r.enabled,
  tags: json(r.tags, []),
  extra: json(r.extra, {}),
})
const toUser = (r: Row): User => ({
  id: r.id,
  name: r.name,
  domain_id: r.domain_id,
  default_project_id: r.default_project_id,
  description: r.description,
  email: r.email,
  enabled: !!r.enabled,
  password_hash: r.password_hash,
  password_changed_at: r.password_changed_at,
  extra: json(r.extra, {}),
})
const toGroup = (r: Row): Group => ({ id: r.id, name: r.name, domain_id: r.domain_id, description: r.description })
const toRole = (r: Row): Role => ({ id: r.id, name: r.name, description: r.description })
const toToken = (r: Row): TokenRecord => ({
  id_hash: r.id_hash,
  user_id: r.user_id,
  project_id: r.project_id,
  domain_id: r.domain_id,
  methods: json(r.methods, []),
  audit_id: r.audit_id,
  issued_at: r.issued_at,
  expires_at: r.expires_at,
  app_cred_id: r.app_cred_id,
  revoked: !!r.revoked,
})
const toAppCred = (r: Row): AppCredential => ({
  id: r.id,
  name: r.name,
  user_id: r.user_id,
  project_id: r.project_id,
  description: r.description,
  secret_hash: r.secret_hash,
  expires_at: r.expires_at,
  unrestricted: !!r.unrestricted,
  roles: json(r.roles, []),
})

export interface ListFilter {
  [column: string]: string | number | undefined
}

/** Builds "WHERE a = ? AND b = ?" from the defined entries of a filter whose keys are trusted column names. */
function where(filter: ListFilter): { sql: string; params: (string | number)[] } {
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string | number][]
  if (!entries.length) return { sql: '', params: [] }
  return { sql: ' WHERE ' + entries.map(([k]) => `${k} = ?`).join(' AND '), params: entries.map(([, v]) => v) }
}

const now = () => new Date().toISOString()

/**
 * All SQL of the identity service. Reads take the Database; writes take the transaction's executor, so that a
 * handler composes one transaction out of several writes.
 */
export class IdentityRepository {
  constructor(readonly db: Database) {}

  // Domains
  async getDomain(id: string, q: SqlExecutor = this.db): Promise<Domain | undefined> {
    const r = await q.get('SELECT * FROM identity_domains WHERE id = ?', [id])
    return r && toDomain(r)
  }
  async getDomainByName(name: string): Promise<Domain | undefined> {
    const r = await this.db.get('SELECT * FROM identity_domains WHERE name = ?', [name])
    return r && toDomain(r)
  }
  async listDomains(filter: ListFilter): Promise<Domain[]> {
    const w = where(filter)
    return (await this.db.all(`SELECT * FROM identity_domains${w.sql} ORDER BY name`, w.params)).map(toDomain)
  }
  async insertDomain(tx: SqlExecutor, d: Domain): Promise<void> {
    await tx.run(
      'INSERT INTO identity_domains (id, name, description, enabled, tags, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [d.id, d.name, d.description, d.enabled ? 1 : 0, JSON.stringify(d.tags), JSON.stringify(d.extra), now()],
    )
  }
  async updateDomain(tx: SqlExecutor, d: Domain): Promise<void> {
    await tx.run('UPDATE identity_domains SET name = ?, description = ?, enabled = ?, tags = ?, extra = ? WHERE id = ?', [
      d.name,
      d.description,
      d.enabled ? 1 : 0,
      JSON.stringify(d.tags),
      JSON.stringify(d.extra),
      d.id,
    ])
  }
  async deleteDomain(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run("DELETE FROM identity_assignments WHERE target_id = ? AND type IN ('UserDomain', 'GroupDomain')", [id])
    await tx.run('DELETE FROM identity_domains WHERE id = ?', [id])
  }
  async domainInUse(id: string): Promise<boolean> {
    const r = await this.db.get(
      `SELECT (SELECT COUNT(*) FROM identity_projects WHERE domain_id = ?) + (SELECT COUNT(*) FROM identity_users WHERE domain_id = ?) +
              (SELECT COUNT(*) FROM identity_groups WHERE domain_id = ?) AS n`,
      [id, id, id],
    )
    return Number(r?.n ?? 0) > 0
  }

  // Projects
  async getProject(id: string, q: SqlExecutor = this.db): Promise<Project | undefined> {
    const r = await q.get('SELECT * FROM identity_projects WHERE id = ?', [id])
    return r && toProject(r)
  }
  async getProjectByName(name: string, domainId: string): Promise<Project | undefined> {
    const r = await this.db.get('SELECT * FROM identity_projects WHERE name = ? AND domain_id = ?', [name, domainId])
    return r && toProject(r)
  }
  async listProjects(filter: ListFilter): Promise<Project[]> {
    const w = where(filter)
    return (await this.db.all(`SELECT * FROM identity_projects${w.sql} ORDER BY name`, w.params)).map(toProject)
  }
  async listProjectsByIds(ids: string[]): Promise<Project[]> {
    if (!ids.length) return []
    const rows = await this.db.all(
      `SELECT * FROM identity_projects WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY name`,
      ids,
    )
    return rows.map(toProject)
  }
  async insertProject(tx: SqlExecutor, p: Project): Promise<void> {
    await tx.run(
      `INSERT INTO identity_projects (id, name, domain_id, parent_id, description, enabled, tags, extra, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.id, p.name, p.domain_id, p.parent_id, p.description, p.enabled ? 1 : 0, JSON.stringify(p.tags), JSON.stringify(p.extra), now()],
    )
  }
  async updateProject(tx: SqlExecutor, p: Project): Promise<void> {
    await tx.run('UPDATE identity_projects SET name = ?, description = ?, enabled = ?, tags = ?, extra = ? WHERE id = ?', [
      p.name,
      p.description,
      p.enabled ? 1 : 0,
      JSON.stringify(p.tags),
      JSON.stringify(p.extra),
      p.id,
    ])
  }
  async projectHasChildren(id: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 FROM identity_projects WHERE parent_id = ? LIMIT 1', [id]))
  }
  async deleteProject(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run("DELETE FROM identity_assignments WHERE target_id = ? AND type IN ('UserProject', 'GroupProject')", [id])
    await tx.run('UPDATE identity_users SET default_project_id = NULL WHERE default_project_id = ?', [id])
    await tx.run('UPDATE identity_tokens SET revoked = 1 WHERE project_id = ?', [id])
    await tx.run('DELETE FROM identity_app_creds WHERE project_id = ?', [id])
    await tx.run('DELETE FROM identity_projects WHERE id = ?', [id])
  }

  // Users
  async getUser(id: string, q: SqlExecutor = this.db): Promise<User | undefined> {
    const r = await q.get('SELECT * FROM identity_users WHERE id = ?', [id])
    return r && toUser(r)
  }
  async getUserByName(name: string, domainId: string): Promise<User | undefined> {
    const r = await this.db.get('SELECT * FROM identity_users WHERE name = ? AND domain_id = ?', [name, domainId])
    return r && toUser(r)
  }
  async listUsers(filter: ListFilter): Promise<User[]> {
    const w = where(filter)
    return (await this.db.all(`SELECT * FROM identity_users${w.sql} ORDER BY name`, w.params)).map(toUser)
  }
  async insertUser(tx: SqlExecutor, u: User): Promise<void> {
    await tx.run(
      `INSERT INTO identity_users (id, name, domain_id, default_project_id, description, email, enabled, password_hash,
         password_changed_at, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        u.id,
        u.name,
        u.domain_id,
        u.default_project_id,
        u.description,
        u.email,
        u.enabled ? 1 : 0,
        u.password_hash,
        u.password_changed_at,
        JSON.stringify(u.extra),
        now(),
      ],
    )
  }
  async updateUser(tx: SqlExecutor, u: User): Promise<void> {
    await tx.run(
      `UPDATE identity_users SET name = ?, default_project_id = ?, description = ?, email = ?, enabled = ?, password_hash = ?,
         password_changed_at = ?, extra = ? WHERE id = ?`,
      [
        u.name,
        u.default_project_id,
        u.description,
        u.email,
        u.enabled ? 1 : 0,
        u.password_hash,
        u.password_changed_at,
        JSON.stringify(u.extra),
        u.id,
      ],
    )
  }
  async deleteUser(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run("DELETE FROM identity_assignments WHERE actor_id = ? AND type IN ('UserProject', 'UserDomain')", [id])
    await tx.run('UPDATE identity_tokens SET revoked = 1 WHERE user_id = ?', [id])
    await tx.run('DELETE FROM identity_users WHERE id = ?', [id])
  }
  async revokeUserTokens(tx: SqlExecutor, userId: string): Promise<void> {
    await tx.run('UPDATE identity_tokens SET revoked = 1 WHERE user_id = ?', [userId])
  }

  // Groups
  async getGroup(id: string): Promise<Group | undefined> {
    const r = await this.db.get('SELECT * FROM identity_groups WHERE id = ?', [id])
    return r && toGroup(r)
  }
  async listGroups(filter: ListFilter): Promise<Group[]> {
    const w = where(filter)
    return (await this.db.all(`SELECT * FROM identity_groups${w.sql} ORDER BY name`, w.params)).map(toGroup)
  }
  async insertGroup(tx: SqlExecutor, g: Group): Promise<void> {
    await tx.run('INSERT INTO identity_groups (id, name, domain_id, description, created_at) VALUES (?, ?, ?, ?, ?)', [
      g.id,
      g.name,
      g.domain_id,
      g.description,
      now(),
    ])
  }
  async updateGroup(tx: SqlExecutor, g: Group): Promise<void> {
    await tx.run('UPDATE identity_groups SET name = ?, description = ? WHERE id = ?', [g.name, g.description, g.id])
  }
  async deleteGroup(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run("DELETE FROM identity_assignments WHERE actor_id = ? AND type IN ('GroupProject', 'GroupDomain')", [id])
    await tx.run('DELETE FROM identity_groups WHERE id = ?', [id])
  }
  async groupMembers(groupId: string): Promise<User[]> {
    const rows = await this.db.all(
      `SELECT u.* FROM identity_users u JOIN identity_group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name`,
      [groupId],
    )
    return rows.map(toUser)
  }
  async groupsOfUser(userId: string): Promise<Group[]> {
    const rows = await this.db.all(
      `SELECT g.* FROM identity_groups g JOIN identity_group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name`,
      [userId],
    )
    return rows.map(toGroup)
  }
  async isMember(groupId: string, userId: string): Promise<boolean> {
    return !!(await this.db.get('SELECT 1 FROM identity_group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]))
  }
  async addMember(tx: SqlExecutor, groupId: string, userId: string): Promise<void> {
    await tx.run('INSERT OR IGNORE INTO identity_group_members (group_id, user_id) VALUES (?, ?)', [groupId, userId])
  }
  async removeMember(tx: SqlExecutor, groupId: string, userId: string): Promise<number> {
    return (await tx.run('DELETE FROM identity_group_members WHERE group_id = ? AND user_id = ?', [groupId, userId])).changes
  }

  // Roles
  async getRole(id: string, q: SqlExecutor = this.db): Promise<Role | undefined> {
    const r = await q.get('SELECT * FROM identity_roles WHERE id = ?', [id])
    return r && toRole(r)
  }
  async getRoleByName(name: string): Promise<Role | undefined> {
    const r = await this.db.get('SELECT * FROM identity_roles WHERE name = ?', [name])
    return r && toRole(r)
  }
  async listRoles(filter: ListFilter): Promise<Role[]> {
    const w = where(filter)
    return (await this.db.all(`SELECT * FROM identity_roles${w.sql} ORDER BY name`, w.params)).map(toRole)
  }
  async insertRole(tx: SqlExecutor, r: Role): Promise<void> {
    await tx.run('INSERT INTO identity_roles (id, name, description, created_at) VALUES (?, ?, ?, ?)', [
      r.id,
      r.name,
      r.description,
      now(),
    ])
  }
  async updateRole(tx: SqlExecutor, r: Role): Promise<void> {
    await tx.run('UPDATE identity_roles SET name = ?, description = ? WHERE id = ?', [r.name, r.description, r.id])
  }
  async deleteRole(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM identity_roles WHERE id = ?', [id])
  }
  async impliedRoles(): Promise<{ prior_role_id: string; implied_role_id: string }[]> {
    return this.db.all('SELECT prior_role_id, implied_role_id FROM identity_implied_roles')
  }
  async insertImpliedRole(tx: SqlExecutor, prior: string, implied: string): Promise<void> {
    await tx.run('INSERT OR IGNORE INTO identity_implied_roles (prior_role_id, implied_role_id) VALUES (?, ?)', [prior, implied])
  }

  // Assignments
  async listAssignments(filter: { type?: AssignmentType; actor_id?: string; target_id?: string; role_id?: string }): Promise<Assignment[]> {
    const w = where(filter)
    return this.db.all<Assignment>(`SELECT * FROM identity_assignments${w.sql} ORDER BY type, actor_id, target_id`, w.params)
  }
  async hasAssignment(a: Assignment): Promise<boolean> {
    return !!(await this.db.get(
      'SELECT 1 FROM identity_assignments WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ?',
      [a.type, a.actor_id, a.target_id, a.role_id],
    ))
  }
  async insertAssignment(tx: SqlExecutor, a: Assignment): Promise<void> {
    await tx.run('INSERT OR IGNORE INTO identity_assignments (type, actor_id, target_id, role_id) VALUES (?, ?, ?, ?)', [
      a.type,
      a.actor_id,
      a.target_id,
      a.role_id,
    ])
  }
  async deleteAssignment(tx: SqlExecutor, a: Assignment): Promise<number> {
    return (
      await tx.run('DELETE FROM identity_assignments WHERE type = ? AND actor_id = ? AND target_id = ? AND role_id = ?', [
        a.type,
        a.actor_id,
        a.target_id,
        a.role_id,
      ])
    ).changes
  }
  /** Direct role ids of a user on a target, through the user itself or any of its groups. */
  async directRoleIds(userId: string, targetId: string, kind: 'Project' | 'Domain'): Promise<string[]> {
    const rows = await this.db.all<{ role_id: string }>(
      `SELECT role_id FROM identity_assignments WHERE type = ? AND actor_id = ? AND target_id = ?
       UNION SELECT a.role_id FROM identity_assignments a JOIN identity_group_members m ON m.group_id = a.actor_id
         WHERE a.type = ? AND m.user_id = ? AND a.target_id = ?`,
      [`User${kind}`, userId, targetId, `Group${kind}`, userId, targetId],
    )
    return rows.map((r) => r.role_id)
  }
  /** Projects where the user holds any role (directly or via a group). */
  async projectIdsOfUser(userId: string): Promise<string[]> {
    const rows = await this.db.all<{ target_id: string }>(
      `SELECT target_id FROM identity_assignments WHERE type = 'UserProject' AND actor_id = ?
       UNION SELECT a.target_id FROM identity_assignments a JOIN identity_group_members m ON m.group_id = a.actor_id
         WHERE a.type = 'GroupProject' AND m.user_id = ?`,
      [userId, userId],
    )
    return rows.map((r) => r.target_id)
  }
  async domainIdsOfUser(userId: string): Promise<string[]> {
    const rows = await this.db.all<{ target_id: string }>(
      `SELECT target_id FROM identity_assignments WHERE type = 'UserDomain' AND actor_id = ?
       UNION SELECT a.target_id FROM identity_assignments a JOIN identity_group_members m ON m.group_id = a.actor_id
         WHERE a.type = 'GroupDomain' AND m.user_id = ?`,
      [userId, userId],
    )
    return rows.map((r) => r.target_id)
  }

  // Tokens
  async getToken(idHash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.get('SELECT * FROM identity_tokens WHERE id_hash = ?', [idHash])
    return r && toToken(r)
  }
  async insertToken(tx: SqlExecutor, t: TokenRecord): Promise<void> {
    await tx.run(
      `INSERT INTO identity_tokens (id_hash, user_id, project_id, domain_id, methods, audit_id, issued_at, expires_at, app_cred_id, revoked)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      [t.id_hash, t.user_id, t.project_id, t.domain_id, JSON.stringify(t.methods), t.audit_id, t.issued_at, t.expires_at, t.app_cred_id],
    )
  }
  async revokeToken(tx: SqlExecutor, idHash: string): Promise<number> {
    return (await tx.run('UPDATE identity_tokens SET revoked = 1 WHERE id_hash = ? AND revoked = 0', [idHash])).changes
  }
  async purgeExpiredTokens(before: string): Promise<number> {
    return (await this.db.run('DELETE FROM identity_tokens WHERE expires_at < ?', [before])).changes
  }

  // Application credentials
  async getAppCred(id: string): Promise<AppCredential | undefined> {
    const r = await this.db.get('SELECT * FROM identity_app_creds WHERE id = ?', [id])
    return r && toAppCred(r)
  }
  async getAppCredByName(userId: string, name: string): Promise<AppCredential | undefined> {
    const r = await this.db.get('SELECT * FROM identity_app_creds WHERE user_id = ? AND name = ?', [userId, name])
    return r && toAppCred(r)
  }
  async listAppCreds(userId: string, name?: string): Promise<AppCredential[]> {
    const w = where({ user_id: userId, name })
    return (await this.db.all(`SELECT * FROM identity_app_creds${w.sql} ORDER BY name`, w.params)).map(toAppCred)
  }
  async insertAppCred(tx: SqlExecutor, a: AppCredential): Promise<void> {
    await tx.run(
      `INSERT INTO identity_app_creds (id, name, user_id, project_id, description, secret_hash, expires_at, unrestricted, roles, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.id, a.name, a.user_id, a.project_id, a.description, a.secret_hash, a.expires_at, a.unrestricted ? 1 : 0, JSON.stringify(a.roles), now()],
    )
  }
  async deleteAppCred(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('UPDATE identity_tokens SET revoked = 1 WHERE app_cred_id = ?', [id])
    await tx.run('DELETE FROM identity_app_creds WHERE id = ?', [id])
  }
}
