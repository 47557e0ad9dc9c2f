import type { Database, SqlExecutor } from '../../platform/db/database'
import { parseJson } from '../../platform/db/json-column'
import type { Flavor, Instance, InstancePort, Keypair, TaskState, VmState, VolumeAttachment } from './models'

type Row = Record<string, any>
const parse = parseJson
const now = () => new Date().toISOString()

const INSTANCE_COLUMNS = [
  'id', 'name', 'project_id', 'user_id', 'image_id', 'flavor_id', 'flavor', 'vm_state', 'task_state', 'power_state',
  'key_name', 'key_data', 'user_data', 'config_drive', 'availability_zone', 'host', 'networks', 'addresses', 'metadata',
  'fault', 'reservation_id', 'launch_index', 'access_ipv4', 'access_ipv6', 'launched_at', 'terminated_at', 'created_at',
  'updated_at', 'security_group_ids', 'boot_volume',
] as const
const JSON_COLUMNS = new Set(['flavor', 'networks', 'addresses', 'metadata', 'fault', 'security_group_ids', 'boot_volume'])
/** JSON columns whose NULL (or bad JSON) reads as null rather than {}. */
const NULLABLE_JSON = new Set(['fault', 'security_group_ids', 'boot_volume'])

const toInstance = (r: Row): Instance => {
  const out: Record<string, unknown> = {}
  for (const c of INSTANCE_COLUMNS) out[c] = JSON_COLUMNS.has(c) ? parse(r[c], NULLABLE_JSON.has(c) ? null : {}) : r[c]
  out.config_drive = !!r.config_drive
  return out as unknown as Instance
}
const instanceValues = (i: Instance) =>
  INSTANCE_COLUMNS.map((c) => {
    const v = (i as unknown as Record<string, unknown>)[c]
    if (JSON_COLUMNS.has(c)) return v === null || v === undefined ? null : JSON.stringify(v)
    if (typeof v === 'boolean') return v ? 1 : 0
    return (v ?? null) as string | number | null
  })

const toPort = (r: Row): InstancePort => ({
  instance_id: r.instance_id,
  port_id: r.port_id,
  position: r.position,
  network_id: r.network_id,
  mac_address: r.mac_address,
  preserve_on_delete: !!r.preserve_on_delete,
})

const toVolumeAttachment = (r: Row): VolumeAttachment => ({
  volume_id: r.volume_id,
  instance_id: r.instance_id,
  attachment_id: r.attachment_id,
  device: r.device,
  state: r.state,
  boot_index: r.boot_index ?? null,
  delete_on_termination: !!r.delete_on_termination,
  file: r.file,
  format: r.format,
  created_at: r.created_at,
})

/** All SQL of the compute service. */
export class ComputeRepository {
  constructor(readonly db: Database) {}

