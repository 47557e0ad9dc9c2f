import { BadRequest, NotFound, Unauthorized } from '../../platform/errors'

/** Keystone's wording: "Could not find project: <id>." */
export class ResourceNotFound extends NotFound {
  constructor(readonly kind: string, readonly ref: string) {
    super(`Could not find ${kind}: ${ref}.`)
  }
}

/** Every authentication failure looks the same: no hint whether the user or the password was wrong. */
export class AuthenticationFailed extends Unauthorized {
  constructor() {
    super('The request you have made requires authentication.')
  }
}

export class TokenNotFound extends NotFound {
  constructor() {
    super('Failed to validate token')
  }
}

export class InvalidField extends BadRequest {}
