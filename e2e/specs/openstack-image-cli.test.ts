import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

/** The unmodified `openstack image …` commands (openstacksdk underneath) against Stackling's Glance v2. */
describe('openstack image CLI', () => {
  let cloud: RunningCloud
  let work: string
  const os_ = (args: string[], name = 'stackling') => openstackJson(cloud.cloudsYaml, ['--os-cloud', name, ...args])
  const run = (args: string[], name = 'stackling') => openstack(cloud.cloudsYaml, ['--os-cloud', name, ...args])

  before(async () => {
    cloud = await startTestCloud()
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-img-cli-'))
  })
  after(async () => {
    await cloud?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('creates from a file, lists, shows, saves byte-identical, sets properties and deletes', async () => {
    const file = path.join(work, 'disk.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '48M'])
    const data = readFileSync(file)
    const created = await os_(['image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', file, 'cli-img'], 'stackling-demo')
    assert.equal(created.name, 'cli-img')
    const list = await os_(['image', 'list'], 'stackling-demo')
    assert.ok(list.some((i: { Name: string; Status: string }) => i.Name === 'cli-img' && i.Status === 'active'))
    const shown = await os_(['image', 'show', 'cli-img'], 'stackling-demo')
    assert.equal(shown.status, 'active')
    assert.equal(shown.checksum, createHash('md5').update(data).digest('hex'))
    assert.equal(shown.size, data.length)
    assert.equal(shown.virtual_size, 48 * 1024 * 1024)
    const out = path.join(work, 'saved.qcow2')
    const save = await run(['image', 'save', '--file', out, 'cli-img'], 'stackling-demo')
    assert.equal(save.code, 0, save.stderr)
    const saved = readFileSync(out)
    assert.ok(saved.equals(data), 'image save is byte-identical')
    const sha512 = shown.os_hash_value ?? shown.properties?.os_hash_value
    assert.equal(sha512, createHash('sha512').update(saved).digest('hex'), 'os_hash_value matches the saved bytes')

    const set = await run(['image', 'set', '--property', 'hw_disk_bus=virtio', '--min-ram', '128', '--tag', 'demo', 'cli-img'], 'stackling-demo')
    assert.equal(set.code, 0, set.stderr)
    const after = await os_(['image', 'show', 'cli-img'], 'stackling-demo')
    assert.equal(after.min_ram, 128)
    assert.equal(after.properties.hw_disk_bus, 'virtio')
    assert.deepEqual(after.tags, ['demo'])

    const del = await run(['image', 'delete', 'cli-img'], 'stackling-demo')
    assert.equal(del.code, 0, del.stderr)
    assert.ok(!(await os_(['image', 'list'], 'stackling-demo')).some((i: { Name: string }) => i.Name === 'cli-img'))
  })

  it('refuses a file that is not the declared format', async () => {
    const file = path.join(work, 'not-qcow2.img')
    execFileSync('qemu-img', ['create', '-f', 'raw', file, '1M'])
    const r = await run(['image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', file, 'liar'], 'stackling-demo')
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /does not match the declared disk_format/)
  })

  it('shares an image with another project that accepts it', async () => {
    const file = path.join(work, 's.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '8M'])
    await os_(['image', 'create', '--shared', '--disk-format', 'qcow2', '--file', file, 'to-share'])
    const demoProject = (await os_(['project', 'show', 'demo'])).id
    const add = await run(['image', 'add', 'project', 'to-share', demoProject])
    assert.equal(add.code, 0, add.stderr)
    const imageId = (await os_(['image', 'show', 'to-share'])).id
    assert.ok(!(await os_(['image', 'list'], 'stackling-demo')).some((i: { Name: string }) => i.Name === 'to-share'))
    const accept = await run(['image', 'set', '--accept', imageId], 'stackling-demo')
    assert.equal(accept.code, 0, accept.stderr)
    assert.ok((await os_(['image', 'list'], 'stackling-demo')).some((i: { Name: string }) => i.Name === 'to-share'))
  })
})