  // Flavors
  async flavor(id: string): Promise<Flavor | undefined> {
    const r = await this.db.get('SELECT * FROM compute_flavors WHERE id = ?', [id])
    return r && this.withSpecs(r)
  }
  async flavorByName(name: string): Promise<Flavor | undefined> {
    const r = await this.db.get('SELECT * FROM compute_flavors WHERE name = ?', [name])
    return r && this.withSpecs(r)
  }
  async flavors(): Promise<Flavor[]> {
    const rows = await this.db.all('SELECT * FROM compute_flavors')
    return Promise.all(rows.map((r) => this.withSpecs(r)))
  }
  private async withSpecs(r: Row): Promise<Flavor> {
    const specs = await this.db.all<{ key: string; value: string }>('SELECT key, value FROM compute_flavor_extra_specs WHERE flavor_id = ?', [r.id])
    return {
      id: r.id,
      name: r.name,
      vcpus: r.vcpus,
      ram: r.ram,
      disk: r.disk,
      ephemeral: r.ephemeral,
      swap: r.swap,
      rxtx_factor: r.rxtx_factor,
      is_public: !!r.is_public,
      description: r.description,
      extra_specs: Object.fromEntries(specs.map((s) => [s.key, s.value])),
    }
  }
  async insertFlavor(tx: SqlExecutor, f: Flavor): Promise<void> {
    await tx.run(
      `INSERT INTO compute_flavors (id, name, vcpus, ram, disk, ephemeral, swap, rxtx_factor, is_public, description, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [f.id, f.name, f.vcpus, f.ram, f.disk, f.ephemeral, f.swap, f.rxtx_factor, f.is_public ? 1 : 0, f.description, now()],
    )
    for (const [k, v] of Object.entries(f.extra_specs)) await this.setExtraSpec(tx, f.id, k, v)
  }
  async deleteFlavor(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM compute_flavors WHERE id = ?', [id])
  }
  async updateFlavorDescription(tx: SqlExecutor, id: string, description: string | null): Promise<void> {
    await tx.run('UPDATE compute_flavors SET description = ? WHERE id = ?', [description, id])
  }
  async setExtraSpec(tx: SqlExecutor, flavorId: string, key: string, value: string): Promise<void> {
    await tx.run('INSERT OR REPLACE INTO compute_flavor_extra_specs (flavor_id, key, value) VALUES (?, ?, ?)', [flavorId, key, value])
  }
  async deleteExtraSpec(tx: SqlExecutor, flavorId: string, key: string): Promise<number> {
    return (await tx.run('DELETE FROM compute_flavor_extra_specs WHERE flavor_id = ? AND key = ?', [flavorId, key])).changes
  }
  async flavorAccess(flavorId: string): Promise<string[]> {
    return (await this.db.all<{ project_id: string }>('SELECT project_id FROM compute_flavor_access WHERE flavor_id = ? ORDER BY project_id', [flavorId])).map((r) => r.project_id)
  }
  async projectFlavorIds(projectId: string): Promise<Set<string>> {
    return new Set((await this.db.all<{ flavor_id: string }>('SELECT flavor_id FROM compute_flavor_access WHERE project_id = ?', [projectId])).map((r) => r.flavor_id))
  }
  async addFlavorAccess(tx: SqlExecutor, flavorId: string, projectId: string): Promise<void> {
    await tx.run('INSERT INTO compute_flavor_access (flavor_id, project_id) VALUES (?, ?)', [flavorId, projectId])
  }
  async removeFlavorAccess(tx: SqlExecutor, flavorId: string, projectId: string): Promise<number> {
    return (await tx.run('DELETE FROM compute_flavor_access WHERE flavor_id = ? AND project_id = ?', [flavorId, projectId])).changes
  }

  // Keypairs
  async keypair(userId: string, name: string): Promise<Keypair | undefined> {
    return this.db.get<Keypair>('SELECT * FROM compute_keypairs WHERE user_id = ? AND name = ?', [userId, name])
  }
  async keypairs(userId: string): Promise<Keypair[]> {
    return this.db.all<Keypair>('SELECT * FROM compute_keypairs WHERE user_id = ? ORDER BY name', [userId])
  }
  async countKeypairs(userId: string, q: SqlExecutor = this.db): Promise<number> {
    return Number((await q.get<{ n: number }>('SELECT COUNT(*) AS n FROM compute_keypairs WHERE user_id = ?', [userId]))?.n ?? 0)
  }
  async insertKeypair(tx: SqlExecutor, k: Keypair): Promise<void> {
    await tx.run('INSERT INTO compute_keypairs (user_id, name, type, public_key, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      k.user_id,
      k.name,
      k.type,
      k.public_key,
      k.fingerprint,
      k.created_at,
    ])
  }
  async deleteKeypair(tx: SqlExecutor, userId: string, name: string): Promise<number> {
    return (await tx.run('DELETE FROM compute_keypairs WHERE user_id = ? AND name = ?', [userId, name])).changes
  }

  // Instances
  async instance(id: string, q: SqlExecutor = this.db): Promise<Instance | undefined> {
    const r = await q.get("SELECT * FROM compute_instances WHERE id = ? AND vm_state != 'deleted'", [id])
    return r && toInstance(r)
  }
  async instances(projectId?: string): Promise<Instance[]> {
    const rows = projectId
      ? await this.db.all("SELECT * FROM compute_instances WHERE project_id = ? AND vm_state != 'deleted'", [projectId])
      : await this.db.all("SELECT * FROM compute_instances WHERE vm_state != 'deleted'")
    return rows.map(toInstance)
  }
  async insertInstance(tx: SqlExecutor, i: Instance): Promise<void> {
    await tx.run(`INSERT INTO compute_instances (${INSTANCE_COLUMNS.join(', ')}) VALUES (${INSTANCE_COLUMNS.map(() => '?').join(', ')})`, instanceValues(i))
  }
  /** Writes the given fields (and updated_at). */
  async updateInstance(tx: SqlExecutor, id: string, fields: Partial<Instance>): Promise<void> {
    const entries = Object.entries({ ...fields, updated_at: now() }).filter(([k]) => (INSTANCE_COLUMNS as readonly string[]).includes(k))
    const values = entries.map(([k, v]) => (JSON_COLUMNS.has(k) ? (v === null ? null : JSON.stringify(v)) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number | null)))
    await tx.run(`UPDATE compute_instances SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, [...values, id])
  }
  /**
   * Sets task_state only if the instance is in one of `vmStates` with no task running (the guard of every action).
   * Returns whether it did.
   */
  async startTask(tx: SqlExecutor, id: string, vmStates: VmState[], task: TaskState): Promise<boolean> {
    const r = await tx.run(
      `UPDATE compute_instances SET task_state = ?, updated_at = ? WHERE id = ? AND task_state IS NULL AND vm_state IN (${vmStates.map(() => '?').join(',')})`,
      [task, now(), id, ...vmStates],
    )
    return r.changes === 1
  }
  async deleteInstance(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM compute_instance_ports WHERE instance_id = ?', [id])
    await tx.run('DELETE FROM compute_volume_attachments WHERE instance_id = ?', [id])
    await tx.run('DELETE FROM compute_instance_action_events WHERE instance_id = ?', [id])
    await tx.run('DELETE FROM compute_instance_actions WHERE instance_id = ?', [id])
    await tx.run('DELETE FROM compute_instances WHERE id = ?', [id])
  }
  /** Cores, RAM and instance counts of a project's instances (for quotas). */
  async usage(projectId: string, q: SqlExecutor = this.db): Promise<{ instances: number; cores: number; ram: number }> {
    const rows = await q.all<{ flavor: string }>("SELECT flavor FROM compute_instances WHERE project_id = ? AND vm_state != 'deleted'", [projectId])
    let cores = 0
    let ram = 0
    for (const r of rows) {
      const f = parse<{ vcpus?: number; ram?: number }>(r.flavor, {})
      cores += f.vcpus ?? 0
      ram += f.ram ?? 0
    }
    return { instances: rows.length, cores, ram }
  }

