import type { CreateRuleBody, SecurityGroupRule } from '../../../lib/openstack/network'

/** The add-rule form, its checks (Neutron's) and a rule in words. Pure: no DOM, no I/O. */
export interface RuleForm {
  direction: 'ingress' | 'egress'
  protocol: 'any' | 'tcp' | 'udp' | 'icmp'
  /** '' (all ports), '22' or '8000-8080'; TCP and UDP only. */
  ports: string
  /** '' (anywhere) or an IPv4 CIDR. */
  remote: string
  description: string
}

export type RuleErrors = Partial<Record<keyof RuleForm, string>>

export const emptyRuleForm = (): RuleForm => ({ direction: 'ingress', protocol: 'tcp', ports: '', remote: '0.0.0.0/0', description: '' })

export function parsePorts(s: string): { min: number; max: number } | null | 'invalid' {
  const t = s.trim()
  if (!t) return null
  const m = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?$/.exec(t)
  if (!m) return 'invalid'
  const min = Number(m[1])
  const max = m[2] === undefined ? min : Number(m[2])
  if (min < 1 || max > 65535 || min > max) return 'invalid'
  return { min, max }
}

function isIpv4Cidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s)
  if (!m) return false
  return m.slice(1, 5).every((p) => Number(p) <= 255) && (m[5] === undefined || Number(m[5]) <= 32)
}

export function validateRuleForm(f: RuleForm): RuleErrors {
  const e: RuleErrors = {}
  if (f.protocol === 'tcp' || f.protocol === 'udp') {
    if (parsePorts(f.ports) === 'invalid') e.ports = 'A port (22) or a range (8000-8080), from 1 to 65535.'
  }
  if (f.remote.trim() && !isIpv4Cidr(f.remote.trim())) e.remote = 'An IPv4 CIDR such as 0.0.0.0/0 or 192.168.1.0/24.'
  if (f.description.length > 255) e.description = 'At most 255 characters.'
  return e
}

export const hasErrors = (e: RuleErrors): boolean => Object.values(e).some(Boolean)

export function buildCreateRuleBody(f: RuleForm, groupId: string): CreateRuleBody {
  const rule: CreateRuleBody['security_group_rule'] = { security_group_id: groupId, direction: f.direction, ethertype: 'IPv4' }
  if (f.protocol !== 'any') rule.protocol = f.protocol
  const ports = f.protocol === 'tcp' || f.protocol === 'udp' ? parsePorts(f.ports) : null
  if (ports && ports !== 'invalid') {
    rule.port_range_min = ports.min
    rule.port_range_max = ports.max
  }
  const remote = f.remote.trim()
  if (remote) rule.remote_ip_prefix = remote.includes('/') ? remote : `${remote}/32`
  if (f.description.trim()) rule.description = f.description.trim()
  return { security_group_rule: rule }
}

type RuleLike = Pick<SecurityGroupRule, 'direction' | 'ethertype' | 'protocol' | 'port_range_min' | 'port_range_max' | 'remote_ip_prefix' | 'remote_group_id'>

/** "Allow inbound TCP port 22 from 0.0.0.0/0", "Allow outbound any IPv6 traffic to anywhere", … */
export function describeRule(r: RuleLike, groupName: (id: string) => string = (id) => id): string {
  const inbound = r.direction === 'ingress'
  const proto = r.protocol === null ? `any ${r.ethertype}` : r.protocol.toUpperCase()
  let ports = ''
  if (r.protocol === 'icmp' || r.protocol === 'ipv6-icmp') {
    if (r.port_range_min !== null) ports = ` type ${r.port_range_min}${r.port_range_max !== null ? ` code ${r.port_range_max}` : ''}`
  } else if (r.port_range_min !== null) {
    const max = r.port_range_max ?? r.port_range_min
    ports = max === r.port_range_min ? ` port ${r.port_range_min}` : ` ports ${r.port_range_min}–${max}`
  } else if (r.protocol === 'tcp' || r.protocol === 'udp') ports = ' all ports'
  const peer = r.remote_group_id ? `members of group ${groupName(r.remote_group_id)}` : r.remote_ip_prefix ?? 'anywhere'
  return `Allow ${inbound ? 'inbound' : 'outbound'} ${proto}${r.protocol === null ? ' traffic' : ''}${ports} ${inbound ? 'from' : 'to'} ${peer}`
}
