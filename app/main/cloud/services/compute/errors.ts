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
