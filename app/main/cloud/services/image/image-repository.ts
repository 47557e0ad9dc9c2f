import type { Database, SqlExecutor } from '../../platform/db/database'
import { parseJson } from '../../platform/db/json-column'
import type { Image, ImageMember, ImageStatus } from './models'

type Row = Record<string, any>

const parse = parseJson

const toImage = (r: Row): Image => ({
  id: r.id,
  name: r.name,
  status: r.status,
  visibility: r.visibility,
  owner: r.owner,
  protected: !!r.protected,
  os_hidden: !!r.os_hidden,
  disk_format: r.disk_format,
  container_format: r.container_format,
  size: r.size,
  virtual_size: r.virtual_size,
  checksum: r.checksum,
  os_hash_algo: r.os_hash_algo,
  os_hash_value: r.os_hash_value,
  min_disk: r.min_disk,
  min_ram: r.min_ram,
  location: r.location,
  staging: r.staging,
  tags: parse(r.tags, []),
  properties: parse(r.properties, {}),
  created_at: r.created_at,
  updated_at: r.updated_at,
})

const COLUMNS = [
  'id', 'name', 'status', 'visibility', 'owner', 'protected', 'os_hidden', 'disk_format', 'container_format', 'size',
  'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'min_disk', 'min_ram', 'location', 'staging', 'tags',
  'properties', 'created_at', 'updated_at',
] as const

function values(i: Image): (string | number | null)[] {
  return COLUMNS.map((c) => {
    const v = (i as unknown as Record<string, unknown>)[c]
    if (c === 'tags' || c === 'properties') return JSON.stringify(v)
    if (typeof v === 'boolean') return v ? 1 : 0
    return (v ?? null) as string | number | null
  })
}

/** All SQL of the image service. Deleted images stay as rows (deleted = 1) while something still holds their file. */
export class ImageRepository {
  constructor(readonly db: Database) {}

  async get(id: string, q: SqlExecutor = this.db): Promise<Image | undefined> {
    const r = await q.get('SELECT * FROM image_images WHERE id = ? AND deleted = 0', [id])
    return r && toImage(r)
  }

  async listAll(): Promise<Image[]> {
    return (await this.db.all('SELECT * FROM image_images WHERE deleted = 0')).map(toImage)
  }

  /** Images the project may see, before filters: its own, public, community, and shared with it. */
  async listVisible(projectId: string | undefined, admin: boolean): Promise<(Image & { member_status: string | null })[]> {
    const rows = await this.db.all(
      `SELECT i.*, m.status AS member_status FROM image_images i
         LEFT JOIN image_members m ON m.image_id = i.id AND m.member_id = ?
       WHERE i.deleted = 0`,
      [projectId ?? ''],
    )
    return rows
      .map((r) => ({ ...toImage(r), member_status: r.member_status as string | null }))
      .filter((i) => admin || i.owner === projectId || i.visibility === 'public' || i.visibility === 'community' || i.member_status !== null)
  }

  async insert(tx: SqlExecutor, i: Image): Promise<void> {
    await tx.run(`INSERT INTO image_images (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, values(i))
  }

  async update(tx: SqlExecutor, i: Image): Promise<void> {
    const cols = COLUMNS.filter((c) => c !== 'id')
    await tx.run(`UPDATE image_images SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...values(i).slice(1), i.id])
  }

  /** Moves an image from one status to another only if it is still in `from`; returns whether it did. */
  async transition(tx: SqlExecutor, id: string, from: ImageStatus[], to: ImageStatus): Promise<boolean> {
    const r = await tx.run(
      `UPDATE image_images SET status = ?, updated_at = ? WHERE id = ? AND deleted = 0 AND status IN (${from.map(() => '?').join(',')})`,
      [to, new Date().toISOString(), id, ...from],
    )
    return r.changes === 1
  }

  async markDeleted(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run("UPDATE image_images SET deleted = 1, status = 'deleted', updated_at = ? WHERE id = ?", [new Date().toISOString(), id])
    await tx.run('DELETE FROM image_members WHERE image_id = ?', [id])
  }

  async purge(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM image_images WHERE id = ? AND deleted = 1', [id])
  }

  /** Deleted images whose file nothing holds any more. */
  async purgeable(): Promise<{ id: string; location: string | null; staging: string | null }[]> {
    return this.db.all(
      'SELECT id, location, staging FROM image_images WHERE deleted = 1 AND id NOT IN (SELECT image_id FROM image_holds)',
    )
  }

  async withStatus(statuses: ImageStatus[]): Promise<Image[]> {
    const rows = await this.db.all(
      `SELECT * FROM image_images WHERE deleted = 0 AND status IN (${statuses.map(() => '?').join(',')})`,
      statuses,
    )
    return rows.map(toImage)
  }

  async usedBytes(owner: string, q: SqlExecutor = this.db): Promise<number> {
    const r = await q.get<{ n: number | null }>('SELECT SUM(size) AS n FROM image_images WHERE owner = ? AND deleted = 0', [owner])
    return Number(r?.n ?? 0)
  }

  /** Every image row's data location (deleted rows too: a holder may still use the data). */
  async locations(): Promise<{ id: string; location: string }[]> {
    return this.db.all('SELECT id, location FROM image_images WHERE location IS NOT NULL')
  }

  async knownFiles(): Promise<Set<string>> {
    const rows = await this.db.all<{ location: string | null; staging: string | null }>('SELECT location, staging FROM image_images')
    return new Set(rows.flatMap((r) => [r.location, r.staging]).filter((x): x is string => !!x))
  }

  // Members
  async members(imageId: string): Promise<ImageMember[]> {
    return this.db.all<ImageMember>('SELECT * FROM image_members WHERE image_id = ? ORDER BY created_at', [imageId])
  }
  async member(imageId: string, memberId: string): Promise<ImageMember | undefined> {
    return this.db.get<ImageMember>('SELECT * FROM image_members WHERE image_id = ? AND member_id = ?', [imageId, memberId])
  }
  async insertMember(tx: SqlExecutor, m: ImageMember): Promise<void> {
    await tx.run('INSERT INTO image_members (image_id, member_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      m.image_id,
      m.member_id,
      m.status,
      m.created_at,
      m.updated_at,
    ])
  }
  async updateMember(tx: SqlExecutor, m: ImageMember): Promise<void> {
    await tx.run('UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member_id = ?', [m.status, m.updated_at, m.image_id, m.member_id])
  }
  async deleteMember(tx: SqlExecutor, imageId: string, memberId: string): Promise<number> {
    return (await tx.run('DELETE FROM image_members WHERE image_id = ? AND member_id = ?', [imageId, memberId])).changes
  }

  // Holds: an instance or volume built on the image keeps its file alive.
  async hold(tx: SqlExecutor, imageId: string, holder: string): Promise<void> {
    await tx.run('INSERT OR IGNORE INTO image_holds (image_id, holder, created_at) VALUES (?, ?, ?)', [imageId, holder, new Date().toISOString()])
  }
  async release(tx: SqlExecutor, imageId: string, holder: string): Promise<void> {
    await tx.run('DELETE FROM image_holds WHERE image_id = ? AND holder = ?', [imageId, holder])
  }
}
