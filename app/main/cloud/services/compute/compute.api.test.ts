import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

/** The compute API on the fake hypervisor driver (the real QEMU driver has its own suite and the e2e tests). */
describe('compute API (Nova v2.1) on the fake driver', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let reader: string
  let imageId: string
  let work: string

  const waitFor = async (token: string, id: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await t.call('GET', `/compute/v2.1/servers/${id}`, { token })
      if (r.body?.server?.status === status && !r.body.server['OS-EXT-STS:task_state']) return r.body.server
      if (r.status === 404 && status === 'DELETED') return undefined
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`server ${id} never reached ${status}`)
  }
  const boot = async (token: string, name: string, extra: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/compute/v2.1/servers', { token, body: { server: { name, imageRef: imageId, flavorRef: '42', ...extra } } })
    assert.equal(r.status, 202, r.text)
    return r.body.server
  }
  const act = (token: string, id: string, body: unknown) => t.call('POST', `/compute/v2.1/servers/${id}/action`, { token, body })

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'other' } } })).body.project
    const roles = (await t.call('GET', '/identity/v3/roles', { token: admin })).body.roles as { id: string; name: string }[]
    const mk = async (name: string, project: string, role: string) => {
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name, password: 'pw' } } })).body.user
      await t.call('PUT', `/identity/v3/projects/${project}/users/${u.id}/roles/${roles.find((r) => r.name === role)!.id}`, { token: admin })
    }
    await mk('other', p.id, 'member')
    const demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    await mk('reader', demoProject, 'reader')
    other = await t.login('other', 'pw', 'other')
    reader = await t.login('reader', 'pw', 'demo')
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-compute-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(work, 'base.qcow2'), '64M'])
    const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'base', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' } })).body
    await fetch(`${t.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' }, body: readFileSync(path.join(work, 'base.qcow2')) })
    imageId = img.id
  })
  after(async () => {
    await t.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('negotiates the microversion and refuses one out of range with 406', async () => {
    const r = await t.call('GET', '/compute/v2.1/flavors', { token: demo, headers: { 'OpenStack-API-Version': 'compute 2.1' } })
    assert.equal(r.headers.get('openstack-api-version'), 'compute 2.1')
    assert.equal(r.headers.get('x-openstack-nova-api-version'), '2.1')
    const bad = await t.call('GET', '/compute/v2.1/flavors', { token: demo, headers: { 'OpenStack-API-Version': 'compute 2.99' } })
    assert.equal(bad.status, 406)
    assert.match(bad.body.notAcceptable.message, /Minimum is 2.1 and maximum is 2.1/)
  })

  it('lists DevStack flavors; only admins create, with extra specs and private access', async () => {
    const list = (await t.call('GET', '/compute/v2.1/flavors/detail', { token: demo })).body.flavors
    assert.deepEqual(list.map((f: { name: string }) => f.name).sort(), ['m1.large', 'm1.medium', 'm1.micro', 'm1.nano', 'm1.small', 'm1.tiny', 'm1.xlarge'])
    const body = { flavor: { name: 'private-one', ram: 256, vcpus: 1, disk: 1, 'os-flavor-access:is_public': false } }
    assert.equal((await t.call('POST', '/compute/v2.1/flavors', { token: demo, body })).status, 403)
    const f = (await t.call('POST', '/compute/v2.1/flavors', { token: admin, body })).body.flavor
    assert.equal((await t.call('POST', '/compute/v2.1/flavors', { token: admin, body })).status, 409)
    assert.equal((await t.call('GET', `/compute/v2.1/flavors/${f.id}`, { token: demo })).status, 404, 'private, no access')
    const demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    assert.equal((await t.call('POST', `/compute/v2.1/flavors/${f.id}/action`, { token: admin, body: { addTenantAccess: { tenant: demoProject } } })).status, 200)
    assert.equal((await t.call('GET', `/compute/v2.1/flavors/${f.id}`, { token: demo })).status, 200)
    assert.equal((await t.call('POST', `/compute/v2.1/flavors/${f.id}/os-extra_specs`, { token: admin, body: { extra_specs: { 'hw:cpu_policy': 'shared' } } })).status, 200)
    assert.deepEqual((await t.call('GET', `/compute/v2.1/flavors/${f.id}/os-extra_specs`, { token: demo })).body.extra_specs, { 'hw:cpu_policy': 'shared' })
    assert.equal((await t.call('DELETE', `/compute/v2.1/flavors/${f.id}`, { token: admin })).status, 202)
  })

  it('imports and generates key pairs (private key once), per user', async () => {
    const gen = await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'gen' } } })
    assert.equal(gen.status, 200)
    assert.match(gen.body.keypair.private_key, /BEGIN RSA PRIVATE KEY/)
    assert.match(gen.body.keypair.public_key, /^ssh-rsa /)
    const ed = await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'ed', key_type: 'ed25519' } } })
    assert.match(ed.body.keypair.private_key, /BEGIN OPENSSH PRIVATE KEY/)
    const imp = await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'imp', public_key: ed.body.keypair.public_key } } })
    assert.equal(imp.body.keypair.fingerprint, ed.body.keypair.fingerprint)
    assert.equal(imp.body.keypair.private_key, undefined)
    assert.equal((await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'imp', public_key: ed.body.keypair.public_key } } })).status, 409)
    assert.equal((await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'bad', public_key: 'ssh-rsa notbase64!' } } })).status, 400)
    assert.equal((await t.call('POST', '/compute/v2.1/os-keypairs', { token: demo, body: { keypair: { name: 'bad/name' } } })).status, 400)
    const list = (await t.call('GET', '/compute/v2.1/os-keypairs', { token: demo })).body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)
    assert.deepEqual(list, ['ed', 'gen', 'imp'])
    assert.deepEqual((await t.call('GET', '/compute/v2.1/os-keypairs', { token: other })).body.keypairs, [])
    assert.equal((await t.call('DELETE', '/compute/v2.1/os-keypairs/gen', { token: demo })).status, 202)
    assert.equal((await t.call('GET', '/compute/v2.1/os-keypairs/gen', { token: demo })).status, 404)
  })

  it('creates a server that goes BUILD → ACTIVE with the Nova 2.1 fields', async () => {
    const s = await boot(demo, 'vm1', { key_name: 'imp', metadata: { role: 'web' }, user_data: Buffer.from('#!/bin/sh\necho hi').toString('base64') })
    assert.ok(s.adminPass)
    const shown = await waitFor(demo, s.id, 'ACTIVE')
    assert.equal(shown.name, 'vm1')
    assert.equal(shown['OS-EXT-STS:vm_state'], 'active')
    assert.equal(shown['OS-EXT-STS:power_state'], 1)
    assert.equal(shown.image.id, imageId)
    assert.equal(shown.flavor.id, '42')
    assert.deepEqual(shown.metadata, { role: 'web' })
    assert.equal(shown.key_name, 'imp')
    assert.equal(shown.config_drive, 'True')
    assert.equal(shown['OS-EXT-SRV-ATTR:host'], undefined, 'hidden from non-admins')
    assert.ok(shown.addresses['user-net'][0].addr)
    const actions = (await t.call('GET', `/compute/v2.1/servers/${s.id}/os-instance-actions`, { token: demo })).body.instanceActions
    assert.equal(actions[0].action, 'create')
  })

  it('runs every power action, and answers 409 where the state forbids it', async () => {
    const s = await boot(demo, 'vm-actions')
    await waitFor(demo, s.id, 'ACTIVE')
    assert.equal((await act(demo, s.id, { 'os-start': null })).status, 409)
    for (const [body, status, power] of [
      [{ 'os-stop': null }, 'SHUTOFF', 4],
      [{ 'os-start': null }, 'ACTIVE', 1],
      [{ reboot: { type: 'SOFT' } }, 'ACTIVE', 1],
      [{ reboot: { type: 'HARD' } }, 'ACTIVE', 1],
      [{ pause: null }, 'PAUSED', 3],
      [{ unpause: null }, 'ACTIVE', 1],
      [{ suspend: null }, 'SUSPENDED', 7],
      [{ resume: null }, 'ACTIVE', 1],
    ] as const) {
      const r = await act(demo, s.id, body)
      assert.equal(r.status, 202, `${JSON.stringify(body)}: ${r.text}`)
      const shown = await waitFor(demo, s.id, status)
      assert.equal(shown['OS-EXT-STS:power_state'], power, JSON.stringify(body))
    }
    const conflict = await act(demo, s.id, { unpause: null })
    assert.equal(conflict.status, 409)
    assert.match(conflict.body.conflictingRequest.message, /Cannot 'unpause' instance .* while it is in vm_state active/)
    assert.equal((await act(demo, s.id, { reboot: { type: 'GENTLE' } })).status, 400)
    assert.equal((await act(demo, s.id, { teleport: null })).status, 400)
    const out = await act(demo, s.id, { 'os-getConsoleOutput': { length: 5 } })
    assert.equal(out.status, 200)
    assert.equal(typeof out.body.output, 'string')
    const serial = await act(demo, s.id, { 'os-getSerialConsole': { type: 'serial' } })
    assert.match(serial.body.console.url, /^ws:\/\/127\.0\.0\.1:\d+\/compute\/serial-console\?token=/)
  })

  it('snapshots a server into a new image (createImage)', async () => {
    const s = await boot(demo, 'vm-snap')
    await waitFor(demo, s.id, 'ACTIVE')
    const r = await act(demo, s.id, { createImage: { name: 'snap1', metadata: { purpose: 'test' } } })
    assert.equal(r.status, 202)
    const imageUrl = r.headers.get('location')!
    const id = imageUrl.split('/').pop()!
    let image
    for (let i = 0; i < 200; i++) {
      image = (await t.call('GET', `/image/v2/images/${id}`, { token: demo })).body
      if (image.status === 'active') break
      await new Promise((res) => setTimeout(res, 25))
    }
    assert.equal(image.status, 'active')
    assert.equal(image.image_type, 'snapshot')
    assert.equal(image.instance_uuid, s.id)
    assert.equal(image.purpose, 'test')
    await waitFor(demo, s.id, 'ACTIVE')
  })

  it('lists with filters and pages with a marker; isolates projects; readers cannot write', async () => {
    const list = (await t.call('GET', '/compute/v2.1/servers/detail?name=^vm-', { token: demo })).body.servers
    assert.ok(list.length >= 2)
    assert.ok(list.every((x: { name: string }) => x.name.startsWith('vm-')))
    const page1 = (await t.call('GET', '/compute/v2.1/servers?limit=1', { token: demo })).body
    assert.equal(page1.servers.length, 1)
    assert.match(page1.servers_links[0].href, /marker=/)
    const shutoff = (await t.call('GET', '/compute/v2.1/servers/detail?status=SHUTOFF', { token: demo })).body.servers
    assert.ok(shutoff.every((x: { status: string }) => x.status === 'SHUTOFF'))
    assert.equal((await t.call('GET', '/compute/v2.1/servers?marker=nope', { token: demo })).status, 400)
    const mine = list[0].id
    assert.equal((await t.call('GET', `/compute/v2.1/servers/${mine}`, { token: other })).status, 404)
    assert.equal((await act(other, mine, { 'os-stop': null })).status, 404)
    assert.equal((await t.call('DELETE', `/compute/v2.1/servers/${mine}`, { token: other })).status, 404)
    assert.deepEqual((await t.call('GET', '/compute/v2.1/servers', { token: other })).body.servers, [])
    assert.equal((await t.call('GET', '/compute/v2.1/servers?all_tenants=1', { token: demo })).status, 403)
    assert.ok((await t.call('GET', '/compute/v2.1/servers?all_tenants=1', { token: admin })).body.servers.length >= 2)
    assert.equal((await t.call('GET', `/compute/v2.1/servers/${mine}`, { token: reader })).status, 200)
    assert.equal((await act(reader, mine, { 'os-stop': null })).status, 403)
    assert.equal((await t.call('POST', '/compute/v2.1/servers', { token: reader, body: { server: { name: 'x', imageRef: imageId, flavorRef: '42' } } })).status, 403)
  })

  it('validates create requests and names the field', async () => {
    const bad = async (server: Record<string, unknown>, re: RegExp) => {
      const r = await t.call('POST', '/compute/v2.1/servers', { token: demo, body: { server: { name: 'v', imageRef: imageId, flavorRef: '42', ...server } } })
      assert.equal(r.status, 400, r.text)
      assert.match(r.body.badRequest.message, re)
    }
    await bad({ flavorRef: 'nope' }, /Flavor nope could not be found/)
    await bad({ imageRef: '00000000-0000-0000-0000-000000000000' }, /Can not find requested image/)
    await bad({ key_name: 'missing' }, /Invalid key_name/)
    await bad({ user_data: '!!not base64!!' }, /base 64/)
    await bad({ availability_zone: 'mars' }, /availability zone/)
    await bad({ bogus: 1 }, /bogus/)
    await bad({ name: '' }, /name/)
  })

  it('refuses over quota with 403 and lands a too-big flavor in ERROR with NoValidHost', async () => {
    const demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    assert.equal((await t.call('PUT', `/compute/v2.1/os-quota-sets/${demoProject}`, { token: admin, body: { quota_set: { cores: 50, ram: 10_000_000, instances: 20 } } })).status, 200)
    const huge = (await t.call('POST', '/compute/v2.1/flavors', { token: admin, body: { flavor: { name: 'huge', ram: 8_000_000, vcpus: 1, disk: 1 } } })).body.flavor
    const s = await boot(demo, 'too-big', { flavorRef: huge.id })
    const shown = await waitFor(demo, s.id, 'ERROR')
    assert.match(shown.fault.message, /No valid host was found/)
    assert.match(shown.fault.message, /RAM/)
    await t.call('DELETE', `/compute/v2.1/servers/${s.id}`, { token: demo })
    assert.equal((await t.call('PUT', `/compute/v2.1/os-quota-sets/${demoProject}`, { token: admin, body: { quota_set: { instances: 1 } } })).status, 200)
    const over = await t.call('POST', '/compute/v2.1/servers', { token: demo, body: { server: { name: 'over', imageRef: imageId, flavorRef: '42' } } })
    assert.equal(over.status, 403)
    assert.match(over.body.forbidden.message, /Quota exceeded for instances/)
    await t.call('PUT', `/compute/v2.1/os-quota-sets/${demoProject}`, { token: admin, body: { quota_set: { instances: 10 } } })
    const limits = (await t.call('GET', '/compute/v2.1/limits', { token: demo })).body.limits.absolute
    assert.equal(limits.maxTotalInstances, 10)
    assert.ok(limits.totalInstancesUsed >= 1)
  })

  it('reports the host to admins only', async () => {
    const hv = await t.call('GET', '/compute/v2.1/os-hypervisors/detail', { token: admin })
    assert.equal(hv.status, 200)
    assert.equal(hv.body.hypervisors[0].state, 'up')
    assert.ok(hv.body.hypervisors[0].vcpus > 0)
    assert.equal((await t.call('GET', '/compute/v2.1/os-hypervisors', { token: demo })).status, 403)
  })

  it('deletes servers (then 404) and renames them', async () => {
    const s = await boot(demo, 'vm-del')
    await waitFor(demo, s.id, 'ACTIVE')
    const renamed = await t.call('PUT', `/compute/v2.1/servers/${s.id}`, { token: demo, body: { server: { name: 'vm-renamed' } } })
    assert.equal(renamed.body.server.name, 'vm-renamed')
    assert.equal((await t.call('DELETE', `/compute/v2.1/servers/${s.id}`, { token: demo })).status, 204)
    await waitFor(demo, s.id, 'DELETED')
    assert.equal((await t.call('GET', `/compute/v2.1/servers/${s.id}`, { token: demo })).status, 404)
  })
})
