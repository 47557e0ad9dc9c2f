import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

/** The unmodified `openstack container|object …` commands against Stackling's Swift v1. */
describe('openstack object CLI', () => {
  let cloud: RunningCloud
  let work: string
  const os_ = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const run = (args: string[]) => openstack(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])

  before(async () => {
    cloud = await startTestCloud()
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-obj-cli-'))
  })
  after(async () => {
    await cloud?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('container create, object create/list/show/save/delete, container delete', async () => {
    const created = await os_(['container', 'create', 'photos'])
    assert.equal(created[0].container, 'photos')
    const file = path.join(work, 'cat.txt')
    writeFileSync(file, 'meow\n')
    const obj = await os_(['object', 'create', 'photos', file, '--name', 'cats/cat.txt'])
    assert.equal(obj[0].etag, createHash('md5').update('meow\n').digest('hex'))
    const list = await os_(['object', 'list', 'photos'])
    assert.deepEqual(list.map((o: { Name: string }) => o.Name), ['cats/cat.txt'])
    const shown = await os_(['object', 'show', 'photos', 'cats/cat.txt'])
    assert.equal(shown['content-length'], '5')
    const saved = path.join(work, 'saved.txt')
    const save = await run(['object', 'save', 'photos', 'cats/cat.txt', '--file', saved])
    assert.equal(save.code, 0, save.stderr)
    assert.equal(readFileSync(saved, 'utf8'), 'meow\n')
    const c = await os_(['container', 'show', 'photos'])
    assert.equal(c.object_count, '1')
    assert.notEqual((await run(['container', 'delete', 'photos'])).code, 0)
    assert.equal((await run(['object', 'delete', 'photos', 'cats/cat.txt'])).code, 0)
    assert.equal((await run(['container', 'delete', 'photos'])).code, 0)
    assert.deepEqual(await os_(['container', 'list']), [])
  })
})
