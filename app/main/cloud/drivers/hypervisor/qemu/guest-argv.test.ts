import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DriverError } from '../hypervisor-driver'
import { buildGuestArgv, guestFiles, MAX_SOCKET_PATH, socketDirFor, volumeBlockdev, volumeDevice, volumeNames, type GuestHardware } from './guest-argv'

const ID = '0c6f3a2e-8d4b-4f7e-9a51-2b7c9e1d4f60'
const DIR = `/data/instances/${ID}`
const files = guestFiles(DIR, '/tmp')

const hw = (over: Partial<GuestHardware> = {}): GuestHardware => ({
  id: ID,
  name: 'vm1',
  vcpus: 2,
  memoryMb: 256,
  nics: [{ mac: 'FA:16:3E:00:00:01', backend: { type: 'user' } }],
  hasConfigDrive: false,
  hasEphemeral: false,
  volumes: [],
  imageProperties: {},
  ...over,
})

const TAIL = [
  '-chardev', `socket,id=serial0,path=${DIR}/console.sock,server=on,wait=off,logfile=${DIR}/console.log,logappend=on`,
  '-serial', 'chardev:serial0',
  '-chardev', `socket,id=qmp,path=${DIR}/qmp.sock,server=on,wait=off`,
  '-mon', 'chardev=qmp,mode=control',
  '-pidfile', `${DIR}/qemu.pid`,
  '-name', `${ID},process=stackling-${ID}`,
]

