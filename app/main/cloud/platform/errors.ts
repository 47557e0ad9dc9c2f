/**
 * The errors an API handler may throw. Each carries its HTTP status; a service's fault renderer turns it into
 * that service's OpenStack error body. Anything thrown that is not an ApiError is a bug: the gateway answers
 * 500 with the request id and logs the stack, which never reaches the client.
 */
export abstract class ApiError extends Error {
  abstract readonly status: number
  /** Extra response headers (e.g. WWW-Authenticate on 401, Retry-After on 429). */
  headers: Record<string, string> = {}
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

export class BadRequest extends ApiError {
  readonly status = 400
  /** The JSON path or parameter name that was wrong, when one was. */
  constructor(message: string, readonly field?: string) {
    super(message)
  }
}

export class Unauthorized extends ApiError {
  readonly status = 401
  constructor(message = 'The request you have made requires authentication.') {
    super(message)
  }
}

export class Forbidden extends ApiError {
  readonly status = 403
}

export class PolicyNotAuthorized extends Forbidden {
  constructor(readonly action: string) {
    super(`You are not authorized to perform the requested action: ${action}.`)
  }
}

export class NotFound extends ApiError {
  readonly status = 404
}

export class MethodNotAllowed extends ApiError {
  readonly status = 405
}

export class NotAcceptable extends ApiError {
  readonly status = 406
}

export class Conflict extends ApiError {
  readonly status = 409
}

export class PayloadTooLarge extends ApiError {
  readonly status = 413
}

export class UnsupportedMediaType extends ApiError {
  readonly status = 415
}

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

export class NotImplemented extends ApiError {
  readonly status = 501
}

/** Titles as webob (and so every OpenStack service) spells them. */
export const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
}

/** A stand-in for an unexpected error: the client sees only this message and the request id. */
export class InternalError extends ApiError {
  readonly status = 500
  constructor(requestId: string) {
    super(`An unexpected error prevented the server from fulfilling your request. (request id ${requestId})`)
  }
}
