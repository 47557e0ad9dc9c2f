import { parseIpv4 } from '../../../lib/ipv4'
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import type { CreatePortForwardingBody, FloatingIp, Port } from '../../../lib/openstack/network'

/** The Floating IPs panel's checks, request bodies and error words. Pure. */

/** Which of an instance's ports can take a floating IP: those with an IPv4 address. */
export const associablePorts = (ports: readonly Port[]): Port[] => ports.filter((p) => p.fixed_ips.some((f) => parseIpv4(f.ip_address) !== null))

/** Words for a refused association: what is missing between the instance's network and the floating IP's. */
export function describeAssociateError(err: unknown, pool: string): string {
  if (err instanceof OpenStackError) {
    if (err.status === 404 && (/ExternalGatewayForFloatingIP/.test(err.details.kind ?? '') || /not reachable/i.test(err.message))) {
      return (
        `No router joins the instance's subnet to ${pool}. In Network → Routers, give a router a gateway on ${pool} and an interface on the instance's subnet ` +
        '(openstack router set --external-gateway …; openstack router add subnet …), then associate again.'
      )
    }
    if (err.status === 409) return `${err.message.replace(/\.?\s*$/, '.')} Disassociate the other floating IP first, or choose another port.`
    if (err.status === 400) return `${err.message.replace(/\.?\s*$/, '.')} Choose another port or address.`
  }
  return describeError(err, 'associate this floating IP (only its project or an admin may)')
}

export function describeAllocateError(err: unknown, pool: string): string {
  if (err instanceof OpenStackError) {
    if (err.status === 409 && /quota|OverQuota/i.test(err.message)) return `${err.message.replace(/\.?\s*$/, '.')} Release a floating IP you no longer use, or ask an admin to raise the quota.`
    if (err.status === 409) return `${pool} has no free address left (${err.message.replace(/\.?\s*$/, '')}). Release a floating IP first.`
  }
  return describeError(err, 'allocate floating IPs')
}

export interface ForwardingForm {
  portId: string
  internalIp: string
  internalPort: string
  externalPort: string
  protocol: 'tcp' | 'udp'
  description: string
}

export type ForwardingErrors = Partial<Record<keyof ForwardingForm, string>>

export const emptyForwardingForm = (): ForwardingForm => ({ portId: '', internalIp: '', internalPort: '', externalPort: '', protocol: 'tcp', description: '' })

const portNumber = (s: string): number | null => (/^\d{1,5}$/.test(s.trim()) && Number(s) >= 1 && Number(s) <= 65535 ? Number(s) : null)

export function validateForwardingForm(f: ForwardingForm, ports: readonly Port[], existing: readonly { protocol: string; external_port: number }[]): ForwardingErrors {
  const e: ForwardingErrors = {}
  const port = ports.find((p) => p.id === f.portId)
  if (!f.portId) e.portId = 'Choose the instance port the traffic goes to.'
  else if (!port) e.portId = 'That port no longer exists: choose another.'
  if (!f.internalIp) e.internalIp = 'Choose the address on that port.'
  else if (port && !port.fixed_ips.some((x) => x.ip_address === f.internalIp)) e.internalIp = `Not an address of that port (${port.fixed_ips.map((x) => x.ip_address).join(', ')}).`
  if (portNumber(f.internalPort) === null) e.internalPort = 'A port number from 1 to 65535, e.g. 8080.'
  const ext = portNumber(f.externalPort)
  if (ext === null) e.externalPort = 'A port number from 1 to 65535: the port of 127.0.0.1 on this computer.'
  else if (ext < 1024) e.externalPort = 'From 1024 up: lower ports of this computer need root.'
  else if (existing.some((x) => x.protocol === f.protocol && x.external_port === ext)) e.externalPort = `Already forwarded (${f.protocol} ${ext}): choose another.`
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v)) as ForwardingErrors
}

export const hasForwardingErrors = (e: ForwardingErrors): boolean => Object.values(e).some(Boolean)

export function buildForwardingBody(f: ForwardingForm): CreatePortForwardingBody {
  const pf: CreatePortForwardingBody['port_forwarding'] = {
    protocol: f.protocol,
    internal_ip_address: f.internalIp,
    internal_port: Number(f.internalPort),
    internal_port_id: f.portId,
    external_port: Number(f.externalPort),
  }
  if (f.description.trim()) pf.description = f.description.trim()
  return { port_forwarding: pf }
}

/** The instance a floating IP points at (fip-port-details), if it is an instance. */
export const instanceOf = (f: Pick<FloatingIp, 'port_details'>): string | undefined =>
  f.port_details && f.port_details.device_owner.startsWith('compute:') ? f.port_details.device_id : undefined

/** Why a floating IP cannot take port forwardings, or be associated (Neutron allows one or the other), or null. */
export function forwardingBlocker(f: Pick<FloatingIp, 'port_id'>): string | null {
  return f.port_id ? 'A floating IP has either an associated port or port forwardings: disassociate it first.' : null
}
export function associateBlocker(f: Pick<FloatingIp, 'port_forwardings'>): string | null {
  return f.port_forwardings?.length ? 'It has port forwardings: a floating IP has either those or an associated port. Delete them first.' : null
}

/** Words for a refused port forwarding: the cloud says which port is taken or what is in the way. */
export function describeForwardingError(err: unknown): string {
  if (err instanceof OpenStackError && (err.status === 409 || err.status === 400)) {
    const said = err.message.replace(/\.?\s*$/, '.')
    if (/in use|taken|already/i.test(err.message) && /external/i.test(err.message)) return `${said} Choose another port of 127.0.0.1.`
    return said
  }
  return describeError(err, 'add port forwardings to this floating IP')
}
