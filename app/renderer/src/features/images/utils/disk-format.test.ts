import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { compressedExtension, formatMismatch, guessDiskFormat, imageNameFrom, sniffDiskFormat } from './disk-format'

describe('guessDiskFormat', () => {
  it('maps the usual extensions (.img cloud images are qcow2)', () => {
    assert.equal(guessDiskFormat('tiny.qcow2'), 'qcow2')
    assert.equal(guessDiskFormat('cirros-0.6.2-x86_64-disk.img'), 'qcow2')
    assert.equal(guessDiskFormat('disk.RAW'), 'raw')
    assert.equal(guessDiskFormat('debian.iso'), 'iso')
    assert.equal(guessDiskFormat('win.vmdk'), 'vmdk')
    assert.equal(guessDiskFormat('win.vhd'), 'vhd')
    assert.equal(guessDiskFormat('win.vhdx'), 'vhdx')
    assert.equal(guessDiskFormat('box.vdi'), 'vdi')
  })

  it('reads URLs and paths, and says nothing for unknown names', () => {
    assert.equal(guessDiskFormat('https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img?x=1#y'), 'qcow2')
    assert.equal(guessDiskFormat('C:\\images\\disk.raw'), 'raw')
    assert.equal(guessDiskFormat('README'), undefined)
    assert.equal(guessDiskFormat('archive.img.xz'), undefined)
    assert.equal(guessDiskFormat('.img'), undefined)
  })
})

describe('imageNameFrom and compressedExtension', () => {
  it('drops a disk-image extension only', () => {
    assert.equal(imageNameFrom('tiny.qcow2'), 'tiny')
    assert.equal(imageNameFrom('cirros-0.6.2-x86_64-disk.img'), 'cirros-0.6.2-x86_64-disk')
    assert.equal(imageNameFrom('https://example.org/a/ubuntu-24.04.iso'), 'ubuntu-24.04')
    assert.equal(imageNameFrom('https://example.org/a/my%20disk.raw'), 'my disk')
    assert.equal(imageNameFrom('notes.txt'), 'notes.txt')
  })
  it('spots archives', () => {
    assert.equal(compressedExtension('jammy.img.xz'), 'xz')
    assert.equal(compressedExtension('a.qcow2.gz'), 'gz')
    assert.equal(compressedExtension('a.qcow2'), undefined)
  })
})

describe('sniffDiskFormat', () => {
  const bytes = (size: number, at: number, text: string | number[]) => {
    const b = new Uint8Array(size)
    const src = typeof text === 'string' ? [...text].map((c) => c.charCodeAt(0)) : text
    b.set(src, at)
    return b
  }

  it('recognises the headers qemu-img reads', () => {
    assert.equal(sniffDiskFormat(bytes(512, 0, [0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3])), 'qcow2')
    assert.equal(sniffDiskFormat(bytes(512, 0, 'vhdxfile')), 'vhdx')
    assert.equal(sniffDiskFormat(bytes(512, 0, 'KDMV')), 'vmdk')
    assert.equal(sniffDiskFormat(bytes(512, 0, '# Disk DescriptorFile')), 'vmdk')
    assert.equal(sniffDiskFormat(bytes(512, 64, [0x7f, 0x10, 0xda, 0xbe])), 'vdi')
    assert.equal(sniffDiskFormat(bytes(512, 0, 'conectix')), 'vhd')
    assert.equal(sniffDiskFormat(bytes(1024, 0, []), bytes(512, 0, 'conectix')), 'vhd', 'a fixed VHD: footer at the end')
    assert.equal(sniffDiskFormat(bytes(40_000, 0x8001, 'CD001')), 'iso')
  })

  it('says nothing for raw data or a short file', () => {
    assert.equal(sniffDiskFormat(new Uint8Array(4096)), undefined)
    assert.equal(sniffDiskFormat(new Uint8Array(2)), undefined)
    assert.equal(sniffDiskFormat(bytes(512, 0, 'QFI')), undefined)
  })
})

describe('formatMismatch', () => {
  it('warns when the header contradicts the declared format', () => {
    assert.match(formatMismatch('raw', 'qcow2') ?? '', /is a qcow2 image, not raw: choose qcow2/)
    assert.match(formatMismatch('qcow2', undefined) ?? '', /does not start like a qcow2 image/)
    assert.match(formatMismatch('iso', undefined) ?? '', /no ISO 9660/)
  })
  it('stays quiet when they agree or nothing can be told', () => {
    assert.equal(formatMismatch('qcow2', 'qcow2'), undefined)
    assert.equal(formatMismatch('raw', undefined), undefined)
    assert.equal(formatMismatch('ami', undefined), undefined)
    assert.equal(formatMismatch('', 'qcow2'), undefined)
  })
})
