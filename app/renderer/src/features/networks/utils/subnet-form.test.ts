import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildSubnetBody, emptySubnetForm, overlapping, splitList, validateSubnetForm, type SubnetForm } from './subnet-form'

const form = (over: Partial<SubnetForm> = {}): SubnetForm => ({ ...emptySubnetForm(), cidr: '10.1.0.0/24', ...over })

describe('subnet form', () => {
  it('accepts a plain subnet and says what is wrong with the range', () => {
    assert.deepEqual(validateSubnetForm(form()), {})
    assert.match(validateSubnetForm(form({ cidr: '' })).cidr ?? '', /Give the subnet range/)
    assert.match(validateSubnetForm(form({ cidr: '10.1.0.1/24' })).cidr ?? '', /network address is 10\.1\.0\.0\/24/)
  })

  it('refuses a range that overlaps a subnet of the network', () => {
    assert.equal(overlapping('10.0.0.0/24', ['10.0.0.0/26']), '10.0.0.0/26')
    assert.equal(overlapping('10.0.1.0/24', ['10.0.0.0/24']), undefined)
    assert.match(validateSubnetForm(form({ cidr: '10.0.0.0/16' }), ['10.0.3.0/24']).cidr ?? '', /Overlaps 10\.0\.3\.0\/24/)
  })

  it('checks the gateway, the nameservers and the pool', () => {
    assert.match(validateSubnetForm(form({ gateway: '10.2.0.1' })).gateway ?? '', /Not a host of 10\.1\.0\.0\/24: from 10\.1\.0\.1 to 10\.1\.0\.254/)
    assert.match(validateSubnetForm(form({ dns: '9.9.9.9, dns.google' })).dns ?? '', /dns\.google is not an IPv4 address/)
    assert.match(validateSubnetForm(form({ dns: '1.1.1.1 1.1.1.1' })).dns ?? '', /twice/)
    assert.match(validateSubnetForm(form({ poolStart: '10.1.0.10' })).poolEnd ?? '', /last address/)
    assert.match(validateSubnetForm(form({ poolStart: '10.1.0.50', poolEnd: '10.1.0.10' })).poolEnd ?? '', /ends before it starts/)
    assert.match(validateSubnetForm(form({ poolStart: '10.1.0.1', poolEnd: '10.1.0.10' })).poolStart ?? '', /gateway 10\.1\.0\.1 is inside the pool/)
    assert.deepEqual(validateSubnetForm(form({ poolStart: '10.1.0.1', poolEnd: '10.1.0.10', noGateway: true })), {})
  })

  it('builds the POST /subnets body', () => {
    assert.deepEqual(buildSubnetBody(form(), 'n1', 'app'), { subnet: { network_id: 'n1', ip_version: 4, cidr: '10.1.0.0/24', name: 'app-subnet' } })
    assert.deepEqual(buildSubnetBody(form({ name: 's2', noGateway: true, enableDhcp: false, dns: '9.9.9.9\n1.1.1.1', poolStart: '10.1.0.10', poolEnd: '10.1.0.20' }), 'n1', 'app'), {
      subnet: {
        network_id: 'n1',
        ip_version: 4,
        cidr: '10.1.0.0/24',
        name: 's2',
        gateway_ip: null,
        enable_dhcp: false,
        dns_nameservers: ['9.9.9.9', '1.1.1.1'],
        allocation_pools: [{ start: '10.1.0.10', end: '10.1.0.20' }],
      },
    })
    assert.deepEqual(splitList(' a, b;c\nd '), ['a', 'b', 'c', 'd'])
  })
})
