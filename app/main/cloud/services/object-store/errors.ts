import { ApiError, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized } from '../../platform/errors'

/** Swift's own statuses beyond the platform's. Fault bodies are Swift's short HTML (faults.ts swiftFault). */
export class LengthRequired extends ApiError {
  readonly status = 411
}
export class PreconditionFailed extends ApiError {
  readonly status = 412
}
export class RangeNotSatisfiable extends ApiError {
  readonly status = 416
}
export class UnprocessableEntity extends ApiError {
  readonly status = 422
}

export const SWIFT_TITLES: Record<number, string> = {
  411: 'Length Required',
  412: 'Precondition Failed',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
}

export class ContainerNotFound extends NotFound {
  constructor() {
    super('The resource could not be found.')
  }
}
export class ObjectNotFound extends NotFound {
  constructor() {
    super('The resource could not be found.')
  }
}
export class ContainerNotEmpty extends Conflict {
  constructor() {
    super('There was a conflict when trying to complete your request.')
  }
}
export class QuotaExceeded extends PayloadTooLarge {
  constructor(what: string) {
    super(`Upload exceeds quota: ${what}.`)
  }
}
export class EtagMismatch extends UnprocessableEntity {
  constructor() {
    super('The ETag you sent does not match the MD5 of the data received.')
  }
}

export { BadRequest, Forbidden, Unauthorized }
