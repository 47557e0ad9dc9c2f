import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { DriverError, GuestNotFound, imageRootDisk, type DiskAttachment, type GuestSpec, type GuestStateEvent } from '../hypervisor-driver'
import { HyperVDriver, type HyperVDriverOptions } from './hyperv-driver'
import { PsFailure, SimulatedHyperV, fixture, type SimVm } from './fake-hyperv-host'

const ID = '0b6c4f7e-5a0e-4c6b-9a37-2f9d6b1e8c01'
const NAME = `stackling-${ID}`

interface World {
  root: string
  host: SimulatedHyperV
  vms: Map<string, SimVm>
  driver: HyperVDriver
  spec: GuestSpec
}

async function world(t: { after(fn: () => unknown): void }, opts: HyperVDriverOptions = {}, init = true): Promise<World> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stackling-hyperv-'))
  const host = new SimulatedHyperV()
  const vms = host.vms
  const driver = new HyperVDriver({ executor: host.executor, pollIntervalMs: 0, ...opts })
  t.after(async () => {
    await driver.shutdownHost()
    host.close()
    rmSync(root, { recursive: true, force: true })
  })
  mkdirSync(path.join(root, 'images'))
  writeFileSync(path.join(root, 'images', 'cirros.qcow2'), 'qcow2 bytes')
  const spec = specIn(root, ID)
  if (init) await driver.initHost()
  return { root, host, vms, driver, spec }
}

function specIn(root: string, id: string): GuestSpec {
  const instanceDir = path.join(root, 'instances', id)
  mkdirSync(instanceDir, { recursive: true })
  return {
    id,
    name: "web-1 'prod' $(x)",
    vcpus: 2,
    memoryMb: 512,
    instanceDir,
    rootDisk: { baseImage: path.join(root, 'images', 'cirros.qcow2'), baseFormat: 'qcow2', sizeGb: 5 },
    ephemeralGb: 1,
    configDrive: { 'openstack/latest/meta_data.json': '{"uuid":"x"}', 'openstack/latest/user_data': Buffer.from('#cloud-config\n') },
    nics: [{ mac: 'fa:16:3e:01:02:03', backend: { type: 'user' } }],
  }
}

const INIT_SEQUENCE = ['probe-host', 'ensure-switch', 'list-vms', 'qemu-img --version']

test('initHost: probes the host, picks the switch, reports hyperv', async (t) => {
  const w = await world(t, {}, false)
  const info = await w.driver.initHost()
  assert.deepEqual(info, {
    hypervisorType: 'hyperv',
    hypervisorVersion: '10.0.22631',
    accelerator: 'hyperv',
    acceleratorNote:
      'Hyper-V on Microsoft Windows 11 Pro 10.0.22631 (module 2.0.0.0, PowerShell 5.1.22621.4391, member of Hyper-V Administrators); guests join the switch "Default Switch"; qemu-img 8.2.2',
    architecture: 'x86_64',
  })
  assert.deepEqual(w.host.sequence, INIT_SEQUENCE)
  assert.equal(w.host.calls[0].program, 'powershell.exe')
  assert.deepEqual(
    w.host.calls.map((c) => c.hyperV),
    [false, true, true, undefined],
    'the probe runs without Import-Module Hyper-V (it finds out whether there is one); qemu-img is no PowerShell',
  )
  assert.deepEqual(w.host.callsOf('ensure-switch')[0].params, { preferred: 'Default Switch', fallback: 'stackling' })
})

test('initHost: no Hyper-V module, or a user who may not use it, is a DriverError that says what to do', async (t) => {
  const w = await world(t, {}, false)
  w.host.on('probe-host', fixture('probe-host-no-module.json'))
  await assert.rejects(w.driver.initHost(), (err: unknown) => err instanceof DriverError && /Hyper-V PowerShell module is not available/.test(err.message))
  w.host.on('probe-host', fixture('probe-host-not-admin.json'))
  await assert.rejects(w.driver.initHost(), { message: /Add it to the "Hyper-V Administrators" group/ })
  assert.deepEqual(w.host.sequence, ['probe-host', 'probe-host'])
})

