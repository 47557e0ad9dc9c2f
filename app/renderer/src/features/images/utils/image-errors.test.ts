import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OpenStackError } from '../../../lib/openstack/errors'
import { describeImageError } from './image-errors'

const err = (status: number, message: string, kind?: string) => new OpenStackError(status, message, { method: 'PUT', path: '/image/v2/images/x/file', kind })

describe('describeImageError', () => {
  it('says what to do when the quota is full', () => {
    assert.equal(
      describeImageError(err(413, 'Denying attempt to upload image because it exceeds the quota: the limit is 10 bytes'), 'upload images'),
      "This project's image storage quota is full: delete images or ask an admin to raise it.",
    )
  })
  it('explains a format refusal', () => {
    assert.match(
      describeImageError(err(400, "The image data does not match the declared disk_format 'qcow2': qemu-img found 'raw'"), 'upload images'),
      /^The image data does not match .*'raw'\. Choose the disk format the file really has \(qemu-img info <file> tells you\)/,
    )
  })
  it('explains protected images and admin-only publishing', () => {
    assert.match(describeImageError(err(403, 'Image x is protected and cannot be deleted.'), 'delete this image'), /clear "Protected" first/)
    assert.match(describeImageError(err(403, "Policy doesn't allow image:publicize_image to be performed."), 'change this image'), /Only administrators can make images public/)
    assert.match(describeImageError(err(403, "Attribute 'status' is read-only."), 'change this image'), /Glance sets that attribute itself/)
  })
  it('falls back to the general words', () => {
    assert.match(describeImageError(err(403, 'nope'), 'deactivate images'), /You are not allowed to deactivate images \(needs the admin role\)/)
    assert.match(describeImageError(err(409, 'Image status transition from active to saving is not allowed'), 'upload images'), /refresh and try again/)
    assert.equal(describeImageError(err(0, 'The upload was cancelled.', 'aborted'), 'upload images'), 'Upload cancelled.')
    assert.match(describeImageError(err(0, 'Could not reach the cloud.'), 'upload images'), /Check that it is still running/)
  })
})
