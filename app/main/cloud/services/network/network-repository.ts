import type { Database, SqlExecutor } from '../../platform/db/database'
import { parseJson } from '../../platform/db/json-column'
import type { Kind, Resource } from './models'

/** What the repository stores: the API's collections plus floating IP port forwardings (a sub-resource). */
export type StoredKind = Kind | 'port_forwardings'

const TABLE: Record<StoredKind, string> = {
  networks: 'network_networks',
  subnets: 'network_subnets',
  ports: 'network_ports',
  security_groups: 'network_security_groups',
  security_group_rules: 'network_security_group_rules',
  routers: 'network_routers',
  floatingips: 'network_floatingips',
  port_forwardings: 'network_port_forwardings',
}

type Row = { data: string }
const toResource = <T extends Resource>(r: Row): T => parseJson<T>(r.data, {} as T)

/** All SQL of the network service. Rows come back in creation order. */
export class NetworkRepository {
  constructor(readonly db: Database) {}

  async get<T extends Resource = Resource>(kind: StoredKind, id: string, q: SqlExecutor = this.db): Promise<T | undefined> {
    const r = await q.get<Row>(`SELECT data FROM ${TABLE[kind]} WHERE id = ?`, [id])
    return r && toResource<T>(r)
  }

  async all<T extends Resource = Resource>(kind: StoredKind, q: SqlExecutor = this.db): Promise<T[]> {
    return (await q.all<Row>(`SELECT data FROM ${TABLE[kind]} ORDER BY seq`)).map((r) => toResource<T>(r))
  }

  async subnetsOf(networkId: string, q: SqlExecutor = this.db): Promise<Resource[]> {
    return (await q.all<Row>('SELECT data FROM network_subnets WHERE network_id = ? ORDER BY seq', [networkId])).map((r) => toResource(r))
  }

  async portsOf(networkId: string, q: SqlExecutor = this.db): Promise<Resource[]> {
    return (await q.all<Row>('SELECT data FROM network_ports WHERE network_id = ? ORDER BY seq', [networkId])).map((r) => toResource(r))
  }

  async portsOfDevice(deviceId: string, q: SqlExecutor = this.db): Promise<Resource[]> {
    return (await q.all<Row>('SELECT data FROM network_ports WHERE device_id = ? ORDER BY seq', [deviceId])).map((r) => toResource(r))
  }

  async count(tx: SqlExecutor, kind: Kind, projectId: string): Promise<number> {
    const r = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLE[kind]} WHERE project_id = ?`, [projectId])
    return r?.n ?? 0
  }

  async portForwardingsOf(floatingipId: string, q: SqlExecutor = this.db): Promise<Resource[]> {
    return (await q.all<Row>('SELECT data FROM network_port_forwardings WHERE floatingip_id = ? ORDER BY seq', [floatingipId])).map((r) => toResource(r))
  }

  async insert(tx: SqlExecutor, kind: StoredKind, res: Resource): Promise<void> {
    const seq = `(SELECT COALESCE(MAX(seq), 0) + 1 FROM ${TABLE[kind]})`
    const data = JSON.stringify(res)
    if (kind === 'subnets') {
      await tx.run(`INSERT INTO network_subnets (id, project_id, network_id, data, seq) VALUES (?, ?, ?, ?, ${seq})`, [res.id, res.project_id, res.network_id as string, data])
    } else if (kind === 'ports') {
      await tx.run(`INSERT INTO network_ports (id, project_id, network_id, mac_address, device_id, data, seq) VALUES (?, ?, ?, ?, ?, ?, ${seq})`, [
        res.id, res.project_id, res.network_id as string, res.mac_address as string, res.device_id as string, data,
      ])
    } else if (kind === 'port_forwardings') {
      await tx.run(`INSERT INTO network_port_forwardings (id, project_id, floatingip_id, data, seq) VALUES (?, ?, ?, ?, ${seq})`, [res.id, res.project_id, res.floatingip_id as string, data])
    } else {
      await tx.run(`INSERT INTO ${TABLE[kind]} (id, project_id, data, seq) VALUES (?, ?, ?, ${seq})`, [res.id, res.project_id, data])
    }
  }

  async update(tx: SqlExecutor, kind: StoredKind, res: Resource): Promise<void> {
    if (kind === 'ports') {
      await tx.run('UPDATE network_ports SET data = ?, device_id = ? WHERE id = ?', [JSON.stringify(res), res.device_id as string, res.id])
    } else {
      await tx.run(`UPDATE ${TABLE[kind]} SET data = ? WHERE id = ?`, [JSON.stringify(res), res.id])
    }
  }

  async remove(tx: SqlExecutor, kind: StoredKind, id: string): Promise<void> {
    await tx.run(`DELETE FROM ${TABLE[kind]} WHERE id = ?`, [id])
    if (kind === 'ports') await tx.run('DELETE FROM network_ip_allocations WHERE port_id = ?', [id])
  }

  async macInUse(tx: SqlExecutor, mac: string): Promise<boolean> {
    return !!(await tx.get('SELECT 1 FROM network_ports WHERE mac_address = ?', [mac]))
  }

  async allocatedIps(tx: SqlExecutor, subnetId: string): Promise<Set<string>> {
    return new Set((await tx.all<{ ip_address: string }>('SELECT ip_address FROM network_ip_allocations WHERE subnet_id = ?', [subnetId])).map((r) => r.ip_address))
  }

  async allocate(tx: SqlExecutor, subnetId: string, ip: string, portId: string): Promise<void> {
    await tx.run('INSERT INTO network_ip_allocations (subnet_id, ip_address, port_id) VALUES (?, ?, ?)', [subnetId, ip, portId])
  }

  async releasePort(tx: SqlExecutor, portId: string): Promise<void> {
    await tx.run('DELETE FROM network_ip_allocations WHERE port_id = ?', [portId])
  }

  async portsOnSubnet(q: SqlExecutor, subnetId: string): Promise<string[]> {
    return (await q.all<{ port_id: string }>('SELECT DISTINCT port_id FROM network_ip_allocations WHERE subnet_id = ?', [subnetId])).map((r) => r.port_id)
  }

  async quotaOverrides(projectId: string, q: SqlExecutor = this.db): Promise<Record<string, number>> {
    const rows = await q.all<{ resource: string; hard_limit: number }>('SELECT resource, hard_limit FROM network_quotas WHERE project_id = ?', [projectId])
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]))
  }

  async projectsWithQuotas(): Promise<string[]> {
    return (await this.db.all<{ project_id: string }>('SELECT DISTINCT project_id FROM network_quotas')).map((r) => r.project_id)
  }

  async setQuota(tx: SqlExecutor, projectId: string, resource: string, limit: number): Promise<void> {
    await tx.run('INSERT INTO network_quotas (project_id, resource, hard_limit) VALUES (?, ?, ?) ON CONFLICT (project_id, resource) DO UPDATE SET hard_limit = excluded.hard_limit', [projectId, resource, limit])
  }

  async deleteQuotas(tx: SqlExecutor, projectId: string): Promise<void> {
    await tx.run('DELETE FROM network_quotas WHERE project_id = ?', [projectId])
  }

  async getMeta(key: string, q: SqlExecutor = this.db): Promise<string | undefined> {
    return (await q.get<{ value: string }>('SELECT value FROM network_meta WHERE key = ?', [key]))?.value
  }

  async setMeta(tx: SqlExecutor, key: string, value: string): Promise<void> {
    await tx.run('INSERT OR REPLACE INTO network_meta (key, value) VALUES (?, ?)', [key, value])
  }
}
