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
