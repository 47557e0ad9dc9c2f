import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SecurityGroup, SecurityGroupRule } from './network'
import { adminUserOf, httpUrl, ingressAllowed, otherForwards, sshCommand } from './host-access'

const forwards = [
  { protocol: 'tcp', internal_port: 22, host_port: 40000 },
  { protocol: 'tcp', internal_port: 80, host_port: 40001 },
]

describe('host access', () => {
  it('writes the ssh line and the http link from host_forwards', () => {
    assert.equal(sshCommand(forwards), 'ssh -p 40000 root@127.0.0.1')
    assert.equal(sshCommand(forwards, 'debian'), 'ssh -p 40000 debian@127.0.0.1')
    assert.equal(httpUrl(forwards), 'http://127.0.0.1:40001/')
  })

  it('has nothing to offer without the forward', () => {
    assert.equal(sshCommand(undefined), null)
    assert.equal(sshCommand([{ protocol: 'udp', internal_port: 22, host_port: 1 }]), null)
    assert.equal(httpUrl([forwards[0]!]), null)
  })

  it("takes the image's admin user only when it is a plain name", () => {
    assert.equal(adminUserOf({ os_admin_user: 'cirros' }), 'cirros')
    assert.equal(adminUserOf({ os_admin_user: 'x; rm -rf /' }), 'root')
    assert.equal(adminUserOf({}), 'root')
    assert.equal(adminUserOf(undefined), 'root')
    assert.equal(sshCommand(forwards, 'bad user'), 'ssh -p 40000 root@127.0.0.1')
  })

  it('lists the other forwards', () => {
    assert.deepEqual(otherForwards([...forwards, { protocol: 'TCP', internal_port: 8080, host_port: 40002 }]), ['tcp 8080 → 127.0.0.1:40002'])
  })

  it('tells whether the security groups let ssh in', () => {
    const rule = (over: Partial<SecurityGroupRule>): SecurityGroupRule => ({
      id: 'r',
      security_group_id: 'g',
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: '0.0.0.0/0',
      remote_group_id: null,
      project_id: 'p',
      ...over,
    })
    const group = (rules: SecurityGroupRule[]): SecurityGroup => ({ id: 'g', name: 'default', description: '', project_id: 'p', security_group_rules: rules })
    const port = { security_groups: ['g'] }
    assert.equal(ingressAllowed(port, [group([rule({})])], 22), 'yes')
    assert.equal(ingressAllowed(port, [group([rule({ protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null })])], 22), 'yes')
    assert.equal(ingressAllowed(port, [group([rule({ remote_ip_prefix: null, remote_group_id: 'g', protocol: null, port_range_min: null, port_range_max: null })])], 22), 'no', "the default group's own-members rule")
    assert.equal(ingressAllowed(port, [group([rule({ remote_ip_prefix: '10.0.0.0/8' })])], 22), 'maybe')
    assert.equal(ingressAllowed(port, [group([rule({ port_range_min: 80, port_range_max: 80 })])], 22), 'no')
    assert.equal(ingressAllowed({ security_groups: [], port_security_enabled: false }, [], 22), 'yes')
  })
})