test('initHost: adopts stackling-* VMs that have a root disk of ours; the GUID is used from then on', async (t) => {
  const w = await world(t, {}, false)
  const dir = path.join(w.root, 'instances', ID)
  mkdirSync(dir, { recursive: true })
  const listed = (fixture('list-vms.json') as { result: { diskPaths: string[] }[] }).result
  listed[0].diskPaths = [path.join(dir, 'root.vhdx')]
  w.host.on('list-vms', listed)
  await w.driver.initHost()
  // The second VM's folder is a Windows path that does not exist here; the orphan has no root disk.
  assert.deepEqual(await w.driver.listGuests(), [ID])
  await w.driver.powerOff('9e1d2c3b-4a5f-4e6d-8c7b-0a1b2c3d4e5f', { timeoutMs: 0 }).catch(() => undefined)
  assert.deepEqual(w.host.callsOf('stop-vm')[0].params, {
    name: 'stackling-9e1d2c3b-4a5f-4e6d-8c7b-0a1b2c3d4e5f',
    vmId: '0f9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c',
    timeoutSeconds: 0,
  })
  await assert.rejects(w.driver.powerOn('orphan'), GuestNotFound)
})

test('spawn: converts the image, makes the disks and config drive, creates the VM, starts it — in that order', async (t) => {
  const w = await world(t)
  let staged: Record<string, string> = {}
  w.host.on('new-config-drive', (p: Record<string, unknown>) => {
    const dir = p.sourceDir as string
    staged = {
      meta: readFileSync(path.join(dir, 'openstack', 'latest', 'meta_data.json'), 'utf8'),
      user: readFileSync(path.join(dir, 'openstack', 'latest', 'user_data'), 'utf8'),
    }
    writeFileSync(p.isoPath as string, 'iso')
  })
  await w.driver.spawn(w.spec, { powerOn: true })
  const dir = w.spec.instanceDir
  assert.deepEqual(w.host.sequence.slice(INIT_SEQUENCE.length), ['get-vm', 'qemu-img convert', 'new-disks', 'new-config-drive', 'create-vm', 'start-vm'])
  assert.deepEqual(w.host.callsOf('get-vm')[0].params, { name: NAME, vmId: null, optional: true })
  const convert = w.host.calls.find((c) => c.args[0] === 'convert')
  assert.deepEqual([convert?.program, convert?.args], [
    'qemu-img',
    ['convert', '-f', 'qcow2', '-O', 'vhdx', '-o', 'subformat=dynamic', imageRootDisk(w.spec, 'test').baseImage, path.join(dir, 'base.vhdx')],
  ])
  assert.deepEqual(w.host.callsOf('new-disks')[0].params, {
    baseVhdx: path.join(dir, 'base.vhdx'),
    rootVhdx: path.join(dir, 'root.vhdx'),
    rootSizeBytes: 5 * 1024 ** 3,
    ephemeralVhdx: path.join(dir, 'ephemeral.vhdx'),
    ephemeralSizeBytes: 1024 ** 3,
  })
  assert.deepEqual(w.host.callsOf('new-config-drive')[0].params, {
    sourceDir: path.join(dir, 'config-drive'),
    isoPath: path.join(dir, 'config-drive.iso'),
    label: 'config-2',
  })
  assert.deepEqual(staged, { meta: '{"uuid":"x"}', user: '#cloud-config\n' })
  assert.deepEqual(w.host.callsOf('create-vm')[0].params, {
    name: NAME,
    generation: 2,
    memoryBytes: 512 * 1024 * 1024,
    path: dir,
    switchName: 'Default Switch',
    vcpus: 2,
    notes: `Stackling instance web-1 'prod' $(x) (${ID})`,
    rootVhdx: path.join(dir, 'root.vhdx'),
    dataDisks: [path.join(dir, 'ephemeral.vhdx')],
    configIso: path.join(dir, 'config-drive.iso'),
    secureBoot: false,
    secureBootTemplate: null,
    nics: [{ name: 'nic0', switchName: 'Default Switch', mac: 'FA163E010203' }],
    pipePath: `\\\\.\\pipe\\${NAME}`,
  })
  assert.deepEqual(w.host.callsOf('start-vm')[0].params, { name: NAME, vmId: '00000000-0000-4000-8000-000000000001' })
  assert.deepEqual(readdirSync(dir).sort(), ['Virtual Machines', 'base.vhdx', 'config-drive.iso', 'ephemeral.vhdx', 'root.vhdx'])
  assert.deepEqual(await w.driver.listGuests(), [ID])
  assert.deepEqual(await w.driver.getInfo(ID), { state: 'running', vcpus: 2, memoryMb: 512, uptimeSeconds: 42 })
})

