import { BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge } from '../../platform/errors'

export class ImageNotFound extends NotFound {
  constructor(id: string) {
    super(`No image found with ID ${id}`)
  }
}

export class ReadOnlyAttribute extends Forbidden {
  constructor(attr: string) {
    super(`Attribute '${attr}' is read-only.`)
  }
}

export class InvalidImageStatus extends Conflict {
  constructor(from: string, to: string) {
    super(`Image status transition from ${from} to ${to} is not allowed`)
  }
}

export class ImageQuotaExceeded extends PayloadTooLarge {
  constructor(limit: number, used: number) {
    super(
      `Denying attempt to upload image because it exceeds the quota: the project's image storage limit is ${limit} bytes ` +
        `and ${Math.max(0, limit - used)} bytes remain. Delete images or ask an admin to raise the quota.`,
    )
  }
}

export class InvalidImageData extends BadRequest {}
