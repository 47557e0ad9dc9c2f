import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { decodeInvocation, encodeInvocation, RESULT_MARKER, type ExecResult } from '../../hypervisor/hyperv/powershell'
import * as c from './vhdx-commands'
import { VhdxVolumeDriver } from './vhdx-driver'

const DIR = 'C:\\Users\\dev\\AppData\\Roaming\\Stackling\\volumes'
const GiB = 1024 ** 3

test('New-VHD, Convert-VHD, Resize-VHD and Get-VHD read every value from $P, never from their text', () => {
  const evil = `${DIR}\\a'; Remove-Item C:\\ -Recurse; '.vhdx`
  for (const cmd of [c.newVhd(evil, GiB), c.convertVhd(evil, `${DIR}\\b.vhdx`), c.resizeVhd(evil, 2 * GiB), c.getVhd(evil)]) {
    assert.ok(!cmd.script.includes('Remove-Item'), cmd.op)
    assert.match(cmd.script, /\$P\./)
    // The whole invocation is base64 inside single quotes: nothing of the value can break out.
    const line = encodeInvocation(cmd)
    assert.ok(!line.includes('Remove-Item'))
    assert.deepEqual(decodeInvocation(line).doc.params, cmd.params)
  }
  assert.deepEqual(c.newVhd(`${DIR}\\volume-1.vhdx`, GiB), { op: 'new-vhd', script: c.NEW_VHD_SCRIPT, params: { path: `${DIR}\\volume-1.vhdx`, sizeBytes: GiB } })
  assert.match(c.NEW_VHD_SCRIPT, /New-VHD -Path \$P\.path -SizeBytes \(\[UInt64\]\$P\.sizeBytes\) -Dynamic/)
  assert.match(c.CONVERT_VHD_SCRIPT, /Convert-VHD -Path \$P\.source -DestinationPath \$P\.target -VHDType Dynamic/)
  assert.match(c.RESIZE_VHD_SCRIPT, /Resize-VHD -Path \$P\.path -SizeBytes/)
  assert.match(c.RESIZE_VHD_SCRIPT, /-lt/, 'never shrinks')
})

test('refuses paths and sizes a VHDX cannot have', () => {
  assert.throws(() => c.newVhd('relative\\x.vhdx', GiB), /absolute path/)
  assert.throws(() => c.newVhd(`${DIR}\\x.qcow2`, GiB), /VHDX file/)
  assert.throws(() => c.newVhd(`${DIR}\\x\0.vhdx`, GiB), /VHDX file/)
  assert.throws(() => c.newVhd(`${DIR}\\x.vhdx`, 1000), /whole MiB/)
  assert.throws(() => c.resizeVhd(`${DIR}\\x.vhdx`, -GiB), /whole MiB/)
  assert.ok(c.newVhd('\\\\server\\share\\x.vhdx', GiB))
})

test('images in other formats go through qemu-img to a dynamic VHDX (argv, no shell)', () => {
  assert.deepEqual(c.qemuImgToVhdx('qemu-img.exe', 'C:\\images\\abc', 'qcow2', `${DIR}\\.volume-1.vhdx.x.tmp.vhdx`), {
    program: 'qemu-img.exe',
    args: ['convert', '-q', '-f', 'qcow2', '-O', 'vhdx', '-o', 'subformat=dynamic', 'C:\\images\\abc', `${DIR}\\.volume-1.vhdx.x.tmp.vhdx`],
  })
  assert.throws(() => c.qemuImgToVhdx('qemu-img.exe', 'C:\\i', 'qcow2 -o x', `${DIR}\\t.vhdx`), /qemu format/)
})

test('the VHDX driver builds in a temp file, resizes it, then renames it (recorded, never run)', async () => {
  // The driver's own file steps (fsync, rename) run on a temp folder; PowerShell and qemu-img are recorded.
  const root = mkdtempSync(path.join(os.tmpdir(), 'stackling-vhdx-'))
  try {
    const calls: { program: string; args: readonly string[]; op?: string; params?: Record<string, unknown> }[] = []
    const ok = (value: unknown): ExecResult => ({ code: 0, stdout: `${RESULT_MARKER}${JSON.stringify({ ok: true, result: value })}\n`, stderr: '' })
    const driver = new VhdxVolumeDriver({
      dataDir: root,
      pathModule: path,
      executor: async (program, args, opts) => {
        if (program === 'powershell.exe') {
          const { doc } = decodeInvocation(opts.stdin!)
          calls.push({ program, args, op: doc.op, params: doc.params })
          // What New-VHD / qemu-img would leave: a file at the temp path.
          if (doc.op === 'new-vhd') writeFileSync(String(doc.params.path), 'vhdx')
          if (doc.op === 'convert-vhd') writeFileSync(String(doc.params.target), 'vhdx')
          return ok({ path: doc.params.path, size: doc.params.sizeBytes, exists: false })
        }
        calls.push({ program, args })
        writeFileSync(String(args.at(-1)), 'vhdx')
        return { code: 0, stdout: '', stderr: '' }
      },
    })
    await driver.initHost()
    await driver.createBlank({ kind: 'volume', id: 'v1', format: 'vhdx' }, GiB)
    assert.equal(calls[0]!.op, 'new-vhd')
    assert.match(String(calls[0]!.params!.path), /\.volume-v1\.vhdx\.[0-9a-f]+\.tmp\.vhdx$/)
    assert.deepEqual((await driver.list()).map((r) => r.id), ['v1'])

    await driver.createFromFile({ kind: 'volume', id: 'v2', format: 'vhdx' }, { path: '/images/x', format: 'qcow2' }, 2 * GiB)
    assert.equal(calls[1]!.program, 'qemu-img.exe')
    assert.deepEqual(calls[1]!.args.slice(0, 8), ['convert', '-q', '-f', 'qcow2', '-O', 'vhdx', '-o', 'subformat=dynamic'])
    assert.equal(calls[2]!.op, 'resize-vhd')
    assert.equal(calls[2]!.params!.sizeBytes, 2 * GiB)

    await driver.createFromFile({ kind: 'snapshot', id: 's1', format: 'vhdx' }, { path: driver.path({ kind: 'volume', id: 'v2', format: 'vhdx' }), format: 'vhdx' }, 2 * GiB)
    assert.equal(calls[3]!.op, 'convert-vhd')
    assert.deepEqual((await driver.list()).map((r) => `${r.kind}-${r.id}`).sort(), ['snapshot-s1', 'volume-v1', 'volume-v2'])
    assert.throws(() => driver.path({ kind: 'volume', id: 'v1', format: 'qcow2' }), /VHDX disks only/)

    writeFileSync(path.join(root, 'volumes', '.volume-v9.vhdx.abc.tmp.vhdx'), 'half')
    assert.equal(await driver.removeTemps(), 1)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
