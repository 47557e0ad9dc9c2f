import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildCreateNetworkBody, buildCreateSubnetBody, checkCidr, emptyNetworkForm, parseIpv4, validateNetworkForm } from './network-form'

describe('checkCidr', () => {
  it('accepts network addresses with a prefix up to /30', () => {
    const c = checkCidr('10.0.0.0/24')
    assert.ok(c.ok)
    if (c.ok) {
      assert.equal(c.prefix, 24)
      assert.equal(c.first, parseIpv4('10.0.0.1'))
      assert.equal(c.last, parseIpv4('10.0.0.254'))
    }
    assert.ok(checkCidr(' 192.168.4.0/22 ').ok)
    assert.ok(checkCidr('0.0.0.0/0').ok)
  })
  it('refuses what Neutron refuses, saying why', () => {
    assert.deepEqual(checkCidr(''), { ok: false, error: 'Give the subnet range, e.g. 10.0.0.0/24.' })
    assert.match((checkCidr('10.0.0.0') as { error: string }).error, /prefix length/)
    assert.match((checkCidr('10.0.0.256/24') as { error: string }).error, /not an IPv4 address/)
    assert.match((checkCidr('fd00::/64') as { error: string }).error, /IPv4 only/)
    assert.match((checkCidr('10.0.0.0/31') as { error: string }).error, /At most \/30/)
    assert.match((checkCidr('10.0.0.0/33') as { error: string }).error, /at most 32/)
    assert.match((checkCidr('10.0.0.5/24') as { error: string }).error, /network address is 10\.0\.0\.0\/24/)
    assert.equal(checkCidr('010.0.0.0/8').ok, false)
  })
})

describe('validateNetworkForm', () => {
  const form = (over: Partial<ReturnType<typeof emptyNetworkForm>>) => ({ ...emptyNetworkForm(), name: 'net1', cidr: '10.1.0.0/24', ...over })
  it('passes a good form', () => assert.deepEqual(validateNetworkForm(form({})), {}))
  it('needs a name and a unique one', () => {
    assert.ok(validateNetworkForm(form({ name: '' })).name)
    assert.match(validateNetworkForm(form({}), ['net1']).name!, /has this name/)
  })
  it('checks the gateway against the CIDR', () => {
    assert.deepEqual(validateNetworkForm(form({ gateway: '10.1.0.254' })), {})
    assert.match(validateNetworkForm(form({ gateway: '10.2.0.1' })).gateway!, /from 10\.1\.0\.1 to 10\.1\.0\.254/)
    assert.match(validateNetworkForm(form({ gateway: '10.1.0.255' })).gateway!, /Not a host/)
    assert.ok(validateNetworkForm(form({ gateway: 'x' })).gateway)
    assert.deepEqual(validateNetworkForm(form({ gateway: 'x', noGateway: true })), {})
  })
  it('ignores the subnet fields without a subnet', () => assert.deepEqual(validateNetworkForm(form({ withSubnet: false, cidr: 'bad' })), {}))
})

describe('request bodies', () => {
  it('sends admin-only attributes for admins only', () => {
    const f = { ...emptyNetworkForm(), name: 'n', shared: true, external: true }
    assert.deepEqual(buildCreateNetworkBody(f, true), { network: { name: 'n', shared: true, 'router:external': true } })
    assert.deepEqual(buildCreateNetworkBody(f, false), { network: { name: 'n' } })
  })
  it('builds the subnet', () => {
    const f = { ...emptyNetworkForm(), name: 'n', cidr: '10.0.0.0/24' }
    assert.deepEqual(buildCreateSubnetBody(f, 'id1'), { subnet: { network_id: 'id1', ip_version: 4, cidr: '10.0.0.0/24', name: 'n-subnet' } })
    assert.deepEqual(buildCreateSubnetBody({ ...f, subnetName: 's', noGateway: true, enableDhcp: false }, 'id1'), {
      subnet: { network_id: 'id1', ip_version: 4, cidr: '10.0.0.0/24', name: 's', gateway_ip: null, enable_dhcp: false },
    })
  })
})
