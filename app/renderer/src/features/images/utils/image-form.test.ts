import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Image } from '../../../lib/openstack/image'
import {
  buildImagePatch,
  createImageBody,
  customProperties,
  formFromImage,
  hasErrors,
  newPropertyRow,
  parseCount,
  pointer,
  validateEditForm,
  validateImportForm,
  validateUploadForm,
  type ImageEditForm,
  type NewImageForm,
} from './image-form'

const IMAGE: Image = {
  id: 'i-1',
  name: 'cirros',
  status: 'active',
  visibility: 'private',
  owner: 'p-1',
  size: 21430272,
  virtual_size: 117440512,
  disk_format: 'qcow2',
  container_format: 'bare',
  checksum: 'abc',
  os_hash_algo: 'sha512',
  os_hash_value: 'def',
  min_disk: 0,
  min_ram: 0,
  protected: false,
  os_hidden: false,
  tags: [],
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  self: '/v2/images/i-1',
  file: '/v2/images/i-1/file',
  schema: '/v2/schemas/image',
  stores: 'file',
  hw_disk_bus: 'virtio',
  os_distro: 'cirros',
  os_glance_failed_import: '',
}

const edit = (patch: Partial<ImageEditForm> = {}): ImageEditForm => ({ ...formFromImage(IMAGE), ...patch })

describe('customProperties and formFromImage', () => {
  it('separates custom properties from Glance attributes', () => {
    assert.deepEqual(customProperties(IMAGE), [
      ['hw_disk_bus', 'virtio'],
      ['os_distro', 'cirros'],
      ['os_glance_failed_import', ''],
    ])
  })
  it('fills the edit form, leaving Glance’s own os_glance_* properties out', () => {
    const f = formFromImage(IMAGE)
    assert.equal(f.name, 'cirros')
    assert.equal(f.minDisk, '0')
    assert.deepEqual(
      f.properties.map((r) => [r.key, r.value]),
      [
        ['hw_disk_bus', 'virtio'],
        ['os_distro', 'cirros'],
      ],
    )
  })
})

describe('buildImagePatch', () => {
  it('is empty when nothing changed', () => {
    assert.deepEqual(buildImagePatch(IMAGE, edit()), [])
  })

  it('replaces changed attributes', () => {
    const ops = buildImagePatch(IMAGE, edit({ name: ' cirros-2 ', visibility: 'community', protected: true, minDisk: '1', minRam: '256' }))
    assert.deepEqual(ops, [
      { op: 'replace', path: '/name', value: 'cirros-2' },
      { op: 'replace', path: '/visibility', value: 'community' },
      { op: 'replace', path: '/protected', value: true },
      { op: 'replace', path: '/min_disk', value: 1 },
      { op: 'replace', path: '/min_ram', value: 256 },
    ])
  })

  it('adds, replaces and removes custom properties (the brief’s example)', () => {
    const form = edit()
    form.properties = [newPropertyRow('hw_disk_bus', 'scsi'), newPropertyRow('hw_vif_model', 'virtio'), newPropertyRow('', '')]
    assert.deepEqual(buildImagePatch(IMAGE, form), [
      { op: 'remove', path: '/os_distro' },
      { op: 'replace', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'add', path: '/hw_vif_model', value: 'virtio' },
    ])
  })

  it('renames a key as remove + add, and escapes JSON pointers', () => {
    const form = edit()
    form.properties = [newPropertyRow('hw_disk_bus', 'virtio'), newPropertyRow('a/b~c', 'x')]
    assert.deepEqual(buildImagePatch(IMAGE, form), [
      { op: 'remove', path: '/os_distro' },
      { op: 'add', path: '/a~1b~0c', value: 'x' },
    ])
    assert.equal(pointer('x/y'), '/x~1y')
  })

  it('never touches os_glance_* properties, even though the form does not show them', () => {
    const form = edit()
    form.properties = []
    const ops = buildImagePatch(IMAGE, form)
    assert.ok(!ops.some((o) => o.path.startsWith('/os_glance')))
  })
})

describe('validateEditForm', () => {
  it('accepts the unchanged form', () => {
    assert.equal(hasErrors(validateEditForm(edit())), false)
  })
  it('says how to fix each problem', () => {
    const form = edit({ name: ' ', minDisk: '-1', minRam: '1.5' })
    const a = newPropertyRow('status', 'x')
    const b = newPropertyRow('k', 'v')
    const c = newPropertyRow('k', 'w')
    const d = newPropertyRow('', 'orphan')
    const e = newPropertyRow('os_glance_x', 'y')
    const f = newPropertyRow('', '')
    form.properties = [a, b, c, d, e, f]
    const errors = validateEditForm(form)
    assert.match(errors.name ?? '', /Give the image a name/)
    assert.match(errors.minDisk ?? '', /whole number of gigabytes/)
    assert.match(errors.minRam ?? '', /whole number of megabytes/)
    assert.match(errors.properties?.[a.rowId]?.key ?? '', /Glance attribute/)
    assert.equal(errors.properties?.[b.rowId], undefined)
    assert.match(errors.properties?.[c.rowId]?.key ?? '', /appears twice/)
    assert.match(errors.properties?.[d.rowId]?.key ?? '', /Give the property a key/)
    assert.match(errors.properties?.[e.rowId]?.key ?? '', /reserved/)
    assert.equal(errors.properties?.[f.rowId], undefined, 'an empty row is ignored')
  })
})

describe('new image forms', () => {
  const form: NewImageForm = { name: 'tiny', diskFormat: 'qcow2', visibility: 'private', minDisk: '', minRam: '64' }
  it('builds the POST body', () => {
    assert.deepEqual(createImageBody(form), { name: 'tiny', disk_format: 'qcow2', container_format: 'bare', visibility: 'private', min_disk: 0, min_ram: 64 })
  })
  it('needs a non-empty file and a format', () => {
    assert.equal(hasErrors(validateUploadForm(form, { name: 'tiny.qcow2', size: 10 })), false)
    assert.match(validateUploadForm(form, null).file ?? '', /Choose the image file/)
    assert.match(validateUploadForm(form, { name: 'x', size: 0 }).file ?? '', /empty/)
    assert.match(validateUploadForm({ ...form, diskFormat: '' }, { name: 'x', size: 1 }).diskFormat ?? '', /qemu-img info/)
  })
  it('needs an http(s) URL for an import', () => {
    assert.equal(hasErrors(validateImportForm(form, 'https://example.org/tiny.qcow2')), false)
    assert.match(validateImportForm(form, '').url ?? '', /Enter the address/)
    assert.match(validateImportForm(form, 'ftp://example.org/x.img').url ?? '', /http:\/\/ or https:\/\//)
    assert.match(validateImportForm(form, 'not a url').url ?? '', /http:\/\/ or https:\/\//)
  })
  it('parses counts strictly', () => {
    assert.equal(parseCount(''), 0)
    assert.equal(parseCount(' 12 '), 12)
    assert.equal(parseCount('-1'), undefined)
    assert.equal(parseCount('1e3'), undefined)
  })
})
