import { BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge } from '../../platform/errors'

export class VolumeNotFound extends NotFound {
  constructor(id: string) {
    super(`Volume ${id} could not be found.`)
  }
}

export class SnapshotNotFound extends NotFound {
  constructor(id: string) {
    super(`Snapshot ${id} could not be found.`)
  }
}

export class VolumeTypeNotFound extends NotFound {
  constructor(id: string) {
    super(`Volume type ${id} could not be found.`)
  }
}

export class AttachmentNotFound extends NotFound {
  constructor(id: string) {
    super(`VolumeAttachment ${id} could not be found.`)
  }
}

/** 409 for an action the volume's state forbids (Cinder answers InvalidVolume as 400; a state clash is a 409 here). */
export class InvalidVolumeState extends Conflict {
  constructor(id: string, action: string, status: string, allowed: readonly string[]) {
    super(`Invalid volume: Volume ${id} status must be ${allowed.join(' or ')} to ${action}, but current status is: ${status}.`)
  }
}

export class InvalidSnapshotState extends Conflict {
  constructor(id: string, action: string, status: string, allowed: readonly string[]) {
    super(`Invalid snapshot: Snapshot ${id} status must be ${allowed.join(' or ')} to ${action}, but current status is: ${status}.`)
  }
}

export class InvalidInput extends BadRequest {}

/** Cinder's VolumeLimitExceeded / VolumeSizeExceedsAvailableQuota are 413 overLimit. */
export class QuotaExceeded extends PayloadTooLarge {
  constructor(message: string) {
    super(message)
  }
}

/** The host's disk would run (nearly) full. */
export class InsufficientHostSpace extends PayloadTooLarge {}

export class NotAllowed extends Forbidden {}
