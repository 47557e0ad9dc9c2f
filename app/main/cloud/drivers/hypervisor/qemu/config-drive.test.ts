import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { run } from '../../../platform/process/run'
import { buildConfigDrive, checkConfigDrivePath, configDriveSectors } from './config-drive'

describe('config drive (VFAT, mtools)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stk-cfgdrive-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('writes a FAT image labelled config-2 holding the files at their paths', async () => {
    const img = path.join(dir, 'config-2.img')
    const meta = JSON.stringify({ uuid: 'u-1', hostname: 'vm1' })
    await buildConfigDrive(img, { 'openstack/latest/meta_data.json': meta, 'openstack/latest/user_data': Buffer.from('#!/bin/sh\necho hi\n'), 'ec2/latest/meta-data.json': '{}' })
    const label = await run('mlabel', ['-i', img, '-s', '::'])
    assert.match(label.stdout, /CONFIG-2/i)
    const cat = await run('mtype', ['-i', img, '::/openstack/latest/meta_data.json'])
    assert.equal(cat.code, 0, cat.stderr)
    assert.equal(cat.stdout, meta)
    const ud = await run('mtype', ['-i', img, '::/openstack/latest/user_data'])
    assert.equal(ud.stdout, '#!/bin/sh\necho hi\n')
    const ls = await run('mdir', ['-b', '-i', img, '::/ec2/latest'])
    assert.match(ls.stdout, /meta-data\.json/)
    assert.deepEqual(
      (await run('ls', ['-A', dir])).stdout.split('\n').filter(Boolean),
      ['config-2.img'],
      'the staging folder is gone',
    )
  })

  it('refuses paths that could escape or that FAT cannot hold; sizes the image for its content', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../b', 'a//b', 'a/./b', 'a:b', '']) assert.throws(() => checkConfigDrivePath(bad), /not a plain relative path/)
    assert.equal(checkConfigDrivePath('openstack/latest/meta_data.json'), 'openstack/latest/meta_data.json')
    assert.equal(configDriveSectors({ a: 'x' }), 2880)
    assert.ok(configDriveSectors({ a: Buffer.alloc(10 * 1024 * 1024) }) * 512 > 10 * 1024 * 1024)
  })
})
