import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { cpuModelFor, nativeAccelerator, parseAcceleratorOverride, probeArgv, probeBootSector, PROBE_DONE, PROBE_START } from './accelerator'

describe('accelerator (pure parts)', () => {
  it('parses overrides: auto/empty probe, names pass, nonsense is refused', () => {
    assert.equal(parseAcceleratorOverride(undefined), undefined)
    assert.equal(parseAcceleratorOverride(' Auto '), undefined)
    assert.equal(parseAcceleratorOverride('TCG'), 'tcg')
    assert.equal(parseAcceleratorOverride('kvm'), 'kvm')
    assert.throws(() => parseAcceleratorOverride('xen'), /unknown accelerator 'xen'/)
  })

  it('knows each OS accelerator and the CPU model for it', () => {
    assert.equal(nativeAccelerator('linux'), 'kvm')
    assert.equal(nativeAccelerator('darwin'), 'hvf')
    assert.equal(nativeAccelerator('win32'), 'whpx')
    assert.equal(nativeAccelerator('freebsd'), undefined)
    assert.equal(cpuModelFor('kvm'), 'host')
    assert.equal(cpuModelFor('tcg'), 'max')
  })

  it('the probe guest is one boot sector carrying its two progress lines', () => {
    const s = probeBootSector()
    assert.equal(s.length, 512)
    assert.deepEqual([s[510], s[511]], [0x55, 0xaa])
    assert.ok(s.includes(Buffer.from(`${PROBE_START}\n`)))
    assert.ok(s.includes(Buffer.from(`${PROBE_DONE}\n`)))
  })

  it('the embedded bytes are probe-boot-sector.S assembled (checked where binutils is installed)', (t) => {
    const src = path.resolve(__dirname, '../../../../../../../app/main/cloud/drivers/hypervisor/qemu/probe-boot-sector.S')
    if (spawnSync('as', ['--version']).status !== 0) return t.skip('GNU as is not installed')
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stk-probe-'))
    try {
      const o = path.join(dir, 'p.o')
      const bin = path.join(dir, 'p.bin')
      assert.equal(spawnSync('as', ['--32', '-o', o, src]).status, 0)
      assert.equal(spawnSync('ld', ['-m', 'elf_i386', '-Ttext=0x7c00', '--oformat', 'binary', '-o', bin, o]).status, 0)
      assert.deepEqual(readFileSync(bin), probeBootSector())
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the probe command line', () => {
    assert.deepEqual(probeArgv('kvm', '/tmp/p/probe.img'), [
      '-accel', 'kvm', '-cpu', 'host', '-M', 'pc', '-m', '16', '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-blockdev', '{"driver":"raw","node-name":"probe","read-only":true,"file":{"driver":"file","filename":"/tmp/p/probe.img","read-only":true}}',
      '-device', 'virtio-blk-pci,drive=probe,romfile=',
      '-chardev', 'stdio,id=dbg', '-device', 'isa-debugcon,iobase=0x402,chardev=dbg',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    ])
  })
})
