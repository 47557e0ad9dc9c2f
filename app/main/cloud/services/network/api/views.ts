import type { Resource } from '../models'

/** Model → Neutron JSON: internal keys (leading `_`) never leave; tenant_id mirrors project_id. */
export function view(res: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(res)) if (!k.startsWith('_')) out[k] = v
  out.tenant_id = res.project_id
  return out
}

/** A floating IP port forwarding as Neutron shows it (api-ref samples/port_forwardings). */
export function portForwardingView(pf: Resource): Record<string, unknown> {
  return {
    id: pf.id,
    protocol: pf.protocol,
    internal_ip_address: pf.internal_ip_address,
    internal_port: pf.internal_port,
    internal_port_id: pf.internal_port_id,
    external_port: pf.external_port,
    description: pf.description ?? '',
  }
}

/** The extensions this service implements, as GET /v2.0/extensions lists them. */
export const EXTENSIONS: { alias: string; name: string; description: string }[] = [
  { alias: 'external-net', name: 'Neutron external network', description: 'Adds external network attribute to network resource.' },
  { alias: 'router', name: 'Neutron L3 Router', description: 'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.' },
  { alias: 'ext-gw-mode', name: 'Neutron L3 Configurable external gateway mode', description: 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway' },
  { alias: 'security-group', name: 'security-group', description: 'The security groups extension.' },
  { alias: 'quotas', name: 'Quota management support', description: 'Expose functions for quotas management per project' },
  { alias: 'quota_details', name: 'Quota details management support', description: 'Expose functions for quotas usage statistics per project' },
  { alias: 'binding', name: 'Port Binding', description: 'Expose port bindings of a virtual port to external application' },
  { alias: 'port-security', name: 'Port Security', description: 'Provides port security' },
  { alias: 'allowed-address-pairs', name: 'Allowed Address Pairs', description: 'Provides allowed address pairs' },
  { alias: 'net-mtu', name: 'Network MTU', description: 'Provides MTU attribute for a network resource.' },
  { alias: 'project-id', name: 'project_id field enabled', description: 'Extension that indicates that project_id field is enabled.' },
  { alias: 'standard-attr-description', name: 'standard-attr-description', description: 'Extension to add descriptions to standard attributes' },
  { alias: 'standard-attr-timestamp', name: 'Resource timestamps', description: 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.' },
  { alias: 'standard-attr-revisions', name: 'Resource revision numbers', description: 'This extension will display the revision number of neutron resources.' },
  { alias: 'fip-port-details', name: 'Floating IP Port Details Extension', description: 'Add port_details attribute to Floating IP resource' },
  { alias: 'floating-ip-port-forwarding', name: 'Floating IP Port Forwarding', description: 'Provides port forwarding from a floating IP to a port of an instance. Here the external_port is a port on the host\'s 127.0.0.1 (1024-65535), unique across all floating IPs.' },
  { alias: 'floating-ip-port-forwarding-description', name: 'Floating IP Port Forwarding new attribute description', description: 'Adds a description attribute to floating IP port forwardings.' },
  { alias: 'expose-port-forwarding-in-fip', name: 'Expose Port Forwarding in Floating IP', description: 'Lists the port forwardings of a floating IP in its port_forwardings attribute.' },
  {
    alias: 'stackling-floating-ip-host-forwards',
    name: 'Stackling floating IP host forwards',
    description:
      'All floating IPs of this cloud live behind the host\'s 127.0.0.1, so an associated floating IP gets host ports forwarded to its instance ports 22/tcp (ssh) and 80/tcp (http), listed in its host_forwards attribute as [{protocol, internal_port, host_port}] ([] when not associated). A host port stays the same while the floating IP stays associated; disassociating frees it.',
  },
  { alias: 'pagination', name: 'Pagination support', description: 'Extension that indicates that pagination is enabled.' },
  { alias: 'sorting', name: 'Sorting support', description: 'Extension that indicates that sorting is enabled.' },
]
