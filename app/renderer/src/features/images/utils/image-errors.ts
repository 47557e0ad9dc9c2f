import { describeError, OpenStackError } from '../../../lib/openstack/errors'

/**
 * Glance's refusals in words that say what to do. `action` completes "You are not allowed to …" for the
 * refusals we cannot explain better.
 */
export function describeImageError(err: unknown, action: string): string {
  if (!(err instanceof OpenStackError)) return describeError(err, action)
  const msg = err.message.trim()
  const said = /[.!?]$/.test(msg) ? msg : `${msg}.`
  switch (err.status) {
    case 0:
      if (err.details.kind === 'aborted') return 'Upload cancelled.'
      break
    case 400:
      if (/disk_format|disk format|does not match|format/i.test(msg) && /match|inspect|invalid|declared/i.test(msg)) {
        return `${said} Choose the disk format the file really has (qemu-img info <file> tells you), or convert it with qemu-img convert.`
      }
      return said
    case 403:
      if (/protected/i.test(msg)) return `${said} Edit the image and clear "Protected" first.`
      if (/public/i.test(msg) || /publicize/i.test(msg)) return 'Only administrators can make images public. Choose private, shared or community instead.'
      if (/read.?only|reserved|forbidden to (modify|add|remove)|os_glance/i.test(msg)) return `${said} Glance sets that attribute itself: leave it out.`
      break
    case 409:
      return `${said} The image changed meanwhile: refresh and try again.`
    case 410:
      return `${said} The upload can no longer complete: delete this image and start again.`
    case 413:
      if (/quota/i.test(msg) || !/size|larger|big|cap/i.test(msg)) {
        return "This project's image storage quota is full: delete images or ask an admin to raise it."
      }
      return `${said} Upload a smaller image, or ask an admin to raise the cloud's image size limit.`
    case 415:
      return `${said} The dashboard sent a content type Glance does not accept; try the CLI.`
  }
  return describeError(err, action)
}