test('spawn: a BIOS image gets a Generation 1 VM; powerOn false leaves it off', async (t) => {
  const w = await world(t)
  await w.driver.spawn({ ...w.spec, imageProperties: { hw_firmware_type: 'bios' }, configDrive: undefined, ephemeralGb: 0, nics: [] }, { powerOn: false })
  assert.deepEqual(w.host.sequence.slice(INIT_SEQUENCE.length), ['get-vm', 'qemu-img convert', 'new-disks', 'create-vm'])
  const params = w.host.callsOf('create-vm')[0].params ?? {}
  assert.deepEqual([params.generation, params.switchName, params.nics, params.configIso, params.dataDisks], [1, null, [], null, []])
  assert.equal((await w.driver.getInfo(ID)).state, 'shutdown')
})

for (const failing of ['create-vm', 'start-vm', 'new-config-drive', 'new-disks'] as const) {
  test(`spawn: a failure in ${failing} removes the VM and every file, and reports PowerShell's message`, async (t) => {
    const w = await world(t)
    const error = failing === 'start-vm' ? fixture('error-start-memory.json') : fixture('error-add-disk.json')
    const before = w.host.handlers.get(failing)
    // The failing step first does its part (the VM exists after a half-done create-vm), then fails.
    w.host.on(failing, async (p: Record<string, unknown>, call: unknown) => {
      await before?.(p, call as never)
      return error
    })
    const expected = failing === 'start-vm' ? /^Start-VM: 'stackling-.*' failed to start\./ : /^Add-VMHardDiskDrive: Failed to add device 'Virtual Hard Disk'\./
    await assert.rejects(w.driver.spawn(w.spec, { powerOn: true }), (err: unknown) => err instanceof DriverError && expected.test(err.message))
    const seq = w.host.sequence
    assert.equal(seq[seq.length - 2], failing)
    assert.equal(seq[seq.length - 1], 'destroy-vm')
    assert.deepEqual(w.host.callsOf('destroy-vm')[0].params, { name: NAME, vmId: null })
    assert.deepEqual(readdirSync(w.spec.instanceDir), [], 'nothing is left in the instance folder')
    assert.equal(w.vms.size, 0, 'no VM is left in Hyper-V')
    assert.deepEqual(await w.driver.listGuests(), [])
    await assert.rejects(w.driver.getInfo(ID), GuestNotFound)
  })
}

test('spawn: a qemu-img failure is cleaned up as well', async (t) => {
  const w = await world(t)
  w.host.qemuImgExit = 1
  await assert.rejects(w.driver.spawn(w.spec, { powerOn: true }), {
    message: `qemu-img convert failed (exit code 1): qemu-img: Could not open '${imageRootDisk(w.spec, 'test').baseImage}': No such file or directory`,
  })
  assert.deepEqual(w.host.sequence.slice(INIT_SEQUENCE.length), ['get-vm', 'qemu-img convert', 'destroy-vm'])
  assert.deepEqual(readdirSync(w.spec.instanceDir), [])
})

