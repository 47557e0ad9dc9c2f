import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as c from './hyperv-commands'
import { PS_WRAPPER_HEAD, PS_WRAPPER_TAIL, decodeInvocation, encodeInvocation, type PsCommand } from './powershell'
import { fixturesDir } from './fake-hyperv-host'

const DIR = 'C:\\Users\\dev\\AppData\\Roaming\\Stackling\\instances\\0b6c4f7e'
const VM: c.VmRef = { name: 'stackling-0b6c4f7e', vmId: '5d2e8a61-3c4f-4b7a-8e21-9f0c1d2e3b4a' }

function createInput(overrides: Partial<c.CreateVmInput> = {}): c.CreateVmInput {
  return {
    name: 'stackling-0b6c4f7e',
    displayName: 'web-1',
    instanceId: '0b6c4f7e',
    path: DIR,
    generation: 2,
    vcpus: 2,
    memoryBytes: 1024 * 1024 * 1024,
    rootVhdx: `${DIR}\\root.vhdx`,
    dataDisks: [`${DIR}\\ephemeral.vhdx`],
    configIso: `${DIR}\\config-drive.iso`,
    secureBoot: { enabled: false },
    nics: [
      { switchName: 'Default Switch', mac: 'fa:16:3e:01:02:03' },
      { switchName: 'Default Switch', mac: 'fa:16:3e:0a:0b:0c' },
    ],
    pipePath: '\\\\.\\pipe\\stackling-0b6c4f7e',
    ...overrides,
  }
}

/** Every builder, with sample values, so the checks below cover all of them. */
function everyCommand(): [c.ScriptName, PsCommand][] {
  return [
    ['probeHost', c.probeHost()],
    ['ensureSwitch', c.ensureSwitch('Default Switch', 'stackling')],
    ['listVms', c.listVms()],
    ['getVm', c.getVm(VM)],
    ['newDisks', c.newDisks({ baseVhdx: `${DIR}\\base.vhdx`, rootVhdx: `${DIR}\\root.vhdx`, rootSizeBytes: 0, ephemeral: { path: `${DIR}\\e.vhdx`, sizeBytes: 1 } })],
    ['newConfigDrive', c.newConfigDrive(`${DIR}\\config-drive`, `${DIR}\\config-drive.iso`)],
    ['createVm', c.createVm(createInput())],
    ['startVm', c.startVm(VM)],
    ['stopVm', c.stopVm(VM, 0)],
    ['restartVm', c.restartVm(VM)],
    ['softRebootVm', c.softRebootVm(VM, 1000)],
    ['pauseVm', c.pauseVm(VM)],
    ['unpauseVm', c.unpauseVm(VM)],
    ['suspendVm', c.suspendVm(VM)],
    ['resumeVm', c.resumeVm(VM)],
    ['destroyVm', c.destroyVm(VM)],
    ['exportRootDisk', c.exportRootDisk(VM, `${DIR}\\root.vhdx`, `${DIR}\\snapshot.vhdx`, 'stackling-snapshot-1')],
    ['attachDisk', c.attachDisk(VM, 'D:\\volumes\\v1.vhdx')],
    ['detachDisk', c.detachDisk(VM, 'D:\\volumes\\v1.vhdx')],
  ]
}

test('golden scripts: every script is exactly its fixtures/scripts/<name>.ps1', () => {
  const dir = path.join(fixturesDir(), 'scripts')
  const update = process.env.STACKLING_UPDATE_GOLDEN === '1'
  const goldens: Record<string, string> = { ...c.SCRIPTS, _wrapper: `${PS_WRAPPER_HEAD}# (the script of the command goes here, unindented)${PS_WRAPPER_TAIL}` }
  if (update) mkdirSync(dir, { recursive: true })
  for (const [name, script] of Object.entries(goldens)) {
    const file = path.join(dir, `${name}.ps1`)
    if (update) writeFileSync(file, script)
    assert.ok(existsSync(file), `${file} is missing: run with STACKLING_UPDATE_GOLDEN=1`)
    assert.equal(script, readFileSync(file, 'utf8'), `${name} differs from its golden file`)
  }
  assert.equal(everyCommand().length, Object.keys(c.SCRIPTS).length)
})

