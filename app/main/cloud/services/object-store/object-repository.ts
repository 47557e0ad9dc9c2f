import type { Database, SqlExecutor } from '../../platform/db/database'
import type { AccountRecord, ContainerRecord, Metadata, ObjectRecord } from './models'

interface ContainerRow {
  project_id: string
  name: string
  metadata: string
  created_at: number
  updated_at: number
  object_count: number
  bytes_used: number
}

interface ObjectRow {
  project_id: string
  container: string
  name: string
  file: string | null
  size: number
  etag: string
  content_type: string
  metadata: string
  slo_manifest: string | null
  delete_at: number | null
  created_at: number
}

const toContainer = (r: ContainerRow): ContainerRecord => ({
  projectId: r.project_id,
  name: r.name,
  metadata: JSON.parse(r.metadata) as Metadata,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  objectCount: r.object_count,
  bytesUsed: r.bytes_used,
})

const toObject = (r: ObjectRow): ObjectRecord => ({
  projectId: r.project_id,
  container: r.container,
  name: r.name,
  file: r.file,
  size: r.size,
  etag: r.etag,
  contentType: r.content_type,
  metadata: JSON.parse(r.metadata) as Metadata,
  slo: r.slo_manifest ? JSON.parse(r.slo_manifest) : null,
  deleteAt: r.delete_at,
  createdAt: r.created_at,
})

/** The smallest string greater than every string that starts with `s` (for skipping a pseudo-folder). */
export function afterPrefix(s: string): string {
  return s + '\u{10FFFF}'
}

/** All SQL of the object store. Every mutation is a function of a transaction the manager opens. */
export class ObjectRepository {
  constructor(readonly db: Database) {}

  async account(projectId: string): Promise<AccountRecord> {
    const row = await this.db.get<{ metadata: string; created_at: number }>('SELECT metadata, created_at FROM swift_accounts WHERE project_id = ?', [projectId])
    return { projectId, metadata: row ? (JSON.parse(row.metadata) as Metadata) : {}, createdAt: row?.created_at ?? Date.now() / 1000 }
  }

  async accountUsage(projectId: string): Promise<{ containers: number; objects: number; bytes: number }> {
    const row = await this.db.get<{ c: number; o: number | null; b: number | null }>(
      'SELECT count(*) AS c, sum(object_count) AS o, sum(bytes_used) AS b FROM swift_containers WHERE project_id = ?',
      [projectId],
    )
    return { containers: row?.c ?? 0, objects: row?.o ?? 0, bytes: row?.b ?? 0 }
  }

  async setAccountMetadata(tx: SqlExecutor, projectId: string, metadata: Metadata): Promise<void> {
    await tx.run(
      `INSERT INTO swift_accounts (project_id, metadata, created_at) VALUES (?, ?, ?)
       ON CONFLICT (project_id) DO UPDATE SET metadata = excluded.metadata`,
      [projectId, JSON.stringify(metadata), Date.now() / 1000],
    )
  }

  async container(projectId: string, name: string, tx: SqlExecutor = this.db): Promise<ContainerRecord | undefined> {
    const row = await tx.get<ContainerRow>('SELECT * FROM swift_containers WHERE project_id = ? AND name = ?', [projectId, name])
    return row && toContainer(row)
  }

  /** Containers in name order after `marker` (or before it, reversed), at most `limit`. */
  async containers(projectId: string, p: { after?: string; before?: string; prefix?: string; reverse?: boolean; limit: number }): Promise<ContainerRecord[]> {
    return (await this.range<ContainerRow>('swift_containers', 'name', ['project_id = ?'], [projectId], p)).map(toContainer)
  }

  async objects(projectId: string, container: string, p: { after?: string; before?: string; prefix?: string; reverse?: boolean; limit: number }): Promise<ObjectRecord[]> {
    return (await this.range<ObjectRow>('swift_objects', 'name', ['project_id = ?', 'container = ?'], [projectId, container], p)).map(toObject)
  }

  private range<T>(table: string, col: string, where: string[], params: (string | number)[], p: { after?: string; before?: string; prefix?: string; reverse?: boolean; limit: number }): Promise<T[]> {
    const w = [...where]
    const v = [...params]
    if (p.after !== undefined) {
      w.push(`${col} > ?`)
      v.push(p.after)
    }
    if (p.before !== undefined) {
      w.push(`${col} < ?`)
      v.push(p.before)
    }
    if (p.prefix) {
      // A range, not LIKE: the index serves it and no character of the prefix is special.
      w.push(`${col} >= ?`, `${col} < ?`)
      v.push(p.prefix, afterPrefix(p.prefix))
    }
    v.push(p.limit)
    return this.db.all<T>(`SELECT * FROM ${table} WHERE ${w.join(' AND ')} ORDER BY ${col} ${p.reverse ? 'DESC' : 'ASC'} LIMIT ?`, v)
  }

