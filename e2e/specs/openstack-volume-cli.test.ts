import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

const GiB = 1024 ** 3
const qemuInfo = (file: string) => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', file], { encoding: 'utf8' })) as { format: string; 'virtual-size': number }

/** The unmodified `openstack` CLI (python3-openstackclient 6.0, cinderclient) against the volume service. */
describe('openstack volume CLI', () => {
  let cloud: RunningCloud
  let work: string
  const admin = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling', ...args])
  const demo = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const run = (cloudName: string, args: string[]) => openstack(cloud.cloudsYaml, ['--os-cloud', cloudName, ...args])
  const waitStatus = async (name: string, status: string, who = demo) => {
    for (let i = 0; i < 300; i++) {
      const v = await who(['volume', 'show', name]).catch(() => undefined)
      if (v?.status === status) return v
      if (v?.status === 'error') throw new Error(`volume ${name} went to error`)
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(`volume ${name} never reached ${status}`)
  }
  const waitGone = async (args: string[]) => {
    for (let i = 0; i < 300; i++) {
      if ((await run('stackling-demo', args)).code !== 0) return
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(`${args.join(' ')} still exists`)
  }
  const fileOf = (id: string, ext = 'qcow2') => path.join(cloud.dataDir, 'volumes', `volume-${id}.${ext}`)

  before(async () => {
    cloud = await startTestCloud({ env: { STACKLING_HYPERVISOR: 'fake' } })
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-volcli-'))
  })
  after(async () => {
    await cloud?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('creates, lists, shows, sets, extends and deletes a volume', async () => {
    const v = await demo(['volume', 'create', '--size', '1', '--description', 'first', '--property', 'team=a', 'cli-vol'])
    assert.equal(v.name, 'cli-vol')
    assert.equal(v.size, 1)
    assert.equal(v.type, '__DEFAULT__')
    await waitStatus('cli-vol', 'available')
    const list = await demo(['volume', 'list'])
    assert.ok(list.some((x: { Name: string; Status: string }) => x.Name === 'cli-vol' && x.Status === 'available'), JSON.stringify(list))
    const long = await demo(['volume', 'list', '--long'])
    assert.equal(long.find((x: { Name: string }) => x.Name === 'cli-vol').Type, '__DEFAULT__')
    const shown = await demo(['volume', 'show', 'cli-vol'])
    assert.equal(shown.description, 'first')
    assert.match(JSON.stringify(shown.properties), /team/)

    const set = await run('stackling-demo', ['volume', 'set', '--name', 'cli-vol2', '--description', 'second', '--property', 'tier=gold', '--bootable', 'cli-vol'])
    assert.equal(set.code, 0, set.stderr)
    const after = await demo(['volume', 'show', 'cli-vol2'])
    assert.equal(after.description, 'second')
    assert.equal(String(after.bootable), 'true')
    assert.match(JSON.stringify(after.properties), /tier/)

    const ext = await run('stackling-demo', ['volume', 'set', '--size', '2', 'cli-vol2'])
    assert.equal(ext.code, 0, ext.stderr)
    assert.doesNotMatch(ext.stderr, /Failed/)
    for (let i = 0; i < 100 && (await demo(['volume', 'show', 'cli-vol2'])).size !== 2; i++) await new Promise((r) => setTimeout(r, 100))
    await waitStatus('cli-vol2', 'available')
    assert.equal(qemuInfo(fileOf(after.id))['virtual-size'], 2 * GiB)

    // Another project sees nothing of it.
    const foreign = await run('stackling', ['volume', 'show', after.id])
    assert.equal(foreign.code, 0, 'the admin sees every project')
    const otherProject = await admin(['project', 'create', 'vol-other'])
    await admin(['user', 'create', '--password', 'pw', '--project', 'vol-other', 'vol-other-user'])
    assert.equal((await run('stackling', ['role', 'add', '--project', 'vol-other', '--user', 'vol-other-user', 'member'])).code, 0)
    const env = {
      OS_AUTH_URL: `${cloud.url}/identity`,
      OS_USERNAME: 'vol-other-user',
      OS_PASSWORD: 'pw',
      OS_PROJECT_NAME: 'vol-other',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
    }
    const hidden = await openstack(cloud.cloudsYaml, ['volume', 'show', after.id], env)
    assert.notEqual(hidden.code, 0)
    assert.match(hidden.stderr, /No volume with a name or ID/)
    const del = await openstack(cloud.cloudsYaml, ['volume', 'delete', after.id], env)
    assert.notEqual(del.code, 0)
    assert.ok(otherProject.id)

    assert.equal((await run('stackling-demo', ['volume', 'delete', 'cli-vol2'])).code, 0)
    await waitGone(['volume', 'show', after.id])
    assert.ok(!existsSync(fileOf(after.id)))
  })

  it('takes snapshots and makes volumes from a snapshot and from an image', async () => {
    const v = await demo(['volume', 'create', '--size', '1', 'snap-src'])
    await waitStatus('snap-src', 'available')
    const s = await demo(['volume', 'snapshot', 'create', '--volume', 'snap-src', 'cli-snap'])
    assert.equal(s.name, 'cli-snap')
    for (let i = 0; i < 100; i++) {
      if ((await demo(['volume', 'snapshot', 'show', 'cli-snap'])).status === 'available') break
      await new Promise((r) => setTimeout(r, 100))
    }
    const snaps = await demo(['volume', 'snapshot', 'list', '--long'])
    // -f json gives the volume's id (the table shows its name).
    assert.deepEqual(snaps.map((x: { Name: string; Status: string; Volume: string }) => [x.Name, x.Status, x.Volume]), [['cli-snap', 'available', v.id]])
    const fromSnap = await demo(['volume', 'create', '--snapshot', 'cli-snap', '--size', '2', 'from-snap'])
    await waitStatus('from-snap', 'available')
    assert.equal(qemuInfo(fileOf(fromSnap.id))['virtual-size'], 2 * GiB)

    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(work, 'cli.qcow2'), '256M'])
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x42 0 4M', path.join(work, 'cli.qcow2')])
    await demo(['image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', path.join(work, 'cli.qcow2'), 'cli-image'])
    const fromImage = await demo(['volume', 'create', '--image', 'cli-image', '--size', '1', 'from-image'])
    const built = await waitStatus('from-image', 'available')
    assert.equal(String(built.bootable), 'true')
    assert.match(JSON.stringify(built.volume_image_metadata), /cli-image/)
    assert.equal(qemuInfo(fileOf(fromImage.id))['virtual-size'], GiB)
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x42 0 4M', fileOf(fromImage.id)])

    const refused = await run('stackling-demo', ['volume', 'delete', 'snap-src'])
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /snapshot/)
    assert.equal((await run('stackling-demo', ['volume', 'snapshot', 'delete', 'cli-snap'])).code, 0)
    await waitGone(['volume', 'snapshot', 'show', 'cli-snap'])
    assert.equal((await run('stackling-demo', ['volume', 'delete', 'snap-src', 'from-snap', 'from-image'])).code, 0)
    for (const x of [v.id, fromSnap.id, fromImage.id]) await waitGone(['volume', 'show', x])
  })

  it('creates volume types (admin) whose backend decides the file format', async () => {
    const t = await admin(['volume', 'type', 'create', '--property', 'volume_backend_name=raw', '--description', 'raw files', 'cli-raw'])
    assert.equal(t.name, 'cli-raw')
    const types = await demo(['volume', 'type', 'list'])
    assert.deepEqual(types.map((x: { Name: string }) => x.Name).sort(), ['__DEFAULT__', 'cli-raw'])
    const refused = await run('stackling-demo', ['volume', 'type', 'create', 'nope'])
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /403/)
    const v = await demo(['volume', 'create', '--type', 'cli-raw', '--size', '1', 'raw-vol'])
    await waitStatus('raw-vol', 'available')
    assert.equal(qemuInfo(fileOf(v.id, 'img')).format, 'raw')
    assert.equal((await run('stackling-demo', ['volume', 'delete', 'raw-vol'])).code, 0)
    await waitGone(['volume', 'show', v.id])
    assert.equal((await run('stackling', ['volume', 'type', 'delete', 'cli-raw'])).code, 0)
  })

  it('backs a volume up to the object store and restores it as a new volume', async () => {
    const v = await demo(['volume', 'create', '--size', '1', 'backed'])
    await waitStatus('backed', 'available')
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x24 0 1M', fileOf(v.id)])
    const b = await demo(['volume', 'backup', 'create', '--name', 'cli-backup', 'backed'])
    let shown: { status: string } | undefined
    for (let i = 0; i < 100; i++) {
      shown = await demo(['volume', 'backup', 'show', 'cli-backup'])
      if (shown!.status !== 'creating') break
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(shown!.status, 'available')
    assert.deepEqual((await demo(['volume', 'backup', 'list'])).map((x: { Name: string }) => x.Name), ['cli-backup'])
    const containers = await demo(['container', 'list'])
    assert.ok(containers.some((c: { Name: string }) => c.Name === 'volumebackups'), 'the backup is in the object store')
    const r = await run('stackling-demo', ['volume', 'backup', 'restore', 'cli-backup', 'restored-from-backup'])
    // OSC 6.0's restore returns cinderclient's object where cliff wants columns: the restore is made (202), then
    // the client fails to print it. Any other failure is ours.
    if (r.code !== 0) assert.match(r.stderr, /cannot unpack non-iterable VolumeBackupsRestore object/)
    const restored = await waitStatus('restored-from-backup', 'available')
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x24 0 1M', fileOf(restored.id)])
    assert.equal((await run('stackling-demo', ['volume', 'backup', 'delete', b.id])).code, 0)
    await waitGone(['volume', 'backup', 'show', b.id])
    assert.equal((await run('stackling-demo', ['volume', 'delete', 'backed', 'restored-from-backup'])).code, 0)
    for (const x of [v.id, restored.id]) await waitGone(['volume', 'show', x])
  })

  it('records attachments with `openstack volume attachment` (3.27+, complete 3.44)', async () => {
    const img = path.join(work, 'att.qcow2')
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', img, '64M'])
    await demo(['image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', img, 'att-image'])
    const srv = await demo(['server', 'create', '--image', 'att-image', '--flavor', 'm1.tiny', '--network', 'private', '--wait', 'att-srv'])
    const v = await demo(['volume', 'create', '--size', '1', 'att-vol'])
    await waitStatus('att-vol', 'available')
    const old = await run('stackling-demo', ['volume', 'attachment', 'list'])
    assert.notEqual(old.code, 0, 'the default 3.0 has no attachments API')
    const mv = ['--os-volume-api-version', '3.44']
    const a = await demo([...mv, 'volume', 'attachment', 'create', 'att-vol', 'att-srv'])
    assert.equal(a.Status, 'reserved')
    assert.equal(a['Instance ID'], srv.id)
    assert.equal((await demo(['volume', 'show', 'att-vol'])).status, 'reserved')
    assert.equal((await run('stackling-demo', [...mv, 'volume', 'attachment', 'complete', a.ID])).code, 0)
    assert.equal((await demo(['volume', 'show', 'att-vol'])).status, 'in-use')
    const listed = await demo([...mv, 'volume', 'attachment', 'list'])
    assert.deepEqual(listed.map((x: { ID: string; Status: string }) => [x.ID, x.Status]), [[a.ID, 'attached']])
    const refused = await run('stackling-demo', ['volume', 'delete', 'att-vol'])
    assert.notEqual(refused.code, 0)
    assert.equal((await run('stackling-demo', [...mv, 'volume', 'attachment', 'delete', a.ID])).code, 0)
    assert.equal((await demo(['volume', 'show', 'att-vol'])).status, 'available')
    assert.equal((await run('stackling-demo', ['volume', 'delete', 'att-vol'])).code, 0)
    await waitGone(['volume', 'show', v.id])
    assert.equal((await run('stackling-demo', ['server', 'delete', '--wait', 'att-srv'])).code, 0)
  })

  it('shows quotas and limits, and refuses a volume over the quota', async () => {
    const q = await admin(['quota', 'show', 'demo'])
    assert.equal(q.volumes, 10)
    assert.equal(q.gigabytes, 1000)
    assert.equal(q.snapshots, 10)
    assert.ok('instances' in q && 'networks' in q, 'compute and network quotas too')
    const own = await demo(['quota', 'show'])
    assert.equal(own.volumes, 10)
    const limits = await demo(['limits', 'show', '--absolute'])
    const byName = Object.fromEntries(limits.map((l: { Name: string; Value: number }) => [l.Name, l.Value]))
    assert.equal(byName.maxTotalVolumes, 10)
    assert.equal(byName.maxTotalVolumeGigabytes, 1000)
    assert.ok('maxTotalInstances' in byName)

    assert.equal((await run('stackling', ['quota', 'set', '--volumes', '1', 'demo'])).code, 0)
    const v = await demo(['volume', 'create', '--size', '1', 'quota-1'])
    const over = await run('stackling-demo', ['volume', 'create', '--size', '1', 'quota-2'])
    assert.notEqual(over.code, 0)
    assert.match(over.stderr, /Maximum number of volumes allowed \(1\)/)
    assert.match(over.stderr, /HTTP 413/)
    await waitStatus('quota-1', 'available')
    assert.equal((await run('stackling-demo', ['volume', 'delete', 'quota-1'])).code, 0)
    await waitGone(['volume', 'show', v.id])
    assert.equal((await run('stackling', ['quota', 'set', '--volumes', '10', 'demo'])).code, 0)
  })
})

/** kill -9 in the middle of a create from a large image; the restarted cloud tells the truth and keeps no stray file. */
describe('volume service after a crash', () => {
  it('puts an interrupted create-from-image in error and removes its half-written file', { timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-volcrash-'))
    const work = mkdtempSync(path.join(os.tmpdir(), 'stackling-volcrash-img-'))
    let cloud: RunningCloud | undefined
    try {
      cloud = await startTestCloud({ dataDir, env: { STACKLING_HYPERVISOR: 'fake' } })
      const img = path.join(work, 'big.qcow2')
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', img, '1G'])
      // Real data everywhere, so the convert takes a while.
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x7e 0 1G', img])
      const cli = (args: string[]) => openstackJson(cloud!.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
      await cli(['image', 'create', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', img, 'big'])
      const done = await cli(['volume', 'create', '--size', '1', 'survivor'])
      for (let i = 0; i < 100 && (await cli(['volume', 'show', 'survivor'])).status !== 'available'; i++) await new Promise((r) => setTimeout(r, 100))

      const v = await cli(['volume', 'create', '--image', 'big', '--size', '2', 'interrupted'])
      const volumes = path.join(dataDir, 'volumes')
      let sawTemp = false
      for (let i = 0; i < 2000 && !sawTemp; i++) {
        sawTemp = readdirSync(volumes).some((f) => f.startsWith(`.volume-${v.id}`))
        if (!sawTemp) await new Promise((r) => setTimeout(r, 5))
      }
      assert.ok(sawTemp, 'the convert started')
      cloud.process.kill('SIGKILL')
      await new Promise((r) => cloud!.process.once('exit', r))
      // qemu-img dies with the cloud (pdeathsig): nothing keeps writing.
      await new Promise((r) => setTimeout(r, 300))
      const convert = spawnSync('pgrep', ['-f', `qemu-img.*${v.id}`], { encoding: 'utf8' })
      assert.equal(convert.stdout.trim(), '', 'no qemu-img left running')

      cloud = await startTestCloud({ dataDir, env: { STACKLING_HYPERVISOR: 'fake' } })
      const after = await cli(['volume', 'show', v.id])
      assert.equal(after.status, 'error')
      assert.equal((await cli(['volume', 'show', done.id])).status, 'available')
      assert.deepEqual(readdirSync(volumes).sort(), [`volume-${done.id}.qcow2`])
      // The image is not held any more, and the error volume deletes cleanly.
      assert.equal((await openstack(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', 'volume', 'delete', v.id])).code, 0)
      for (let i = 0; i < 100; i++) {
        if ((await openstack(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', 'volume', 'show', v.id])).code !== 0) break
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.equal((await openstack(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', 'image', 'delete', 'big'])).code, 0)
    } finally {
      await cloud?.stop({ keep: true })
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(work, { recursive: true, force: true })
    }
  })
})
