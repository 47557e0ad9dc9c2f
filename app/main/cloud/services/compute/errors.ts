import { ApiError, BadRequest, Conflict, Forbidden, NotFound } from '../../platform/errors'

export class InstanceNotFound extends NotFound {
  constructor(id: string) {
    super(`Instance ${id} could not be found.`)
  }
}

export class FlavorNotFound extends NotFound {
  constructor(id: string) {
    super(`Flavor ${id} could not be found.`)
  }
}

export class KeypairNotFound extends NotFound {
  constructor(name: string, userId: string) {
    super(`Keypair ${name} not found for user ${userId}`)
  }
}

/** 409 for an action the instance's state forbids, in Nova's words. */
export class InstanceInvalidState extends Conflict {
  constructor(action: string, id: string, attr: string, state: string | null) {
    super(`Cannot '${action}' instance ${id} while it is in ${attr} ${state}`)
  }
}

export class QuotaExceeded extends Forbidden {
  constructor(resource: string, requested: number, used: number, limit: number) {
    super(`Quota exceeded for ${resource}: Requested ${requested}, but already used ${used} of ${limit} ${resource}`)
  }
}

export class InvalidRequest extends BadRequest {}

export class HypervisorUnavailable extends ApiError {
  readonly status = 503
  constructor(reason: string) {
    super(`The hypervisor is not available: ${reason}`)
  }
}

/** networks 'auto' with more than one network to choose from (Nova's NetworkAmbiguous). */
export class NetworkAmbiguous extends Conflict {
  constructor() {
    super('Multiple possible networks found, use a Network ID to be more specific.')
  }
}

/** networks 'auto' with no network at all: Nova would boot without a NIC; a pocket cloud says what to do. */
export class NoNetworkAvailable extends BadRequest {
  constructor() {
    super('No network is available to this project to attach the server to: create one with a subnet (openstack network create, openstack subnet create), or boot with networks "none" (--nic none).', 'server/networks')
  }
}

export class NetworkRequiresSubnet extends BadRequest {
  constructor(networkId: string) {
    super(`Network ${networkId} requires a subnet in order to boot instances on.`, 'server/networks')
  }
}

export class PortInUse extends Conflict {
  constructor(portId: string) {
    super(`Port ${portId} is still in use.`)
  }
}

export class SecurityGroupNotOnInstance extends NotFound {}

export class VolumeNotFound extends NotFound {
  constructor(id: string) {
    super(`Volume ${id} could not be found.`)
  }
}

/** DELETE or GET of an attachment the instance does not have (Nova's VolumeBDMNotFound). */
export class VolumeNotAttached extends NotFound {
  constructor(volumeId: string, instanceId: string) {
    super(`Volume ${volumeId} is not attached to instance ${instanceId}.`)
  }
}

/** The hypervisor could not plug or unplug the disk (the guest did not release it, …): the volume is as it was. */
export class VolumeOperationFailed extends Conflict {}

/** No volume service in this cloud (its client is not wired). */
export class BlockStorageUnavailable extends ApiError {
  readonly status = 503
  constructor() {
    super('The block storage service is not available in this cloud.')
  }
}
