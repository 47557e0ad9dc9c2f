import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildCreateRuleBody, describeRule, emptyRuleForm, parsePorts, validateRuleForm } from './rule-form'

const rule = (over: Record<string, unknown>) =>
  ({ direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, ...over }) as Parameters<typeof describeRule>[0]

describe('describeRule', () => {
  it('says what a rule lets through', () => {
    assert.equal(describeRule(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' })), 'Allow inbound TCP port 22 from 0.0.0.0/0')
    assert.equal(describeRule(rule({ protocol: 'udp', port_range_min: 8000, port_range_max: 8080 })), 'Allow inbound UDP ports 8000–8080 from anywhere')
    assert.equal(describeRule(rule({ direction: 'egress', ethertype: 'IPv6' })), 'Allow outbound any IPv6 traffic to anywhere')
    assert.equal(describeRule(rule({ protocol: 'icmp' })), 'Allow inbound ICMP from anywhere')
    assert.equal(describeRule(rule({ protocol: 'tcp' })), 'Allow inbound TCP all ports from anywhere')
    assert.equal(describeRule(rule({ remote_group_id: 'g1' }), () => 'default'), 'Allow inbound any IPv4 traffic from members of group default')
  })
})

describe('rule form', () => {
  it('parses ports', () => {
    assert.equal(parsePorts(''), null)
    assert.deepEqual(parsePorts('22'), { min: 22, max: 22 })
    assert.deepEqual(parsePorts('8000-8080'), { min: 8000, max: 8080 })
    assert.equal(parsePorts('9-8'), 'invalid')
    assert.equal(parsePorts('0'), 'invalid')
    assert.equal(parsePorts('70000'), 'invalid')
  })
  it('validates', () => {
    assert.deepEqual(validateRuleForm({ ...emptyRuleForm(), ports: '22' }), {})
    assert.ok(validateRuleForm({ ...emptyRuleForm(), ports: 'ssh' }).ports)
    assert.deepEqual(validateRuleForm({ ...emptyRuleForm(), protocol: 'icmp', ports: 'ignored' }), {})
    assert.ok(validateRuleForm({ ...emptyRuleForm(), remote: '10.0.0/8' }).remote)
    assert.deepEqual(validateRuleForm({ ...emptyRuleForm(), remote: '' }), {})
  })
  it('builds the body', () => {
    assert.deepEqual(buildCreateRuleBody({ ...emptyRuleForm(), ports: '80-81' }, 'g'), {
      security_group_rule: { security_group_id: 'g', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 81, remote_ip_prefix: '0.0.0.0/0' },
    })
    assert.deepEqual(buildCreateRuleBody({ ...emptyRuleForm(), direction: 'egress', protocol: 'any', ports: '22', remote: '10.0.0.1' }, 'g'), {
      security_group_rule: { security_group_id: 'g', direction: 'egress', ethertype: 'IPv4', remote_ip_prefix: '10.0.0.1/32' },
    })
  })
})
