import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Subnet } from '../../../lib/openstack/network'
import { buildCreatePortBody, buildSecurityGroupsBody, deleteBlocker, emptyPortForm, groupNames, securityGroupsBlocker, validatePortForm } from './port-form'

const subnets: Subnet[] = [{ id: 's1', name: 'private-subnet', network_id: 'n1', ip_version: 4, cidr: '10.0.0.0/26', gateway_ip: '10.0.0.1', enable_dhcp: true, project_id: 'p' }]

describe('port form', () => {
  it('needs a network with a subnet', () => {
    assert.equal(validatePortForm(emptyPortForm(), subnets).networkId, 'Choose the network the port is on.')
    assert.match(validatePortForm(emptyPortForm('n2'), subnets).networkId ?? '', /has no subnet/)
    assert.deepEqual(validatePortForm(emptyPortForm('n1'), subnets), {})
  })

  it('checks a fixed IP against the subnet', () => {
    const f = { ...emptyPortForm('n1'), ipAddress: '10.0.0.99' }
    assert.match(validatePortForm(f, subnets).ipAddress ?? '', /Not an address of 10\.0\.0\.0\/26/)
    assert.match(validatePortForm({ ...f, ipAddress: '10.0.0.1' }, subnets).ipAddress ?? '', /gateway/)
    assert.match(validatePortForm({ ...f, ipAddress: 'ten' }, subnets).ipAddress ?? '', /IPv4/)
    assert.deepEqual(validatePortForm({ ...f, ipAddress: '10.0.0.20', subnetId: 's1' }, subnets), {})
  })

  it('builds the bodies', () => {
    assert.deepEqual(buildCreatePortBody(emptyPortForm('n1', 'sg-default')), { port: { network_id: 'n1', security_groups: ['sg-default'] } })
    assert.deepEqual(buildCreatePortBody({ ...emptyPortForm('n1'), name: ' p ', subnetId: 's1', ipAddress: '10.0.0.20', adminStateUp: false }), {
      port: { network_id: 'n1', name: 'p', fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.20' }], security_groups: [], admin_state_up: false },
    })
    assert.deepEqual(buildSecurityGroupsBody(['a']), { port: { security_groups: ['a'] } })
  })

  it("says which ports Neutron manages itself", () => {
    assert.match(deleteBlocker({ device_owner: 'network:router_interface' }) ?? '', /router remove subnet/)
    assert.equal(deleteBlocker({ device_owner: 'compute:nova' }), null)
    assert.match(securityGroupsBlocker({ device_owner: 'network:dhcp' }) ?? '', /no security groups/)
    assert.match(securityGroupsBlocker({ device_owner: '', port_security_enabled: false }) ?? '', /Port security is off/)
    assert.equal(securityGroupsBlocker({ device_owner: 'compute:nova', port_security_enabled: true }), null)
    assert.deepEqual(groupNames(['a', 'bbbbbbbbbbbb'], [{ id: 'a', name: 'default', description: '', project_id: 'p' }]), ['default', 'bbbbbbbb…'])
  })
})
