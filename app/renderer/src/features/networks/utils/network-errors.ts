import { describeError, OpenStackError } from '../../../lib/openstack/errors'

/** Words for a failed network delete: a 409 says what still uses the network and what to do first. */
export function describeDeleteNetworkError(err: unknown, networkName: string): string {
  if (err instanceof OpenStackError && err.status === 409) {
    return (
      `Network ${networkName} is still in use: instances or routers have ports on it. ` +
      'Delete the instances attached to it (or detach their ports) and remove router interfaces on its subnets, then delete the network again.'
    )
  }
  return describeError(err, 'delete this network (it belongs to another project or is shared by an admin)')
}

/** Words for a failed subnet delete: a 409 says which ports still hold addresses and what to do. */
export function describeDeleteSubnetError(err: unknown, cidr: string): string {
  if (err instanceof OpenStackError && err.status === 409) {
    return (
      `Subnet ${cidr} is still in use: instances, routers or ports have addresses on it. ` +
      'Delete those instances or ports and remove the router interface on this subnet (Network → Routers), then delete it again.'
    )
  }
  return describeError(err, 'delete this subnet (only its project or an admin may)')
}

/** Words for a refused subnet create: Neutron's message says what (overlap, pool, gateway); 403 says whose network. */
export function describeCreateSubnetError(err: unknown): string {
  if (err instanceof OpenStackError && err.status === 403) return 'Only the project that owns this network (or an admin) may add subnets to it.'
  if (err instanceof OpenStackError && err.status === 400) return `Neutron refused the subnet: ${err.message.replace(/\.?\s*$/, '.')} Correct the field it names and try again.`
  return describeError(err, 'create subnets')
}