  /** Creates the container, or updates its metadata when it exists. Returns true when created. */
  async putContainer(tx: SqlExecutor, projectId: string, name: string, metadata: Metadata): Promise<boolean> {
    const now = Date.now() / 1000
    await tx.run(
      `INSERT INTO swift_accounts (project_id, metadata, created_at) VALUES (?, '{}', ?) ON CONFLICT (project_id) DO NOTHING`,
      [projectId, now],
    )
    const r = await tx.run(
      `INSERT INTO swift_containers (project_id, name, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (project_id, name) DO NOTHING`,
      [projectId, name, JSON.stringify(metadata), now, now],
    )
    if (r.changes) return true
    await this.setContainerMetadata(tx, projectId, name, metadata)
    return false
  }

  async setContainerMetadata(tx: SqlExecutor, projectId: string, name: string, metadata: Metadata): Promise<void> {
    await tx.run('UPDATE swift_containers SET metadata = ?, updated_at = ? WHERE project_id = ? AND name = ?', [
      JSON.stringify(metadata),
      Date.now() / 1000,
      projectId,
      name,
    ])
  }

  async deleteContainer(tx: SqlExecutor, projectId: string, name: string): Promise<void> {
    await tx.run('DELETE FROM swift_containers WHERE project_id = ? AND name = ?', [projectId, name])
  }

  async object(projectId: string, container: string, name: string, tx: SqlExecutor = this.db): Promise<ObjectRecord | undefined> {
    const row = await tx.get<ObjectRow>('SELECT * FROM swift_objects WHERE project_id = ? AND container = ? AND name = ?', [projectId, container, name])
    return row && toObject(row)
  }

  /** Inserts or replaces the object; the container's usage follows. Returns the replaced record, if any. */
  async putObject(tx: SqlExecutor, o: ObjectRecord): Promise<ObjectRecord | undefined> {
    const old = await this.object(o.projectId, o.container, o.name, tx)
    await this.writeObjectRow(tx, o)
    await this.adjustUsage(tx, o.projectId, o.container, old ? 0 : 1, o.size - (old?.size ?? 0))
    return old
  }

  /** The row only (no usage update): for group commits, which add up usage per container themselves. */
  async writeObjectRow(tx: SqlExecutor, o: ObjectRecord): Promise<void> {
    await tx.run(
      `INSERT OR REPLACE INTO swift_objects (project_id, container, name, file, size, etag, content_type, metadata, slo_manifest, delete_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [o.projectId, o.container, o.name, o.file, o.size, o.etag, o.contentType, JSON.stringify(o.metadata), o.slo ? JSON.stringify(o.slo) : null, o.deleteAt, o.createdAt],
    )
  }

  async updateObjectMetadata(tx: SqlExecutor, o: ObjectRecord, contentType: string, metadata: Metadata, deleteAt: number | null): Promise<void> {
    await tx.run('UPDATE swift_objects SET content_type = ?, metadata = ?, delete_at = ? WHERE project_id = ? AND container = ? AND name = ?', [
      contentType,
      JSON.stringify(metadata),
      deleteAt,
      o.projectId,
      o.container,
      o.name,
    ])
  }

  /** Deletes the row; returns it (its file is the caller's to remove after the commit). */
  async deleteObject(tx: SqlExecutor, projectId: string, container: string, name: string): Promise<ObjectRecord | undefined> {
    const old = await this.object(projectId, container, name, tx)
    if (!old) return undefined
    await tx.run('DELETE FROM swift_objects WHERE project_id = ? AND container = ? AND name = ?', [projectId, container, name])
    await this.adjustUsage(tx, projectId, container, -1, -old.size)
    return old
  }

  async adjustUsage(tx: SqlExecutor, projectId: string, container: string, count: number, bytes: number): Promise<void> {
    await tx.run('UPDATE swift_containers SET object_count = object_count + ?, bytes_used = bytes_used + ?, updated_at = ? WHERE project_id = ? AND name = ?', [
      count,
      bytes,
      Date.now() / 1000,
      projectId,
      container,
    ])
  }

  async expired(now: number, limit: number): Promise<ObjectRecord[]> {
    return (await this.db.all<ObjectRow>('SELECT * FROM swift_objects WHERE delete_at IS NOT NULL AND delete_at <= ? LIMIT ?', [now, limit])).map(toObject)
  }

  async allFiles(): Promise<Set<string>> {
    return new Set((await this.db.all<{ file: string }>('SELECT file FROM swift_objects WHERE file IS NOT NULL')).map((r) => r.file))
  }

  /** Removes rows whose file is gone and recomputes every container's usage from its rows. */
  async dropRowsWithoutFiles(tx: SqlExecutor, missing: string[]): Promise<void> {
    for (const f of missing) await tx.run('DELETE FROM swift_objects WHERE file = ?', [f])
    await tx.run(`UPDATE swift_containers SET
      object_count = (SELECT count(*) FROM swift_objects o WHERE o.project_id = swift_containers.project_id AND o.container = swift_containers.name),
      bytes_used = (SELECT coalesce(sum(size), 0) FROM swift_objects o WHERE o.project_id = swift_containers.project_id AND o.container = swift_containers.name)`)
  }
}