  // Instance ports
  /** The ports of these instances (all when ids is omitted), in NIC order. */
  async instancePorts(instanceIds?: string[]): Promise<InstancePort[]> {
    if (instanceIds && !instanceIds.length) return []
    const rows = instanceIds
      ? await this.db.all(`SELECT * FROM compute_instance_ports WHERE instance_id IN (${instanceIds.map(() => '?').join(',')}) ORDER BY instance_id, position`, instanceIds)
      : await this.db.all('SELECT * FROM compute_instance_ports ORDER BY instance_id, position')
    return rows.map(toPort)
  }
  /** The NIC on this port, if any instance has one. */
  async portById(portId: string): Promise<InstancePort | undefined> {
    const r = await this.db.get('SELECT * FROM compute_instance_ports WHERE port_id = ?', [portId])
    return r && toPort(r)
  }
  async insertInstancePort(tx: SqlExecutor, p: InstancePort): Promise<void> {
    await tx.run(
      'INSERT INTO compute_instance_ports (port_id, instance_id, position, network_id, mac_address, preserve_on_delete, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [p.port_id, p.instance_id, p.position, p.network_id, p.mac_address, p.preserve_on_delete ? 1 : 0, now()],
    )
  }
  async deleteInstancePort(tx: SqlExecutor, portId: string): Promise<void> {
    await tx.run('DELETE FROM compute_instance_ports WHERE port_id = ?', [portId])
  }