test('each command runs its constant script, and the script reads only params its builder provides', () => {
  for (const [name, command] of everyCommand()) {
    assert.equal(command.script, c.SCRIPTS[name], name)
    const read = new Set([...command.script.matchAll(/\$P\.([A-Za-z]+)/g)].map((m) => m[1]))
    // name and vmId are read by Get-StacklingVM in the wrapper.
    if (/Get-StacklingVM/.test(command.script)) read.add('name').add('vmId')
    assert.deepEqual([...read].filter((k) => !(k in command.params)), [], `${name} reads params it is not given`)
    assert.doesNotMatch(command.script, /undefined|\$\{/, name)
  }
})

test('hostile names and paths travel as data: the script text is the same', () => {
  const hostile = `x'; Remove-VM * -Force; '$(calc)\`n"\n'@`
  const evil = c.createVm(
    createInput({ displayName: hostile, path: `C:\\Users\\O'Brien $(x)\\${hostile}`, rootVhdx: `C:\\${hostile}\\root.vhdx`, dataDisks: [hostile], configIso: hostile }),
  )
  assert.equal(evil.script, c.SCRIPTS.createVm)
  const { script, doc } = decodeInvocation(encodeInvocation(evil))
  assert.equal(script, decodeInvocation(encodeInvocation(c.createVm(createInput()))).script)
  assert.equal(doc.params.notes, `Stackling instance ${hostile} (0b6c4f7e)`)
  assert.equal(doc.params.path, `C:\\Users\\O'Brien $(x)\\${hostile}`)
  assert.deepEqual(doc.params.dataDisks, [hostile])
})

test('create-vm: Generation 2 Linux guest, secure boot off, two NICs with static MACs', () => {
  const command = c.createVm(createInput())
  assert.equal(command.op, 'create-vm')
  assert.equal(command.hyperV, undefined)
  assert.deepEqual(command.params, {
    name: 'stackling-0b6c4f7e',
    generation: 2,
    memoryBytes: 1073741824,
    path: DIR,
    switchName: 'Default Switch',
    vcpus: 2,
    notes: 'Stackling instance web-1 (0b6c4f7e)',
    rootVhdx: `${DIR}\\root.vhdx`,
    dataDisks: [`${DIR}\\ephemeral.vhdx`],
    configIso: `${DIR}\\config-drive.iso`,
    secureBoot: false,
    secureBootTemplate: null,
    nics: [
      { name: 'nic0', switchName: 'Default Switch', mac: 'FA163E010203' },
      { name: 'nic1', switchName: 'Default Switch', mac: 'FA163E0A0B0C' },
    ],
    pipePath: '\\\\.\\pipe\\stackling-0b6c4f7e',
  })
})

test('create-vm: Generation 1 (BIOS image) without NICs or config drive; secure boot never set on Gen 1', () => {
  const command = c.createVm(createInput({ generation: 1, nics: [], configIso: undefined, dataDisks: [], secureBoot: { enabled: true, template: 'MicrosoftWindows' } }))
  assert.deepEqual(
    { ...command.params },
    {
      name: 'stackling-0b6c4f7e',
      generation: 1,
      memoryBytes: 1073741824,
      path: DIR,
      switchName: null,
      vcpus: 2,
      notes: 'Stackling instance web-1 (0b6c4f7e)',
      rootVhdx: `${DIR}\\root.vhdx`,
      dataDisks: [],
      configIso: null,
      secureBoot: false,
      secureBootTemplate: null,
      nics: [],
      pipePath: '\\\\.\\pipe\\stackling-0b6c4f7e',
    },
  )
  const withSecureBoot = c.createVm(createInput({ secureBoot: { enabled: true, template: 'MicrosoftUEFICertificateAuthority' } }))
  assert.equal(withSecureBoot.params.secureBoot, true)
  assert.equal(withSecureBoot.params.secureBootTemplate, 'MicrosoftUEFICertificateAuthority')
})

test('create-vm: the cmdlets come in the order Hyper-V needs', () => {
  const lines = c.SCRIPTS.createVm.split('\n').map((l) => l.trim())
  const at = (start: string) => {
    const i = lines.findIndex((l) => l.startsWith(start))
    assert.ok(i >= 0, `${start} is missing`)
    return i
  }
  const order = [
    '$vm = New-VM -Name $P.name -Generation $P.generation -NoVHD -MemoryStartupBytes $P.memoryBytes -Path $P.path -SwitchName $P.switchName',
    '$vm = New-VM -Name $P.name -Generation $P.generation -NoVHD -MemoryStartupBytes $P.memoryBytes -Path $P.path',
    'Set-VMProcessor -VM $vm -Count $P.vcpus',
    'Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes $P.memoryBytes',
    'Set-VM -VM $vm -Notes $P.notes -AutomaticStartAction Nothing -AutomaticStopAction ShutDown -CheckpointType Production',
    'Set-VM -VM $vm -AutomaticCheckpointsEnabled $false',
    'Add-VMHardDiskDrive -VM $vm -ControllerType IDE -ControllerNumber 0 -ControllerLocation 0 -Path $P.rootVhdx',
    'Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0 -Path $P.rootVhdx',
    'Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -Path $disk',
    'Set-VMDvdDrive -VMDvdDrive $dvd[0] -Path $P.configIso',
    'Add-VMDvdDrive -VM $vm -Path $P.configIso',
    'Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate $P.secureBootTemplate -FirstBootDevice $root',
    'Set-VMFirmware -VM $vm -EnableSecureBoot Off -FirstBootDevice $root',
    "Set-VMBios -VM $vm -StartupOrder @('IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy')",
    '$adapter = Add-VMNetworkAdapter -VM $vm -Name $nic.name -Passthru',
    'Connect-VMNetworkAdapter -VMNetworkAdapter $adapter -SwitchName $nic.switchName',
    'Set-VMNetworkAdapter -VMNetworkAdapter $adapter -StaticMacAddress $nic.mac',
    'Remove-VMNetworkAdapter -VMNetworkAdapter $adapters[$i]',
    'Set-VMComPort -VM $vm -Number 1 -Path $P.pipePath',
    '[pscustomobject]@{ vmId = [string]$vm.VMId }',
  ].map(at)
  assert.deepEqual(order, [...order].sort((a, b) => a - b))
})

test('power commands: what each runs and how long PowerShell may take', () => {
  assert.deepEqual(c.stopVm(VM, 0), {
    op: 'stop-vm',
    script: c.SCRIPTS.stopVm,
    params: { name: 'stackling-0b6c4f7e', vmId: '5d2e8a61-3c4f-4b7a-8e21-9f0c1d2e3b4a', timeoutSeconds: 0 },
    timeoutMs: 120_000,
  })
  assert.deepEqual(c.stopVm({ name: 'stackling-a' }, 60_500).params, { name: 'stackling-a', vmId: null, timeoutSeconds: 61 })
  assert.equal(c.stopVm(VM, 60_500).timeoutMs, 181_000)
  assert.deepEqual(c.softRebootVm(VM, 120_000).params, { ...VM, timeoutSeconds: 120 })
  assert.match(c.SCRIPTS.stopVm, /^\s+\$job = Stop-VM -VM \$vm -Force -AsJob$/m)
  assert.match(c.SCRIPTS.stopVm, /^\s+Stop-VM -VM \$vm -TurnOff -Force$/m)
  assert.match(c.SCRIPTS.restartVm, /^\s+Restart-VM -VM \$vm -Force$/m)
  assert.match(c.SCRIPTS.pauseVm, /Suspend-VM -VM \$vm/)
  assert.match(c.SCRIPTS.unpauseVm, /Resume-VM -VM \$vm/)
  assert.match(c.SCRIPTS.suspendVm, /Save-VM -VM \$vm/)
  assert.match(c.SCRIPTS.resumeVm, /Start-VM -VM \$vm/)
  assert.match(c.SCRIPTS.destroyVm, /^\$vm = Get-StacklingVM -Optional$/m)
  assert.match(c.SCRIPTS.destroyVm, /^\s+Remove-VM -VM \$vm -Force$/m)
  assert.deepEqual(c.getVm({ name: 'stackling-a' }, { optional: true }).params, { name: 'stackling-a', vmId: null, optional: true })
})

test('disks: differencing root over the base, ephemeral dynamic disk, SCSI hot-plug for volumes', () => {
  assert.deepEqual(c.newDisks({ baseVhdx: 'C:\\cache\\b.vhdx', rootVhdx: `${DIR}\\root.vhdx`, rootSizeBytes: 10737418240 }).params, {
    baseVhdx: 'C:\\cache\\b.vhdx',
    rootVhdx: `${DIR}\\root.vhdx`,
    rootSizeBytes: 10737418240,
    ephemeralVhdx: null,
    ephemeralSizeBytes: 0,
  })
  assert.match(c.SCRIPTS.newDisks, /New-VHD -Path \$P\.rootVhdx -ParentPath \$P\.baseVhdx -Differencing -SizeBytes \(\[uint64\]\$P\.rootSizeBytes\)/)
  assert.match(c.SCRIPTS.newDisks, /New-VHD -Path \$P\.ephemeralVhdx -SizeBytes \(\[uint64\]\$P\.ephemeralSizeBytes\) -Dynamic/)
  assert.deepEqual(c.attachDisk(VM, 'D:\\v\\1.vhdx').params, { ...VM, path: 'D:\\v\\1.vhdx' })
  assert.match(c.SCRIPTS.attachDisk, /Add-VMHardDiskDrive -VM \$vm -ControllerType SCSI -ControllerNumber 0 -Path \$P\.path/)
  assert.match(c.SCRIPTS.detachDisk, /Where-Object \{ \$_\.Path -eq \$P\.path \} \| Remove-VMHardDiskDrive/)
  assert.deepEqual(c.newConfigDrive('C:\\i\\config-drive', 'C:\\i\\config-drive.iso'), {
    op: 'new-config-drive',
    script: c.SCRIPTS.newConfigDrive,
    params: { sourceDir: 'C:\\i\\config-drive', isoPath: 'C:\\i\\config-drive.iso', label: 'config-2' },
    hyperV: false,
  })
  assert.deepEqual(c.exportRootDisk(VM, 'C:\\i\\root.vhdx', 'C:\\i\\s.vhdx', 'stackling-snapshot-1').params, {
    ...VM,
    rootVhdx: 'C:\\i\\root.vhdx',
    targetVhdx: 'C:\\i\\s.vhdx',
    checkpointName: 'stackling-snapshot-1',
  })
})

test('qemu-img: argument arrays for the base conversion and the snapshot', () => {
  assert.deepEqual(c.convertToVhdx('qemu-img', 'C:\\images\\cirros.qcow2', 'qcow2', 'C:\\i\\base.vhdx'), {
    program: 'qemu-img',
    args: ['convert', '-f', 'qcow2', '-O', 'vhdx', '-o', 'subformat=dynamic', 'C:\\images\\cirros.qcow2', 'C:\\i\\base.vhdx'],
  })
  assert.deepEqual(c.convertFromVhdx('C:\\Program Files\\qemu\\qemu-img.exe', 'C:\\i\\s.vhdx', "C:\\O'Brien\\$(x).raw", 'raw'), {
    program: 'C:\\Program Files\\qemu\\qemu-img.exe',
    args: ['convert', '-f', 'vhdx', '-O', 'raw', 'C:\\i\\s.vhdx', "C:\\O'Brien\\$(x).raw"],
  })
})

test('names, pipes and MACs', () => {
  assert.equal(c.vmName('0b6c4f7e-5a0e-4c6b-9a37-2f9d6b1e8c01'), 'stackling-0b6c4f7e-5a0e-4c6b-9a37-2f9d6b1e8c01')
  assert.equal(c.serialPipePath('abc'), '\\\\.\\pipe\\stackling-abc')
  for (const bad of ['', 'a b', "a'b", 'a$(x)', 'a`b', 'a\nb', '../x', 'a*', '-a', 'x'.repeat(101)]) {
    assert.throws(() => c.vmName(bad), /cannot name a Hyper-V VM/, JSON.stringify(bad))
  }
  assert.equal(c.instanceIdOf('stackling-abc'), 'abc')
  assert.equal(c.instanceIdOf('stackling-a b'), undefined)
  assert.equal(c.instanceIdOf('other-vm'), undefined)
  assert.equal(c.hypervMac('fa:16:3e:aa:bb:cc'), 'FA163EAABBCC')
  assert.equal(c.hypervMac('00-15-5D-01-02-03'), '00155D010203')
  assert.equal(c.hypervMac('00155d010203'), '00155D010203')
  assert.throws(() => c.hypervMac('fa:16:3e:aa:bb'), /not a MAC address/)
  assert.throws(() => c.hypervMac("fa:16:3e:aa:bb:c'"), /not a MAC address/)
  assert.throws(() => c.hypervMac('01:00:5e:00:00:01'), /multicast/)
})

test('generation and secure boot from image properties', () => {
  assert.equal(c.chooseGeneration(), 2)
  assert.equal(c.chooseGeneration({ hw_firmware_type: 'bios' }), 1)
  assert.equal(c.chooseGeneration({ hw_firmware_type: 'uefi' }), 2)
  assert.equal(c.chooseGeneration({ hw_machine_type: 'hyperv-gen2', hw_firmware_type: 'bios' }), 2)
  assert.equal(c.chooseGeneration({ hw_machine_type: 'hyperv-gen1' }), 1)
  assert.deepEqual(c.chooseSecureBoot(), { enabled: false })
  assert.deepEqual(c.chooseSecureBoot({ os_type: 'linux' }), { enabled: false })
  assert.deepEqual(c.chooseSecureBoot({ os_secure_boot: 'required' }), { enabled: true, template: 'MicrosoftUEFICertificateAuthority' })
  assert.deepEqual(c.chooseSecureBoot({ os_type: 'windows' }), { enabled: true, template: 'MicrosoftWindows' })
  assert.deepEqual(c.chooseSecureBoot({ os_type: 'windows', os_secure_boot: 'disabled' }), { enabled: false })
})