describe('guest-argv', () => {
  it('a plain guest under TCG: pc, no defaults, virtio root disk by node name, virtio-net without option ROM', () => {
    assert.deepEqual(buildGuestArgv(hw(), files, { accelerator: 'tcg' }, { paused: false }), [
      '-machine', 'pc', '-accel', 'tcg', '-cpu', 'max',
      '-smp', '2', '-m', '256',
      '-nodefaults', '-no-user-config', '-display', 'none', '-rtc', 'base=utc',
      '-blockdev', `{"driver":"qcow2","node-name":"root","read-only":false,"file":{"driver":"file","filename":"${DIR}/disk.qcow2","read-only":false},"discard":"unmap"}`,
      '-device', 'virtio-blk-pci,id=root-disk,drive=root,bootindex=0',
      '-netdev', 'user,id=net0',
      '-device', 'virtio-net-pci,id=nic0,netdev=net0,mac=fa:16:3e:00:00:01,romfile=',
      ...TAIL,
    ])
  })

  it('boot from volume: the root node is the volume file itself (its format, no overlay), still bootindex 0', () => {
    const argv = buildGuestArgv(hw({ rootVolume: { id: 'b7a1c9d0-root', file: '/data/volumes/root.raw', format: 'raw' } }), files, { accelerator: 'tcg' }, { paused: false })
    const at = argv.indexOf('-blockdev')
    assert.equal(argv[at + 1], '{"driver":"raw","node-name":"root","read-only":false,"file":{"driver":"file","filename":"/data/volumes/root.raw","read-only":false},"discard":"unmap"}')
    assert.equal(argv[at + 3], 'virtio-blk-pci,id=root-disk,drive=root,bootindex=0')
    assert.ok(!argv.some((a) => a.includes('disk.qcow2')))
  })

  it('KVM, paused start, config drive, ephemeral disk, a volume, a switch NIC (comma in its path), RNG', () => {
    const vol = { id: 'b7a1c9d0-1111-4222-8333-444455556666', file: '/data/volumes/v1.qcow2', format: 'qcow2' as const, ...volumeNames('b7a1c9d0-1111-4222-8333-444455556666') }
    const argv = buildGuestArgv(
      hw({
        vcpus: 1,
        memoryMb: 512,
        hasConfigDrive: true,
        hasEphemeral: true,
        volumes: [vol],
        nics: [
          { mac: 'fa:16:3e:00:00:01', backend: { type: 'user' } },
          { mac: 'fa:16:3e:00:00:02', backend: { type: 'stream', socketPath: '/run/stackling/net,1.sock', server: false } },
        ],
        imageProperties: { hw_rng_model: 'virtio' },
      }),
      files,
      { accelerator: 'kvm' },
      { paused: true },
    )
    assert.deepEqual(argv, [
      '-machine', 'pc', '-accel', 'kvm', '-cpu', 'host',
      '-smp', '1', '-m', '512',
      '-nodefaults', '-no-user-config', '-display', 'none', '-rtc', 'base=utc',
      '-blockdev', `{"driver":"qcow2","node-name":"root","read-only":false,"file":{"driver":"file","filename":"${DIR}/disk.qcow2","read-only":false},"discard":"unmap"}`,
      '-device', 'virtio-blk-pci,id=root-disk,drive=root,bootindex=0',
      '-blockdev', `{"driver":"raw","node-name":"config","read-only":true,"file":{"driver":"file","filename":"${DIR}/config-2.img","read-only":true}}`,
      '-device', 'virtio-blk-pci,id=config-drive,drive=config,serial=config-2',
      '-blockdev', `{"driver":"qcow2","node-name":"ephemeral","read-only":false,"file":{"driver":"file","filename":"${DIR}/ephemeral.qcow2","read-only":false},"discard":"unmap"}`,
      '-device', 'virtio-blk-pci,id=ephemeral-disk,drive=ephemeral,serial=ephemeral0',
      '-blockdev', `{"driver":"qcow2","node-name":"${vol.nodeName}","read-only":false,"file":{"driver":"file","filename":"/data/volumes/v1.qcow2","read-only":false},"discard":"unmap"}`,
      '-device', `virtio-blk-pci,id=${vol.deviceId},drive=${vol.nodeName},serial=b7a1c9d0-1111-4222-8`,
      '-netdev', 'user,id=net0',
      '-device', 'virtio-net-pci,id=nic0,netdev=net0,mac=fa:16:3e:00:00:01,romfile=',
      '-netdev', 'stream,id=net1,server=off,addr.type=unix,addr.path=/run/stackling/net,,1.sock',
      '-device', 'virtio-net-pci,id=nic1,netdev=net1,mac=fa:16:3e:00:00:02,romfile=',
      '-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0',
      ...TAIL,
      '-S',
    ])
  })

  it('a NIC on a Neutron port: QEMU is the stream server at the network driver\'s path, the switch connects to it', () => {
    const argv = buildGuestArgv(
      hw({ nics: [{ mac: 'FA:16:3E:AA:BB:CC', backend: { type: 'stream', socketPath: '/data/network/ports/4f1c2d3e-aaaa.sock', server: true } }] }),
      files,
      { accelerator: 'tcg' },
      { paused: false },
    )
    const at = argv.indexOf('-netdev')
    assert.deepEqual(argv.slice(at, at + 4), [
      '-netdev', 'stream,id=net0,server=on,addr.type=unix,addr.path=/data/network/ports/4f1c2d3e-aaaa.sock',
      '-device', 'virtio-net-pci,id=nic0,netdev=net0,mac=fa:16:3e:aa:bb:cc,romfile=',
    ])
    assert.equal(argv.filter((a) => a === '-netdev').length, 1)
  })

  it('image properties: q35, SCSI root disk, e1000 NIC', () => {
    const argv = buildGuestArgv(hw({ imageProperties: { hw_machine_type: 'q35', hw_disk_bus: 'scsi', hw_vif_model: 'e1000' } }), files, { accelerator: 'tcg' }, { paused: false })
    assert.deepEqual(argv.slice(0, 2), ['-machine', 'q35'])
    assert.ok(argv.includes('virtio-scsi-pci,id=scsi0'))
    assert.ok(argv.includes('scsi-hd,id=root-disk,bus=scsi0.0,drive=root,bootindex=0'))
    assert.ok(argv.includes('e1000,id=nic0,netdev=net0,mac=fa:16:3e:00:00:01,romfile='))
    const ide = buildGuestArgv(hw({ imageProperties: { hw_disk_bus: 'ide' } }), files, { accelerator: 'tcg' }, { paused: false })
    assert.ok(ide.includes('ide-hd,id=root-disk,bus=ide.0,drive=root,bootindex=0'))
  })

  it('refuses hardware it cannot build and malformed MACs', () => {
    const build = (props: Record<string, string>, over: Partial<GuestHardware> = {}) =>
      buildGuestArgv(hw({ imageProperties: props, ...over }), files, { accelerator: 'tcg' }, { paused: false })
    assert.throws(() => build({ hw_machine_type: 'virt' }), DriverError)
    assert.throws(() => build({ hw_disk_bus: 'usb' }), /hw_disk_bus=usb/)
    assert.throws(() => build({ hw_vif_model: 'vmxnet3' }), /hw_vif_model=vmxnet3/)
    assert.throws(() => build({}, { nics: [{ mac: 'fa:16:3e:00:00', backend: { type: 'user' } }] }), /invalid MAC/)
  })

  it('volumes: stable QEMU names within the 31-character node-name limit; the same objects for QMP hotplug', () => {
    const n = volumeNames('b7a1c9d0-1111-4222-8333-444455556666')
    assert.deepEqual(n, volumeNames('b7a1c9d0-1111-4222-8333-444455556666'))
    assert.ok(n.nodeName.length <= 31)
    assert.notEqual(n.nodeName, volumeNames('b7a1c9d0-1111-4222-8333-444455556667').nodeName)
    const v = { id: 'v1', file: '/x/v1.raw', format: 'raw' as const, readOnly: true, ...n }
    assert.deepEqual(volumeBlockdev(v), { driver: 'raw', 'node-name': n.nodeName, 'read-only': true, file: { driver: 'file', filename: '/x/v1.raw', 'read-only': true } })
    assert.deepEqual(volumeDevice(v), { driver: 'virtio-blk-pci', id: n.deviceId, drive: n.nodeName, serial: 'v1' })
  })

  it('sockets stay in the instance folder unless its path is too long for a socket address', () => {
    assert.equal(socketDirFor(DIR, '/tmp'), DIR)
    const long = `/home/someone/.local/share/stackling/some/deeply/nested/folder/instances/${ID}`
    const dir = socketDirFor(long, '/tmp')
    assert.match(dir, /^\/tmp\/stackling-[0-9a-f]{16}$/)
    assert.equal(dir, socketDirFor(long, '/tmp'), 'stable: a restarted driver finds the sockets again')
    const f = guestFiles(long, '/tmp')
    assert.equal(f.rootDisk, `${long}/disk.qcow2`)
    assert.equal(f.qmpSocket, `${dir}/qmp.sock`)
    assert.ok(Buffer.byteLength(f.consoleSocket) <= MAX_SOCKET_PATH)
  })
})