test('spawn: when the cleanup fails too, both are said and a later destroy finishes the job', async (t) => {
  const w = await world(t)
  const destroy = w.host.handlers.get('destroy-vm')
  w.host.on('start-vm', fixture('error-start-memory.json'))
  w.host.on('destroy-vm', new PsFailure('The operation cannot be performed while the object is in its current state.', { command: 'Remove-VM' }))
  await assert.rejects(w.driver.spawn(w.spec, { powerOn: true }), {
    message: /failed to start[\s\S]*\(Cleaning up also failed: Remove-VM: The operation cannot be performed/,
  })
  w.host.on('destroy-vm', destroy)
  await w.driver.destroy(ID, { keepDisks: false })
  assert.equal(w.vms.size, 0)
})

test('spawn: refused before anything is made when Hyper-V cannot do what the spec asks', async (t) => {
  const w = await world(t)
  const cases: [Partial<GuestSpec>, RegExp][] = [
    [{ nics: [{ mac: 'fa:16:3e:01:02:03', backend: { type: 'stream', socketPath: '/tmp/s', server: true } }] }, /a NIC on a stream backend[\s\S]*Hyper-V switch driver/],
    [{ nics: [{ mac: 'not-a-mac', backend: { type: 'user' } }] }, /is not a MAC address/],
    [{ volumes: [{ id: 'v1', file: '/volumes/v1.qcow2', format: 'qcow2' }] }, /only VHDX or VHD files; volume v1 is a qcow2 file/],
    [{ memoryMb: 511 }, /whole, even megabytes/],
    [{ vcpus: 0 }, /0 vCPUs/],
    [{ id: "x'; Remove-VM *" }, /cannot name a Hyper-V VM/],
    [{ instanceDir: 'relative/dir' }, /not an absolute path/],
    [{ rootDisk: { volume: { id: 'v-root', file: 'C:\\volumes\\v.vhdx', format: 'raw' } } }, /Hyper-V driver cannot boot a guest from a volume \(volume v-root\)/],
  ]
  for (const [change, message] of cases) {
    await assert.rejects(w.driver.spawn({ ...w.spec, ...change }, { powerOn: true }), (err: unknown) => err instanceof DriverError && message.test(err.message))
  }
  assert.deepEqual(w.host.sequence, INIT_SEQUENCE)
})

test('spawn: a VM of that name already in Hyper-V is left alone', async (t) => {
  const w = await world(t)
  w.vms.set(NAME, { name: NAME, vmId: 'someone-elses', state: 'Running', path: 'C:\\x', diskPaths: [], processorCount: 1, memoryStartupBytes: 0 })
  writeFileSync(path.join(w.spec.instanceDir, 'keep.txt'), 'x')
  await assert.rejects(w.driver.spawn(w.spec, { powerOn: true }), { message: `A Hyper-V VM named ${NAME} already exists.` })
  assert.deepEqual(w.host.sequence.slice(INIT_SEQUENCE.length), ['get-vm'])
  assert.ok(w.vms.has(NAME))
  assert.deepEqual(readdirSync(w.spec.instanceDir), ['keep.txt'])
})

test('destroy: removes the VM and the folder contents; idempotent; keepDisks keeps the VHDX files', async (t) => {
  const w = await world(t)
  await w.driver.spawn(w.spec, { powerOn: true })
  await w.driver.destroy(ID, { keepDisks: false })
  assert.deepEqual(readdirSync(w.spec.instanceDir), [])
  assert.equal(w.vms.size, 0)
  assert.deepEqual(await w.driver.listGuests(), [])
  await w.driver.destroy(ID, { keepDisks: false })
  await w.driver.destroy(ID, { keepDisks: true })
  assert.deepEqual(w.host.callsOf('destroy-vm').map((c) => c.params), [
    { name: NAME, vmId: '00000000-0000-4000-8000-000000000001' },
    { name: NAME, vmId: null },
    { name: NAME, vmId: null },
  ])

  const other = specIn(w.root, 'keeper')
  await w.driver.spawn(other, { powerOn: false })
  writeFileSync(path.join(other.instanceDir, 'console.log'), 'boot\n')
  await w.driver.destroy('keeper', { keepDisks: true })
  assert.deepEqual(readdirSync(other.instanceDir).sort(), ['base.vhdx', 'ephemeral.vhdx', 'root.vhdx'])
})

test('GuestNotFound: unknown ids, and guests whose VM is gone from Hyper-V', async (t) => {
  const w = await world(t)
  await assert.rejects(w.driver.getInfo('nobody'), (err: unknown) => err instanceof GuestNotFound && err.id === 'nobody')
  assert.deepEqual(w.host.callsOf('get-vm').at(-1)?.params, { name: 'stackling-nobody', vmId: null, optional: false })
  const before = w.host.calls.length
  for (const op of [
    () => w.driver.powerOff('nobody', { timeoutMs: 0 }),
    () => w.driver.powerOn('nobody'),
    () => w.driver.reboot('nobody', 'HARD'),
    () => w.driver.pause('nobody'),
    () => w.driver.snapshot('nobody', path.join(w.root, 's.qcow2'), 'qcow2'),
    () => w.driver.consoleLog('nobody'),
  ]) {
    await assert.rejects(op(), GuestNotFound)
  }
  assert.equal(w.host.calls.length, before, 'unknown guests cost no PowerShell call')

  await w.driver.spawn(w.spec, { powerOn: true })
  w.vms.clear() // removed in Hyper-V Manager
  await assert.rejects(w.driver.getInfo(ID), GuestNotFound)
  await assert.rejects(w.driver.powerOff(ID, { timeoutMs: 1000 }), (err: unknown) => err instanceof GuestNotFound && err.id === ID)
  await w.driver.destroy(ID, { keepDisks: false })
})

test('power: each operation runs its command on the VM by GUID', async (t) => {
  const w = await world(t, { softRebootTimeoutMs: 30_000 })
  await w.driver.spawn(w.spec, { powerOn: true })
  const mark = w.host.calls.length
  await w.driver.powerOff(ID, { timeoutMs: 60_000 })
  assert.equal((await w.driver.getInfo(ID)).state, 'shutdown')
  await w.driver.powerOff(ID, { timeoutMs: 0 })
  await w.driver.powerOn(ID)
  await w.driver.reboot(ID, 'SOFT')
  await w.driver.reboot(ID, 'HARD')
  await w.driver.pause(ID)
  assert.equal((await w.driver.getInfo(ID)).state, 'paused')
  await w.driver.unpause(ID)
  await w.driver.suspend(ID)
  assert.deepEqual(await w.driver.getInfo(ID), { state: 'suspended', vcpus: 2, memoryMb: 512 })
  await w.driver.resume(ID)
  const calls = w.host.calls.slice(mark).filter((c) => c.op !== 'get-vm')
  const vmId = '00000000-0000-4000-8000-000000000001'
  assert.deepEqual(
    calls.map((c) => [c.op, c.params]),
    [
      ['stop-vm', { name: NAME, vmId, timeoutSeconds: 60 }],
      ['stop-vm', { name: NAME, vmId, timeoutSeconds: 0 }],
      ['start-vm', { name: NAME, vmId }],
      ['soft-reboot-vm', { name: NAME, vmId, timeoutSeconds: 30 }],
      ['restart-vm', { name: NAME, vmId }],
      ['pause-vm', { name: NAME, vmId }],
      ['unpause-vm', { name: NAME, vmId }],
      ['suspend-vm', { name: NAME, vmId }],
      ['resume-vm', { name: NAME, vmId }],
    ],
  )
  assert.equal(calls[0].timeoutMs, 180_000, 'PowerShell may run past the guest timeout by the turn-off margin')
})

test('snapshot: Convert-VHD to a standalone VHDX, then qemu-img to the asked format; the temporary VHDX goes', async (t) => {
  const w = await world(t)
  await w.driver.spawn(w.spec, { powerOn: true })
  const target = path.join(w.root, 'snap.qcow2')
  const mark = w.host.calls.length
  await w.driver.snapshot(ID, target, 'qcow2')
  const [exported, convert] = w.host.calls.slice(mark)
  assert.equal(exported.op, 'export-root-disk')
  const standalone = exported.params?.targetVhdx as string
  assert.match(path.basename(standalone), /^snapshot-[0-9a-f]{12}\.vhdx$/)
  assert.equal(path.dirname(standalone), w.spec.instanceDir)
  assert.deepEqual(exported.params, {
    name: NAME,
    vmId: '00000000-0000-4000-8000-000000000001',
    rootVhdx: path.join(w.spec.instanceDir, 'root.vhdx'),
    targetVhdx: standalone,
    checkpointName: `stackling-${path.basename(standalone, '.vhdx')}`,
  })
  assert.deepEqual(convert.args, ['convert', '-f', 'vhdx', '-O', 'qcow2', standalone, target])
  assert.ok(existsSync(target))
  assert.ok(!existsSync(standalone))

  w.host.qemuImgExit = 1
  const failed = path.join(w.root, 'failed.raw')
  writeFileSync(failed, 'partial')
  await assert.rejects(w.driver.snapshot(ID, failed, 'raw'), /qemu-img convert failed/)
  assert.ok(!existsSync(failed), 'a half-written snapshot is removed')
  assert.deepEqual(readdirSync(w.spec.instanceDir).filter((f) => f.startsWith('snapshot-')), [])
})

test('volumes: VHDX files hot-plug on SCSI and are remembered in the instance folder', async (t) => {
  const w = await world(t)
  await w.driver.spawn(w.spec, { powerOn: true })
  const volume: DiskAttachment = { id: 'vol-1', file: path.join(w.root, 'vol-1.vhdx'), format: 'raw' }
  await w.driver.attachVolume(ID, volume)
  assert.deepEqual(w.host.callsOf('attach-disk')[0].params, { name: NAME, vmId: '00000000-0000-4000-8000-000000000001', path: volume.file })
  assert.deepEqual(JSON.parse(readFileSync(path.join(w.spec.instanceDir, 'volumes.json'), 'utf8')), { 'vol-1': volume.file })
  await w.driver.detachVolume(ID, 'vol-1')
  assert.deepEqual(w.host.callsOf('detach-disk')[0].params, { name: NAME, vmId: '00000000-0000-4000-8000-000000000001', path: volume.file })
  const calls = w.host.calls.length
  await assert.rejects(w.driver.detachVolume(ID, 'vol-1'), { message: `Volume vol-1 is not attached to guest ${ID}.` })
  assert.equal(w.host.calls.length, calls)
  await assert.rejects(w.driver.attachVolume(ID, { id: 'q', file: '/v/q.qcow2', format: 'qcow2' }), /only VHDX or VHD files/)
  await assert.rejects(w.driver.attachVolume(ID, { ...volume, readOnly: true }), /read-only/)
  await w.driver.attachVolume(ID, volume)
  await w.driver.attachVolume(ID, volume) // the same attachment again: nothing changes
  assert.equal(w.vms.get(NAME)?.diskPaths.filter((d) => d === volume.file).length, 1)
  await assert.rejects(w.driver.attachVolume(ID, { ...volume, file: path.join(w.root, 'other.vhdx') }), /vol-1 is already attached/)
  await w.driver.suspend(ID)
  await assert.rejects(w.driver.detachVolume(ID, 'vol-1'), /is saved \(suspended\): resume it/)
})

test('onDidChangeState: fires when a guest changes state on its own, not for the driver’s own changes', async (t) => {
  const w = await world(t)
  await w.driver.spawn(w.spec, { powerOn: true })
  const events: GuestStateEvent[] = []
  const sub = w.driver.onDidChangeState((e) => events.push(e))
  await w.driver.pollStates()
  await w.driver.pause(ID)
  await w.driver.pollStates()
  assert.deepEqual(events, [])
  const vm = w.vms.get(NAME)
  if (vm) vm.state = 'Off' // shut down from inside
  await w.driver.pollStates()
  await w.driver.pollStates()
  assert.deepEqual(events, [{ id: ID, state: 'shutdown' }])
  w.vms.clear()
  await w.driver.pollStates()
  assert.deepEqual(events.at(-1), { id: ID, state: 'nostate' })
  sub.dispose()
  w.vms.set(NAME, { ...(vm as SimVm), state: 'Running' })
  await w.driver.pollStates()
  assert.equal(events.length, 2)
})

test('serial console: one connection to the pipe feeds the console log and live console streams', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stackling-pipe-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const sock = path.join(root, 'com1.sock')
  const fromGuest = new Set<net.Socket>()
  const received: Buffer[] = []
  const server = net.createServer((s) => {
    fromGuest.add(s)
    s.on('data', (d) => received.push(d))
    s.write('Booting Linux\nlogin: ')
  })
  server.listen(sock)
  await once(server, 'listening')
  t.after(() => server.close())
  const w = await world(t, { serial: { pipePath: () => sock, retryMs: 20 } })
  await w.driver.spawn(w.spec, { powerOn: true })
  await waitFor(async () => (await w.driver.consoleLog(ID)).includes('login: '))
  assert.equal(await w.driver.consoleLog(ID, 1), 'login: ')
  const stream = await w.driver.openSerialConsole(ID)
  const seen: string[] = []
  stream.on('data', (d: Buffer) => seen.push(d.toString()))
  stream.write('root\n')
  await waitFor(async () => Buffer.concat(received).toString() === 'root\n')
  for (const s of fromGuest) s.write('# ')
  await waitFor(async () => seen.join('') === '# ')
  stream.close()
  await w.driver.powerOff(ID, { timeoutMs: 0 })
  await assert.rejects(w.driver.openSerialConsole(ID), /is not running/)
  assert.match(await w.driver.consoleLog(ID), /^Booting Linux\nlogin: # $/)
})

test('base image cache: converted once for every instance of the image, and kept by destroy', async (t) => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'stackling-cache-'))
  t.after(() => rmSync(cache, { recursive: true, force: true }))
  const w = await world(t, { baseImageCacheDir: cache })
  const second = specIn(w.root, 'second')
  await Promise.all([w.driver.spawn(w.spec, { powerOn: false }), w.driver.spawn(second, { powerOn: false })])
  assert.equal(w.host.calls.filter((c) => c.args[0] === 'convert').length, 1)
  const bases = w.host.callsOf('new-disks').map((c) => c.params?.baseVhdx)
  assert.equal(bases[0], bases[1])
  assert.equal(path.dirname(bases[0] as string), cache)
  await w.driver.destroy(ID, { keepDisks: false })
  assert.ok(existsSync(bases[0] as string))
  assert.deepEqual(readdirSync(cache), [path.basename(bases[0] as string)])
})

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('config drive: a file path that would leave the staging folder is refused, and the spawn cleaned up', async (t) => {
  const w = await world(t)
  for (const bad of ['../escape', '/etc/passwd', 'openstack/../../x', 'a\\..\\b', 'C:/x', '']) {
    await assert.rejects(w.driver.spawn({ ...w.spec, configDrive: { [bad]: 'x' } }, { powerOn: false }), /is not a plain relative path/, bad)
    assert.deepEqual(readdirSync(w.spec.instanceDir), [])
  }
  assert.ok(!existsSync(path.join(w.root, 'instances', 'escape')))
  assert.ok(!w.host.sequence.includes('new-config-drive'))
})
