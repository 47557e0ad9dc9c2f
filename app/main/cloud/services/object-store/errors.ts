import { BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, UnprocessableEntity } from '../../platform/errors'

// Swift's statuses beyond 4xx basics live with the others in platform/errors.ts; re-exported for this service's code.
export { LengthRequired, PreconditionFailed, RangeNotSatisfiable, UnprocessableEntity } from '../../platform/errors'

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
