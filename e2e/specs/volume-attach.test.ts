import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { GuestShell } from '../fixtures/guest-shell'
import { openstack, openstackJson } from '../fixtures/openstack-cli'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const GiB = 1024 ** 3

type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>

/**
 * Block storage with real guests (QEMU/TCG, stackling-tiny): a blank volume hot-plugged into a running guest,
 * formatted and written there, detached, attached to a second guest that reads it back, grown while attached;
 * boot from a volume made from the image, whose root disk outlives the instance (and boots another). Attach and
 * detach go through the unmodified `openstack` CLI (`server add volume` / `server remove volume`).
 */
describe('volumes with real guests', () => {
  let cloud: RunningCloud
  let token = ''
  let project = ''
  const servers: Record<string, string> = {}
  const shells = new Map<string, GuestShell>()

  const callWith = (tok: () => string): Call => async (method, path, body, headers = {}) => {
    const res = await fetch(cloud.url + path, {
      method,
      headers: { 'X-Auth-Token': tok(), ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const call = callWith(() => token)
  const cli = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const cliRun = async (args: string[], cloudName = 'stackling-demo') => {
    const r = await openstack(cloud.cloudsYaml, ['--os-cloud', cloudName, ...args])
    assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`)
    return r
  }
  const sh = async (name: string) => {
    let s = shells.get(name)
    if (!s) {
      s = await GuestShell.open(call, servers[name]!)
      shells.set(name, s)
    }
    return s
  }
  const inGuest = async (name: string, cmd: string) => {
    const r = await (await sh(name)).run(cmd, 60_000)
    assert.equal(r.code, 0, `in ${name}, '${cmd}' failed: ${r.output}`)
    return r.output.trim()
  }
  /** The guest's disk whose virtio serial is the volume id's first 20 characters (as Nova sets it), e.g. vdc. */
  const diskOf = async (name: string, volumeId: string, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const out = await inGuest(name, 'for d in /sys/block/vd*; do echo "$(basename $d) $(cat $d/serial 2>/dev/null)"; done')
      const line = out.split('\n').find((l) => l.split(' ')[1] === volumeId.slice(0, 20))
      if (line) return line.split(' ')[0]!
      if (Date.now() > end) assert.fail(`${name} never showed volume ${volumeId}; its disks: ${out}`)
      await sleep(300)
    }
  }
  const waitServer = async (name: string, id: string) => {
    const end = Date.now() + 180_000
    for (;;) {
      const s = (await call('GET', `/compute/v2.1/servers/${id}`)).body.server
      if (s.status === 'ERROR') assert.fail(`${name} went to ERROR: ${JSON.stringify(s.fault)}`)
      if (s.status === 'ACTIVE') return s
      if (Date.now() > end) assert.fail(`${name} never became ACTIVE: ${JSON.stringify(s)}`)
      await sleep(1000)
    }
  }
  /** With the CLI (on the project's network: OSC 6.0 cannot send `--nic none` at 2.1). */
  const launch = async (name: string, args: string[]) => {
    const s = await cli(['server', 'create', '--flavor', 'm1.nano', ...args, name])
    servers[name] = s.id as string
    return s.id as string
  }
  /** Through the API, with no NIC at all (the console is all these guests need). */
  const launchBare = async (name: string) => {
    const imageRef = (await cli(['image', 'show', 'stackling-tiny'])).id as string
    const r = await call('POST', '/compute/v2.1/servers', { server: { name, imageRef, flavorRef: '42', networks: 'none' } })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    servers[name] = r.body.server.id as string
  }
  const volume = async (id: string) => (await call('GET', `/volume/v3/${project}/volumes/${id}`)).body.volume
  const waitVolume = async (id: string, status: string, timeoutMs = 120_000) => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const v = await volume(id)
      if (v?.status === status) return v
      if (Date.now() > end) assert.fail(`volume ${id} never became ${status}: ${JSON.stringify(v)}`)
      await sleep(500)
    }
  }
  const waitGone = async (id: string) => {
    const end = Date.now() + 120_000
    while ((await call('GET', `/compute/v2.1/servers/${id}`)).status !== 404) {
      if (Date.now() > end) assert.fail(`server ${id} was never deleted`)
      await sleep(500)
    }
  }

  before(async () => {
    cloud = await startTestCloud({ env: { STACKLING_ON_QUIT: 'keep' } })
    token = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    project = (await cli(['token', 'issue'])).project_id as string
    await launchBare('a')
    await launchBare('b')
    await waitServer('a', servers.a!)
    await waitServer('b', servers.b!)
  })

  after(async () => {
    for (const s of shells.values()) s.close()
    if (cloud) {
      for (const id of Object.values(servers)) await call('DELETE', `/compute/v2.1/servers/${id}`).catch(() => undefined)
      const end = Date.now() + 60_000
      while (Date.now() < end) {
        const r = await call('GET', '/compute/v2.1/servers').catch(() => undefined)
        if (!r?.body?.servers?.length) break
        await sleep(500)
      }
      await cloud.stop()
      rmSync(cloud.dataDir, { recursive: true, force: true })
    }
  })

  let data = ''

  it('hot-plugs a blank volume into a running guest (server add volume), which formats it and writes a file', async () => {
    data = (await cli(['volume', 'create', '--size', '1', 'data'])).id as string
    await waitVolume(data, 'available')
    // Attached once the guest has booted: a disk plugged while the kernel still probes its disks may get another name.
    await inGuest('a', 'true')
    await cliRun(['server', 'add', 'volume', 'a', 'data'])
    const v = await waitVolume(data, 'in-use')
    assert.equal(v.attachments.length, 1)
    assert.equal(v.attachments[0].server_id, servers.a)
    const attachments = (await call('GET', `/compute/v2.1/servers/${servers.a}/os-volume_attachments`)).body.volumeAttachments
    assert.deepEqual(attachments, [{ id: data, serverId: servers.a, volumeId: data, device: v.attachments[0].device }])
    const shown = (await call('GET', `/compute/v2.1/servers/${servers.a}`)).body.server
    assert.deepEqual(shown['os-extended-volumes:volumes_attached'], [{ id: data }])
    const dev = await diskOf('a', data)
    const disks = await inGuest('a', 'for d in /sys/block/vd*; do echo "$(basename $d) $(cat $d/serial 2>/dev/null)"; done')
    assert.equal(`/dev/${dev}`, attachments[0].device, `the device compute reports is the one the guest sees; the guest's disks:\n${disks}`)
    await inGuest('a', `mkfs.ext2 /dev/${dev} >/dev/null 2>&1`)
    await inGuest('a', `mkdir -p /mnt/data && mount /dev/${dev} /mnt/data && echo written-by-a > /mnt/data/marker && sync && umount /mnt/data`)
    const actions = (await call('GET', `/compute/v2.1/servers/${servers.a}/os-instance-actions`)).body.instanceActions
    assert.ok(actions.some((x: { action: string }) => x.action === 'attach_volume'))
  })

  it('refuses to delete a volume in use (409)', async () => {
    const r = await call('DELETE', `/volume/v3/${project}/volumes/${data}`)
    assert.equal(r.status, 409, JSON.stringify(r.body))
    assert.equal((await volume(data)).status, 'in-use')
  })

  it('another project cannot attach the volume: it does not exist for them (404)', async () => {
    const admin = ['--os-cloud', 'stackling']
    await openstack(cloud.cloudsYaml, [...admin, 'project', 'create', 'other'])
    await openstack(cloud.cloudsYaml, [...admin, 'user', 'create', '--project', 'other', '--password', 'other-pass-1', 'other'])
    await cliRun(['role', 'add', '--project', 'other', '--user', 'other', 'member'], 'stackling')
    const otherToken = await passwordLogin(cloud.url, 'other', 'other-pass-1', 'other')
    const other = callWith(() => otherToken)
    const created = await other('POST', '/compute/v2.1/servers', { server: { name: 'theirs', flavorRef: '42', imageRef: (await cli(['image', 'show', 'stackling-tiny'])).id, networks: 'none' } })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const theirs = created.body.server.id as string
    try {
      const r = await other('POST', `/compute/v2.1/servers/${theirs}/os-volume_attachments`, { volumeAttachment: { volumeId: data } })
      assert.equal(r.status, 404, JSON.stringify(r.body))
      assert.match(r.body.itemNotFound.message, new RegExp(`Volume ${data} could not be found`))
      // Nor can they touch the demo server.
      assert.equal((await other('POST', `/compute/v2.1/servers/${servers.a}/os-volume_attachments`, { volumeAttachment: { volumeId: data } })).status, 404)
    } finally {
      await other('DELETE', `/compute/v2.1/servers/${theirs}`)
    }
  })

  it('detaches (server remove volume); a second guest attaches it and reads the file', async () => {
    const dev = await diskOf('a', data)
    await cliRun(['server', 'remove', 'volume', 'a', 'data'])
    await waitVolume(data, 'available')
    assert.doesNotMatch(await inGuest('a', 'ls /sys/block'), new RegExp(`\\b${dev}\\b`), 'the disk left guest a')
    await cliRun(['server', 'add', 'volume', 'b', 'data'])
    await waitVolume(data, 'in-use')
    const devB = await diskOf('b', data)
    assert.equal(await inGuest('b', `mkdir -p /mnt/data && mount /dev/${devB} /mnt/data && cat /mnt/data/marker && umount /mnt/data`), 'written-by-a')
  })

  it('grows the volume while attached (Cinder 3.42 extend): the guest sees the new size', async () => {
    const dev = await diskOf('b', data)
    assert.equal(await inGuest('b', `cat /sys/block/${dev}/size`), String(GiB / 512))
    const r = await call('POST', `/volume/v3/${project}/volumes/${data}/action`, { 'os-extend': { new_size: 2 } }, { 'OpenStack-API-Version': 'volume 3.42' })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const end = Date.now() + 60_000
    let size = ''
    while ((size = await inGuest('b', `cat /sys/block/${dev}/size`)) !== String((2 * GiB) / 512)) {
      if (Date.now() > end) assert.fail(`guest b still sees ${size} sectors`)
      await sleep(500)
    }
    const v = await waitVolume(data, 'in-use')
    assert.equal(v.size, 2)
  })

  it('keeps the volume across a stop and start of the guest (plugged again at start)', async () => {
    await cliRun(['server', 'stop', 'b'])
    const end = Date.now() + 60_000
    while ((await call('GET', `/compute/v2.1/servers/${servers.b}`)).body.server.status !== 'SHUTOFF') {
      if (Date.now() > end) assert.fail('b never stopped')
      await sleep(500)
    }
    shells.get('b')?.close()
    shells.delete('b')
    await cliRun(['server', 'start', 'b'])
    await waitServer('b', servers.b!)
    const dev = await diskOf('b', data)
    assert.equal(await inGuest('b', `cat /sys/block/${dev}/size`), String((2 * GiB) / 512))
    assert.equal(await inGuest('b', `mkdir -p /mnt/data && mount /dev/${dev} /mnt/data && cat /mnt/data/marker && umount /mnt/data`), 'written-by-a')
    assert.equal((await volume(data)).status, 'in-use')
  })

  it('boots from a volume made from the image; the root volume outlives the instance and boots another', async () => {
    await launch('bfv', ['--image', 'stackling-tiny', '--boot-from-volume', '1'])
    const s = await waitServer('bfv', servers.bfv!)
    assert.equal(s.image, '', 'a volume-backed server shows no image')
    const [root] = s['os-extended-volumes:volumes_attached'] as { id: string }[]
    assert.ok(root, JSON.stringify(s))
    const v = await waitVolume(root!.id, 'in-use')
    assert.equal(v.attachments[0].device, '/dev/vda')
    assert.equal(String(v.bootable), 'true')
    assert.match(await inGuest('bfv', 'hostname'), /bfv/)
    const gone = await call('DELETE', `/compute/v2.1/servers/${servers.bfv}`)
    assert.equal(gone.status, 204)
    shells.get('bfv')?.close()
    shells.delete('bfv')
    await waitGone(servers.bfv!)
    delete servers.bfv
    await waitVolume(root!.id, 'available')

    await launch('again', ['--volume', root!.id])
    await waitServer('again', servers.again!)
    assert.match(await inGuest('again', 'hostname'), /again/)
    await call('DELETE', `/compute/v2.1/servers/${servers.again}`)
    shells.get('again')?.close()
    shells.delete('again')
    await waitGone(servers.again!)
    delete servers.again
    await waitVolume(root!.id, 'available')
  })
})