  // Volume attachments
  /** The volumes of these instances (all when ids is omitted), root volume first, then by device name. */
  async volumeAttachments(instanceIds?: string[], q: SqlExecutor = this.db): Promise<VolumeAttachment[]> {
    if (instanceIds && !instanceIds.length) return []
    const order = 'ORDER BY instance_id, boot_index IS NULL, length(device), device'
    const rows = instanceIds
      ? await q.all(`SELECT * FROM compute_volume_attachments WHERE instance_id IN (${instanceIds.map(() => '?').join(',')}) ${order}`, instanceIds)
      : await q.all(`SELECT * FROM compute_volume_attachments ${order}`)
    return rows.map(toVolumeAttachment)
  }
  async volumeAttachment(volumeId: string, q: SqlExecutor = this.db): Promise<VolumeAttachment | undefined> {
    const r = await q.get('SELECT * FROM compute_volume_attachments WHERE volume_id = ?', [volumeId])
    return r && toVolumeAttachment(r)
  }
  async insertVolumeAttachment(tx: SqlExecutor, a: VolumeAttachment): Promise<void> {
    await tx.run(
      `INSERT INTO compute_volume_attachments (volume_id, instance_id, attachment_id, device, state, boot_index, delete_on_termination, file, format, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [a.volume_id, a.instance_id, a.attachment_id, a.device, a.state, a.boot_index, a.delete_on_termination ? 1 : 0, a.file, a.format, a.created_at],
    )
  }
  async setVolumeAttachmentState(tx: SqlExecutor, volumeId: string, state: VolumeAttachment['state']): Promise<void> {
    await tx.run('UPDATE compute_volume_attachments SET state = ? WHERE volume_id = ?', [state, volumeId])
  }
  async setVolumeAttachmentId(tx: SqlExecutor, volumeId: string, attachmentId: string): Promise<void> {
    await tx.run('UPDATE compute_volume_attachments SET attachment_id = ? WHERE volume_id = ?', [attachmentId, volumeId])
  }
  async deleteVolumeAttachment(tx: SqlExecutor, volumeId: string): Promise<void> {
    await tx.run('DELETE FROM compute_volume_attachments WHERE volume_id = ?', [volumeId])
  }

  // Instance actions
  async recordAction(tx: SqlExecutor, a: { instance_id: string; request_id: string; action: string; project_id: string; user_id: string }): Promise<void> {
    await tx.run(
      'INSERT OR IGNORE INTO compute_instance_actions (instance_id, request_id, action, project_id, user_id, start_time) VALUES (?, ?, ?, ?, ?, ?)',
      [a.instance_id, a.request_id, a.action, a.project_id, a.user_id, now()],
    )
  }
  async startEvent(instanceId: string, requestId: string, event: string): Promise<void> {
    await this.db.run('INSERT INTO compute_instance_action_events (instance_id, request_id, event, start_time) VALUES (?, ?, ?, ?)', [instanceId, requestId, event, now()])
  }
  async finishEvent(instanceId: string, requestId: string, event: string, result: 'Success' | 'Error', traceback?: string): Promise<void> {
    await this.db.run(
      'UPDATE compute_instance_action_events SET finish_time = ?, result = ?, traceback = ? WHERE instance_id = ? AND request_id = ? AND event = ? AND finish_time IS NULL',
      [now(), result, traceback ?? null, instanceId, requestId, event],
    )
    if (result === 'Error') {
      await this.db.run("UPDATE compute_instance_actions SET message = 'Error' WHERE instance_id = ? AND request_id = ?", [instanceId, requestId])
    }
  }
  async actions(instanceId: string): Promise<Row[]> {
    return this.db.all('SELECT * FROM compute_instance_actions WHERE instance_id = ? ORDER BY start_time DESC', [instanceId])
  }
  async action(instanceId: string, requestId: string): Promise<Row | undefined> {
    return this.db.get('SELECT * FROM compute_instance_actions WHERE instance_id = ? AND request_id = ?', [instanceId, requestId])
  }
  async events(instanceId: string, requestId: string): Promise<Row[]> {
    return this.db.all('SELECT * FROM compute_instance_action_events WHERE instance_id = ? AND request_id = ? ORDER BY start_time', [instanceId, requestId])
  }

  // Quotas
  async quotaOverrides(projectId: string): Promise<Record<string, number>> {
    const rows = await this.db.all<{ resource: string; hard_limit: number }>('SELECT resource, hard_limit FROM compute_quotas WHERE project_id = ?', [projectId])
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]))
  }
  async setQuota(tx: SqlExecutor, projectId: string, resource: string, limit: number): Promise<void> {
    await tx.run('INSERT OR REPLACE INTO compute_quotas (project_id, resource, hard_limit) VALUES (?, ?, ?)', [projectId, resource, limit])
  }
  async deleteQuotas(tx: SqlExecutor, projectId: string): Promise<void> {
    await tx.run('DELETE FROM compute_quotas WHERE project_id = ?', [projectId])
  }
}
