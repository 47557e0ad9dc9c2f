import type { Migration } from '../../platform/db/migrations'

/**
 * Each resource is a row with the columns the service queries or constrains on, and the rest of its Neutron
 * attributes as JSON. IP uniqueness is the primary key of network_ip_allocations; MAC uniqueness an index.
 */
export const NETWORK_MIGRATIONS: Migration[] = [
  {
    id: 'network-0001-initial',
    sql: `
CREATE TABLE network_networks (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_subnets (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_ports (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, network_id TEXT NOT NULL, mac_address TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL DEFAULT '', data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX network_ports_device ON network_ports (device_id);
CREATE TABLE network_ip_allocations (subnet_id TEXT NOT NULL, ip_address TEXT NOT NULL, port_id TEXT NOT NULL, PRIMARY KEY (subnet_id, ip_address));
CREATE INDEX network_ip_allocations_port ON network_ip_allocations (port_id);
CREATE TABLE network_security_groups (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_security_group_rules (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_routers (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_floatingips (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE network_quotas (project_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL, PRIMARY KEY (project_id, resource));
CREATE TABLE network_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
`,
  },
  {
    // Floating IP port forwardings (a sub-resource of floating IPs); host forwards live in the floating IP's data.
    id: 'network-0002-port-forwardings',
    sql: `
CREATE TABLE network_port_forwardings (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, floatingip_id TEXT NOT NULL, data TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX network_port_forwardings_fip ON network_port_forwardings (floatingip_id)
`,
  },
]
