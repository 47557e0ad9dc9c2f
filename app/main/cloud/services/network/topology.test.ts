import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildTopology, portHostname } from './topology'

const port = (extra: Record<string, unknown>) =>
  ({ id: 'abcdef12-0000', project_id: 'p', created_at: '', updated_at: '', revision_number: 0, fixed_ips: [], ...extra }) as never

describe('topology', () => {
  it('names a port for DHCP: its dns_name, else host- and its first IPv4 address', () => {
    assert.equal(portHostname(port({ dns_name: 'web-1', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.5' }] })), 'web-1')
    assert.equal(portHostname(port({ dns_name: 'web-2.example.org.' })), 'web-2')
    assert.equal(portHostname(port({ dns_name: '', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.5' }] })), 'host-10-0-0-5')
    assert.equal(portHostname(port({})), 'host-abcdef12')
  })

  it('shows host forwards only for an associated floating IP', () => {
    const fip = { id: 'f', floating_ip_address: '172.24.4.9', floating_network_id: 'n', router_id: null, port_id: null, fixed_ip_address: null, host_forwards: [{ protocol: 'tcp', internal_port: 22, host_port: 40000 }] }
    const t = buildTopology({ networks: [], subnets: [], ports: [], security_groups: [], security_group_rules: [], routers: [], port_forwardings: [], floatingips: [fip as never] })
    assert.deepEqual(t.floating_ips[0]!.host_forwards, [])
  })
})
