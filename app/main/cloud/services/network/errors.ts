import { BadRequest, Conflict, NotFound, type ApiError } from '../../platform/errors'

/** Neutron's faults carry the exception's class name as their `type` (neutron_lib.exceptions). */
function typed<E extends ApiError>(err: E, type: string): E {
  return Object.assign(err, { neutronType: type })
}

const SINGULAR_NAMES: Record<string, [string, (id: string) => string]> = {
  networks: ['NetworkNotFound', (id) => `Network ${id} could not be found.`],
  subnets: ['SubnetNotFound', (id) => `Subnet ${id} could not be found.`],
  ports: ['PortNotFound', (id) => `Port ${id} could not be found.`],
  routers: ['RouterNotFound', (id) => `Router ${id} could not be found.`],
  floatingips: ['FloatingIPNotFound', (id) => `Floating IP ${id} could not be found.`],
  security_groups: ['SecurityGroupNotFound', (id) => `Security group ${id} does not exist.`],
  security_group_rules: ['SecurityGroupRuleNotFound', (id) => `Security group rule ${id} does not exist.`],
}

export function notFound(kind: string, id: string): NotFound {
  const [type, msg] = SINGULAR_NAMES[kind] ?? ['NotFound', (i: string) => `${kind} ${i} could not be found.`]
  return typed(new NotFound(msg(id)), type)
}

export const conflict = (type: string, message: string) => typed(new Conflict(message), type)
export const badRequest = (type: string, message: string) => typed(new BadRequest(message), type)
export const notFoundTyped = (type: string, message: string) => typed(new NotFound(message), type)

export const overQuota = (resource: string) => conflict('OverQuota', `Quota exceeded for resources: ['${resource}'].`)
export const ipExhausted = (networkId: string) => conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${networkId}.`)
export const ipInUse = (networkId: string, ip: string) =>
  conflict('IpAddressInUse', `Unable to complete operation for network ${networkId}. The IP address ${ip} is in use.`)
export const subnetInUse = (subnetId: string) =>
  conflict('SubnetInUse', `Unable to complete operation on subnet ${subnetId}: One or more ports have an IP allocation from this subnet.`)
export const networkInUse = (networkId: string) =>
  conflict('NetworkInUse', `Unable to complete operation on network ${networkId}. There are one or more ports still in use on the network.`)
