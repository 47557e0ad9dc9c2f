import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { diskFileName, parseDiskFileName } from '../volume-driver'
import { QemuImgVolumeDriver } from './qemu-img-driver'

const GiB = 1024 ** 3

test('creates, copies, extends and deletes qcow2 and raw disks with qemu-img; a failed copy leaves nothing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-qemuimg-drv-'))
  try {
    const d = new QemuImgVolumeDriver({ dataDir: dir })
    await d.initHost()
    const a = { kind: 'volume' as const, id: 'a', format: 'qcow2' as const }
    await d.createBlank(a, GiB)
    assert.deepEqual(await d.info(a).then((i) => i?.virtualSize), GiB)
    const raw = { kind: 'volume' as const, id: 'r', format: 'raw' as const }
    await d.createFromFile(raw, { path: d.path(a), format: 'qcow2' }, 2 * GiB)
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', d.path(raw)], { encoding: 'utf8' }))
    assert.equal(info.format, 'raw')
    assert.equal(info['virtual-size'], 2 * GiB, 'grown to the requested size')
    await d.extend(a, 3 * GiB)
    assert.equal((await d.info(a))!.virtualSize, 3 * GiB)
    await d.extend(a, GiB)
    assert.equal((await d.info(a))!.virtualSize, 3 * GiB, 'never shrinks')

    await assert.rejects(d.createFromFile({ kind: 'snapshot', id: 's', format: 'qcow2' }, { path: path.join(dir, 'missing'), format: 'qcow2' }, GiB), /qemu-img convert failed/)
    assert.deepEqual(readdirSync(d.dir).sort(), ['volume-a.qcow2', 'volume-r.img'], 'no temp file, no half disk')
    writeFileSync(d.tempPath('restore-x'), 'half')
    assert.equal(await d.removeTemps(), 1)
    assert.deepEqual((await d.list()).map((r) => `${r.kind}-${r.id}-${r.format}`).sort(), ['volume-a-qcow2', 'volume-r-raw'])
    await d.delete(a)
    await d.delete(a)
    assert.equal(await d.info(a), undefined)
    assert.ok((await d.freeBytes()) > 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('disk file names round-trip and refuse ids that could escape the folder', () => {
  assert.equal(diskFileName({ kind: 'snapshot', id: 'abc-1', format: 'raw' }), 'snapshot-abc-1.img')
  assert.deepEqual(parseDiskFileName('volume-abc-1.qcow2'), { kind: 'volume', id: 'abc-1', format: 'qcow2' })
  assert.equal(parseDiskFileName('.volume-a.qcow2.123.tmp'), undefined)
  assert.equal(parseDiskFileName('other.qcow2'), undefined)
  assert.throws(() => diskFileName({ kind: 'volume', id: '../x', format: 'qcow2' }), /cannot name a disk file/)
})
