import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OpenStackError } from '../../../lib/openstack/errors'
import type { Port } from '../../../lib/openstack/network'
import { associablePorts, associateBlocker, buildForwardingBody, describeAssociateError, describeForwardingError, emptyForwardingForm, forwardingBlocker, instanceOf, validateForwardingForm } from './floating-ip-form'

const port = (id: string, ip: string): Port => ({
  id,
  name: '',
  network_id: 'n',
  mac_address: 'fa:16:3e:00:00:01',
  admin_state_up: true,
  status: 'ACTIVE',
  device_id: 'vm',
  device_owner: 'compute:nova',
  fixed_ips: ip ? [{ subnet_id: 's', ip_address: ip }] : [],
  security_groups: [],
  project_id: 'p',
})

describe('floating IP forms', () => {
  it('offers only ports with an IPv4 address', () => {
    assert.deepEqual(
      associablePorts([port('a', '10.0.0.5'), port('b', '')]).map((p) => p.id),
      ['a'],
    )
  })

  it('says what to do when no router reaches the floating network', () => {
    const err = new OpenStackError(404, 'External network pub is not reachable from subnet s.  Therefore, cannot associate Port p with a Floating IP.', { method: 'PUT', path: '/x' })
    assert.match(describeAssociateError(err, 'public'), /No router joins the instance's subnet to public/)
    const dup = new OpenStackError(409, 'Cannot associate floating IP 1.2.3.4', { method: 'PUT', path: '/x' })
    assert.match(describeAssociateError(dup, 'public'), /Disassociate the other floating IP first/)
  })

  it('checks a port forwarding before sending it', () => {
    const ports = [port('p1', '10.0.0.5')]
    const e = validateForwardingForm(emptyForwardingForm(), ports, [])
    assert.match(e.portId ?? '', /Choose the instance port/)
    assert.match(e.internalPort ?? '', /1 to 65535/)
    const f = { ...emptyForwardingForm(), portId: 'p1', internalIp: '10.0.0.5', internalPort: '8080', externalPort: '80' }
    assert.match(validateForwardingForm(f, ports, []).externalPort ?? '', /From 1024 up/)
    assert.match(validateForwardingForm({ ...f, externalPort: '40100' }, ports, [{ protocol: 'tcp', external_port: 40100 }]).externalPort ?? '', /Already forwarded/)
    assert.deepEqual(validateForwardingForm({ ...f, externalPort: '40100' }, ports, []), {})
    assert.match(validateForwardingForm({ ...f, internalIp: '10.0.0.6', externalPort: '40100' }, ports, []).internalIp ?? '', /Not an address of that port/)
    assert.deepEqual(buildForwardingBody({ ...f, externalPort: '40100', description: ' web ' }), {
      port_forwarding: { protocol: 'tcp', internal_ip_address: '10.0.0.5', internal_port: 8080, internal_port_id: 'p1', external_port: 40100, description: 'web' },
    })
  })

  it('finds the instance behind a floating IP', () => {
    assert.equal(instanceOf({ port_details: { name: '', network_id: 'n', mac_address: '', status: 'ACTIVE', device_id: 'vm1', device_owner: 'compute:nova' } }), 'vm1')
    assert.equal(instanceOf({ port_details: null }), undefined)
  })

  it('keeps association and port forwardings apart, as Neutron does', () => {
    assert.match(forwardingBlocker({ port_id: 'p' }) ?? '', /disassociate it first/)
    assert.equal(forwardingBlocker({ port_id: null }), null)
    assert.match(associateBlocker({ port_forwardings: [{ protocol: 'tcp', internal_ip_address: '10.0.0.5', internal_port: 22, external_port: 40100 }] }) ?? '', /Delete them first/)
    assert.equal(associateBlocker({}), null)
    const taken = new OpenStackError(409, 'External port 40100/tcp is in use on this computer by another program', { method: 'POST', path: '/x' })
    assert.match(describeForwardingError(taken), /Choose another port of 127\.0\.0\.1\.$/)
  })
})
