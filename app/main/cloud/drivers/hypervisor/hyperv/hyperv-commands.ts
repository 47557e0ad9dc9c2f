import { DriverError } from '../hypervisor-driver'
import type { PsCommand } from './powershell'

/**
 * Pure builders of everything the Hyper-V driver runs: a spec goes in, a PowerShell command (constant script +
 * JSON params) or a program call (argv array) comes out. No I/O, no policy beyond checking the values.
 *
 * Every script below is a constant: it reads its values from `$P` (see powershell.ts), so no name, path or
 * note can change what PowerShell parses. The scripts run inside the wrapper of powershell.ts, which provides
 * `Get-StacklingVM` (finds `$P.name`, or `$P.vmId` when the driver knows the VM's GUID) and stops at the first
 * error. The `fixtures/scripts/*.ps1` golden files are these scripts as PowerShell receives them.
 */

export const VM_NAME_PREFIX = 'stackling-'

/** A program started with an argument array (qemu-img). */
export interface ProgramCall {
  program: string
  args: string[]
}

/** Which VM a command is about: its name, and Hyper-V's GUID for it once the driver knows it. */
export interface VmRef {
  name: string
  vmId?: string
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/

/** Instance ids become VM names, pipe names and file names: letters, digits, '-' and '_' only. */
export function assertInstanceId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new DriverError(`Instance id ${JSON.stringify(id)} cannot name a Hyper-V VM (letters, digits, '-' and '_' only).`)
}

export function vmName(id: string): string {
  assertInstanceId(id)
  return VM_NAME_PREFIX + id
}

/** The instance id of a VM name of ours, or undefined for any other VM. */
export function instanceIdOf(name: string): string | undefined {
  if (!name.startsWith(VM_NAME_PREFIX)) return undefined
  const id = name.slice(VM_NAME_PREFIX.length)
  return ID_PATTERN.test(id) ? id : undefined
}

/** The named pipe Hyper-V serves the guest's COM1 on. */
export function serialPipePath(id: string): string {
  assertInstanceId(id)
  return `\\\\.\\pipe\\${VM_NAME_PREFIX}${id}`
}

/** fa:16:3e:01:02:03 → FA163E010203, the form Set-VMNetworkAdapter -StaticMacAddress takes. */
export function hypervMac(mac: string): string {
  if (!/^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$/.test(mac)) throw new DriverError(`${JSON.stringify(mac)} is not a MAC address.`)
  const hex = mac.replace(/[:-]/g, '').toUpperCase()
  if (parseInt(hex.slice(0, 2), 16) & 1) throw new DriverError(`${mac} is a multicast MAC address; Hyper-V needs a unicast one.`)
  return hex
}

export type Generation = 1 | 2

/**
 * Generation 2 (UEFI, SCSI boot) unless the image asks for BIOS: `hw_machine_type` hyperv-gen1/hyperv-gen2 (as in
 * Nova's Hyper-V driver) wins, then `hw_firmware_type` bios/uefi.
 */
export function chooseGeneration(props: Record<string, string> = {}): Generation {
  if (props.hw_machine_type === 'hyperv-gen1') return 1
  if (props.hw_machine_type === 'hyperv-gen2') return 2
  if (props.hw_firmware_type === 'bios') return 1
  return 2
}

export interface SecureBoot {
  enabled: boolean
  template?: 'MicrosoftWindows' | 'MicrosoftUEFICertificateAuthority'
}

/**
 * Secure boot of a Generation 2 VM. Off for Linux guests unless the image asks (`os_secure_boot` required or
 * optional, then with the UEFI CA template that signs shim); Windows guests boot with the Windows template.
 */
export function chooseSecureBoot(props: Record<string, string> = {}): SecureBoot {
  const wanted = props.os_secure_boot
  if (wanted === 'disabled') return { enabled: false }
  if (props.os_type === 'windows') return { enabled: true, template: 'MicrosoftWindows' }
  if (wanted === 'required' || wanted === 'optional') return { enabled: true, template: 'MicrosoftUEFICertificateAuthority' }
  return { enabled: false }
}

// ---------------------------------------------------------------------------------------------------------------
// Scripts

/**
 * A VM as the driver reads it: flat, so that ConvertTo-Json -Depth 4 reaches every value. `state` is the enum's
 * name (its number moved between Windows versions).
 */
const VM_RECORD_FUNCTION = `function ConvertTo-StacklingVmRecord($vm) {
  $diskPaths = @(Get-VMHardDiskDrive -VM $vm | ForEach-Object { [string]$_.Path })
  [pscustomobject]@{
    name = [string]$vm.Name
    vmId = [string]$vm.VMId
    state = [string]$vm.State
    stateValue = [int]$vm.State
    generation = [int]$vm.Generation
    processorCount = [int]$vm.ProcessorCount
    memoryStartupBytes = [int64]$vm.MemoryStartup
    uptimeSeconds = [int64]$vm.Uptime.TotalSeconds
    path = [string]$vm.Path
    diskPaths = $diskPaths
  }
}
`

/**
 * Shuts the VM down through the guest's shutdown integration service, waits up to `$Seconds`, then turns it off
 * (at once when `$Seconds` is 0 or the guest has no integration service). `-Force` on the graceful request only
 * keeps Stop-VM from asking a question when the guest is locked; it is still a shutdown from inside.
 */
const STOP_FUNCTION = `function Stop-StacklingVM($vm, [int]$Seconds) {
  if ($vm.State -eq 'Off') { return 'off' }
  if ($vm.State -eq 'Saved') { Remove-VMSavedState -VM $vm; return 'discarded-saved-state' }
  if ($Seconds -gt 0 -and $vm.State -eq 'Running') {
    $job = Stop-VM -VM $vm -Force -AsJob
    $null = Wait-Job -Job $job -Timeout $Seconds
    Remove-Job -Job $job -Force
    $vm = Get-VM -Id $vm.VMId
    if ($vm.State -eq 'Off') { return 'shut-down' }
  }
  Stop-VM -VM $vm -TurnOff -Force
  return 'turned-off'
}
`

export const SCRIPTS = {
  /** Runs without Import-Module: it is what tells whether the module is there. */
  probeHost: `$module = Get-Module -ListAvailable -Name Hyper-V | Sort-Object -Property Version -Descending | Select-Object -First 1
$getVm = $null
if ($module) {
  Import-Module Hyper-V -ErrorAction SilentlyContinue
  $getVm = Get-Command -Name Get-VM -Module Hyper-V -ErrorAction SilentlyContinue
}
$vmms = Get-Service -Name vmms -ErrorAction SilentlyContinue
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
$isAdmin = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
$isHyperVAdmin = $principal.IsInRole([Security.Principal.SecurityIdentifier]'S-1-5-32-578')
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$moduleVersion = $null
if ($module) { $moduleVersion = [string]$module.Version }
$vmmsStatus = $null
if ($vmms) { $vmmsStatus = [string]$vmms.Status }
[pscustomobject]@{
  hyperVModule = [bool]$getVm
  moduleVersion = $moduleVersion
  vmmsStatus = $vmmsStatus
  isAdmin = [bool]$isAdmin
  isHyperVAdmin = [bool]$isHyperVAdmin
  osCaption = [string]$os.Caption
  osVersion = [string]$os.Version
  architecture = [string]$env:PROCESSOR_ARCHITECTURE
  psVersion = [string]$PSVersionTable.PSVersion
}
`,

  /** The preferred switch (Default Switch: NAT + DHCP, like QEMU's user network), else an Internal one of ours. */
  ensureSwitch: `$preferred = @(Get-VMSwitch | Where-Object { $_.Name -ceq $P.preferred })
if ($preferred.Count -gt 0) { return [pscustomobject]@{ name = [string]$preferred[0].Name; switchType = [string]$preferred[0].SwitchType; created = $false } }
$fallback = @(Get-VMSwitch | Where-Object { $_.Name -ceq $P.fallback })
$created = $false
if ($fallback.Count -eq 0) {
  $null = New-VMSwitch -Name $P.fallback -SwitchType Internal
  $created = $true
}
[pscustomobject]@{ name = $P.fallback; switchType = 'Internal'; created = $created }
`,

  listVms: `${VM_RECORD_FUNCTION}$vms = @(Get-VM | Where-Object { $_.Name.StartsWith($P.prefix, [StringComparison]::Ordinal) })
, @($vms | ForEach-Object { ConvertTo-StacklingVmRecord $_ })
`,

  getVm: `${VM_RECORD_FUNCTION}$vm = Get-StacklingVM -Optional:$P.optional
if ($vm) { ConvertTo-StacklingVmRecord $vm }
`,

  /**
   * The root disk: a differencing VHDX over the converted base (grown when the flavor is larger), and the
   * ephemeral disk. Hyper-V refuses sparse VHDX files, and a copied or converted file can come out sparse.
   */
  newDisks: `if (((Get-Item -LiteralPath $P.baseVhdx).Attributes -band [IO.FileAttributes]::SparseFile) -ne 0) {
  & fsutil.exe sparse setflag $P.baseVhdx 0 | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "fsutil could not clear the sparse flag of $($P.baseVhdx)." }
}
$parent = Get-VHD -Path $P.baseVhdx
if ([uint64]$P.rootSizeBytes -gt $parent.Size) {
  $null = New-VHD -Path $P.rootVhdx -ParentPath $P.baseVhdx -Differencing -SizeBytes ([uint64]$P.rootSizeBytes)
} else {
  $null = New-VHD -Path $P.rootVhdx -ParentPath $P.baseVhdx -Differencing
}
if ($P.ephemeralVhdx) {
  $null = New-VHD -Path $P.ephemeralVhdx -SizeBytes ([uint64]$P.ephemeralSizeBytes) -Dynamic
}
`,

  /**
   * The config drive as an ISO 9660 + Joliet image labelled config-2, made with Windows' own IMAPI2 (no mkisofs on
   * Windows). IMAPI hands back a COM IStream; the few lines of C# copy it to the file.
   */
  newConfigDrive: `if (-not ('StacklingIsoWriter' -as [type])) {
  Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.ComTypes;
public static class StacklingIsoWriter {
  public static void Save(object imageStream, string path) {
    IStream source = (IStream)imageStream;
    byte[] buffer = new byte[1 << 16];
    IntPtr read = Marshal.AllocHGlobal(sizeof(int));
    try {
      using (FileStream target = new FileStream(path, FileMode.CreateNew, FileAccess.Write)) {
        while (true) {
          source.Read(buffer, buffer.Length, read);
          int n = Marshal.ReadInt32(read);
          if (n <= 0) break;
          target.Write(buffer, 0, n);
        }
      }
    } finally {
      Marshal.FreeHGlobal(read);
    }
  }
}
'@
}
$image = New-Object -ComObject IMAPI2FS.MsftFileSystemImage
$image.FileSystemsToCreate = 3
$image.VolumeName = $P.label
$image.Root.AddTree($P.sourceDir, $false)
$result = $image.CreateResultImage()
[StacklingIsoWriter]::Save($result.ImageStream, $P.isoPath)
`,

  /** New-VM and every setting, in the order Hyper-V needs them; returns the VM's GUID. */
  createVm: `if ($P.switchName) {
  $vm = New-VM -Name $P.name -Generation $P.generation -NoVHD -MemoryStartupBytes $P.memoryBytes -Path $P.path -SwitchName $P.switchName
} else {
  $vm = New-VM -Name $P.name -Generation $P.generation -NoVHD -MemoryStartupBytes $P.memoryBytes -Path $P.path
}
Set-VMProcessor -VM $vm -Count $P.vcpus
Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes $P.memoryBytes
Set-VM -VM $vm -Notes $P.notes -AutomaticStartAction Nothing -AutomaticStopAction ShutDown -CheckpointType Production
if ((Get-Command -Name Set-VM).Parameters.ContainsKey('AutomaticCheckpointsEnabled')) {
  Set-VM -VM $vm -AutomaticCheckpointsEnabled $false
}
if ($P.generation -eq 1) {
  Add-VMHardDiskDrive -VM $vm -ControllerType IDE -ControllerNumber 0 -ControllerLocation 0 -Path $P.rootVhdx
} else {
  Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0 -Path $P.rootVhdx
}
if (-not (Get-VMScsiController -VM $vm)) { Add-VMScsiController -VM $vm }
foreach ($disk in $P.dataDisks) {
  Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -Path $disk
}
if ($P.configIso) {
  $dvd = @(Get-VMDvdDrive -VM $vm)
  if ($dvd.Count -gt 0) {
    Set-VMDvdDrive -VMDvdDrive $dvd[0] -Path $P.configIso
  } else {
    Add-VMDvdDrive -VM $vm -Path $P.configIso
  }
}
if ($P.generation -eq 2) {
  $root = Get-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -ControllerLocation 0
  if ($P.secureBoot) {
    Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate $P.secureBootTemplate -FirstBootDevice $root
  } else {
    Set-VMFirmware -VM $vm -EnableSecureBoot Off -FirstBootDevice $root
  }
} else {
  Set-VMBios -VM $vm -StartupOrder @('IDE', 'CD', 'LegacyNetworkAdapter', 'Floppy')
}
$adapters = @(Get-VMNetworkAdapter -VM $vm)
for ($i = 0; $i -lt $P.nics.Count; $i++) {
  $nic = $P.nics[$i]
  if ($i -lt $adapters.Count) {
    $adapter = $adapters[$i]
  } else {
    $adapter = Add-VMNetworkAdapter -VM $vm -Name $nic.name -Passthru
  }
  Connect-VMNetworkAdapter -VMNetworkAdapter $adapter -SwitchName $nic.switchName
  Set-VMNetworkAdapter -VMNetworkAdapter $adapter -StaticMacAddress $nic.mac
}
for ($i = $P.nics.Count; $i -lt $adapters.Count; $i++) {
  Remove-VMNetworkAdapter -VMNetworkAdapter $adapters[$i]
}
Set-VMComPort -VM $vm -Number 1 -Path $P.pipePath
[pscustomobject]@{ vmId = [string]$vm.VMId }
`,

  /** Also restores a saved (suspended) guest; a running or paused one is left as it is. */
  startVm: `$vm = Get-StacklingVM
if ($vm.State -ne 'Running' -and $vm.State -ne 'Paused') { Start-VM -VM $vm }
`,

  stopVm: `${STOP_FUNCTION}$vm = Get-StacklingVM
[pscustomobject]@{ outcome = (Stop-StacklingVM $vm $P.timeoutSeconds) }
`,

  /** HARD: Restart-VM is a reset. A guest that is not running is (re)started instead. */
  restartVm: `$vm = Get-StacklingVM
if ($vm.State -eq 'Running') {
  Restart-VM -VM $vm -Force
} else {
  if ($vm.State -eq 'Saved') { Remove-VMSavedState -VM $vm } elseif ($vm.State -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force }
  Start-VM -VM $vm
}
`,

  /** SOFT: shutdown through the integration service (turned off after the timeout), then start. */
  softRebootVm: `${STOP_FUNCTION}$vm = Get-StacklingVM
$outcome = Stop-StacklingVM $vm $P.timeoutSeconds
Start-VM -VM (Get-VM -Id $vm.VMId)
[pscustomobject]@{ outcome = $outcome }
`,

  /** Pause: Suspend-VM keeps the guest in memory (Hyper-V's "Paused"). */
  pauseVm: `$vm = Get-StacklingVM
if ($vm.State -ne 'Paused') { Suspend-VM -VM $vm }
`,

  unpauseVm: `$vm = Get-StacklingVM
if ($vm.State -eq 'Paused') { Resume-VM -VM $vm } elseif ($vm.State -ne 'Running') { throw "$($P.name) is $($vm.State), not paused." }
`,

  /** Suspend: Save-VM writes the memory to the VM's folder (inside the instance folder) and stops it. */
  suspendVm: `$vm = Get-StacklingVM
if ($vm.State -ne 'Saved') { Save-VM -VM $vm }
`,

  resumeVm: `$vm = Get-StacklingVM
if ($vm.State -eq 'Saved') { Start-VM -VM $vm } elseif ($vm.State -ne 'Running' -and $vm.State -ne 'Paused') { throw "$($P.name) is $($vm.State), not saved: there is nothing to resume." }
`,

  /** Idempotent: no VM is not an error. Remove-VM leaves the disk files, which the driver deletes. */
  destroyVm: `$vm = Get-StacklingVM -Optional
if ($vm) {
  if ($vm.State -eq 'Saved') { Remove-VMSavedState -VM $vm } elseif ($vm.State -ne 'Off') { Stop-VM -VM $vm -TurnOff -Force }
  Remove-VM -VM $vm -Force
}
[pscustomobject]@{ removed = [bool]$vm }
`,

  /**
   * A standalone copy of the root disk (no parent) as a dynamic VHDX. A running guest first gets a checkpoint, so
   * root.vhdx stops changing (writes go to an .avhdx) while Convert-VHD reads the chain; the checkpoint is then
   * removed, which merges those writes back.
   */
  exportRootDisk: `$vm = Get-StacklingVM
$checkpoint = $null
if ($vm.State -ne 'Off') {
  $checkpoint = Checkpoint-VM -VM $vm -SnapshotName $P.checkpointName -Passthru
}
try {
  Convert-VHD -Path $P.rootVhdx -DestinationPath $P.targetVhdx -VHDType Dynamic
} finally {
  if ($checkpoint) { Remove-VMSnapshot -VMSnapshot $checkpoint }
}
`,

  /** On the SCSI controller, which takes disks while the guest runs (IDE does not). */
  attachDisk: `$vm = Get-StacklingVM
if ($vm.State -eq 'Saved') { throw "$($P.name) is saved (suspended): resume it before changing its disks." }
if (-not (Get-VMScsiController -VM $vm)) { Add-VMScsiController -VM $vm }
$attached = @(Get-VMHardDiskDrive -VM $vm | Where-Object { $_.Path -eq $P.path })
if ($attached.Count -eq 0) {
  Add-VMHardDiskDrive -VM $vm -ControllerType SCSI -ControllerNumber 0 -Path $P.path
}
`,

  detachDisk: `$vm = Get-StacklingVM
if ($vm.State -eq 'Saved') { throw "$($P.name) is saved (suspended): resume it before changing its disks." }
Get-VMHardDiskDrive -VM $vm | Where-Object { $_.Path -eq $P.path } | Remove-VMHardDiskDrive
`,
} as const

export type ScriptName = keyof typeof SCRIPTS

// ---------------------------------------------------------------------------------------------------------------
// Builders

const ref = (r: VmRef): { name: string; vmId: string | null } => ({ name: r.name, vmId: r.vmId ?? null })

export function probeHost(): PsCommand {
  return { op: 'probe-host', script: SCRIPTS.probeHost, params: {}, hyperV: false }
}

export function ensureSwitch(preferred: string, fallback: string): PsCommand {
  return { op: 'ensure-switch', script: SCRIPTS.ensureSwitch, params: { preferred, fallback } }
}

export function listVms(): PsCommand {
  return { op: 'list-vms', script: SCRIPTS.listVms, params: { prefix: VM_NAME_PREFIX } }
}

/** With `optional`, a missing VM gives null instead of an error. */
export function getVm(vm: VmRef, opts: { optional?: boolean } = {}): PsCommand {
  return { op: 'get-vm', script: SCRIPTS.getVm, params: { ...ref(vm), optional: opts.optional === true } }
}

export interface NewDisksInput {
  baseVhdx: string
  rootVhdx: string
  /** 0 = the base image's size. */
  rootSizeBytes: number
  ephemeral?: { path: string; sizeBytes: number }
}

export function newDisks(input: NewDisksInput): PsCommand {
  return {
    op: 'new-disks',
    script: SCRIPTS.newDisks,
    params: {
      baseVhdx: input.baseVhdx,
      rootVhdx: input.rootVhdx,
      rootSizeBytes: input.rootSizeBytes,
      ephemeralVhdx: input.ephemeral?.path ?? null,
      ephemeralSizeBytes: input.ephemeral?.sizeBytes ?? 0,
    },
    timeoutMs: 10 * 60_000,
  }
}

export function newConfigDrive(sourceDir: string, isoPath: string, label = 'config-2'): PsCommand {
  return { op: 'new-config-drive', script: SCRIPTS.newConfigDrive, params: { sourceDir, isoPath, label }, hyperV: false }
}

export interface CreateVmInput {
  name: string
  /** Display name of the instance, for Hyper-V Manager's notes. */
  displayName: string
  instanceId: string
  /** The instance folder: New-VM keeps the configuration, saved state and checkpoints there. */
  path: string
  generation: Generation
  vcpus: number
  memoryBytes: number
  rootVhdx: string
  dataDisks: string[]
  configIso?: string
  secureBoot: SecureBoot
  /** One per NIC, in order: the switch and the MAC (any form hypervMac takes). */
  nics: { switchName: string; mac: string }[]
  pipePath: string
}

export function createVm(input: CreateVmInput): PsCommand {
  const nics = input.nics.map((n, i) => ({ name: `nic${i}`, switchName: n.switchName, mac: hypervMac(n.mac) }))
  return {
    op: 'create-vm',
    script: SCRIPTS.createVm,
    params: {
      name: input.name,
      generation: input.generation,
      memoryBytes: input.memoryBytes,
      path: input.path,
      switchName: nics[0]?.switchName ?? null,
      vcpus: input.vcpus,
      notes: `Stackling instance ${input.displayName} (${input.instanceId})`,
      rootVhdx: input.rootVhdx,
      dataDisks: input.dataDisks,
      configIso: input.configIso ?? null,
      secureBoot: input.generation === 2 && input.secureBoot.enabled,
      secureBootTemplate: input.generation === 2 && input.secureBoot.enabled ? (input.secureBoot.template ?? 'MicrosoftUEFICertificateAuthority') : null,
      nics,
      pipePath: input.pipePath,
    },
    timeoutMs: 5 * 60_000,
  }
}

export function startVm(vm: VmRef): PsCommand {
  return { op: 'start-vm', script: SCRIPTS.startVm, params: ref(vm), timeoutMs: 5 * 60_000 }
}

/** timeoutMs 0 = turn off at once. PowerShell gets the wait plus time for Stop-VM -TurnOff itself. */
export function stopVm(vm: VmRef, timeoutMs: number): PsCommand {
  const timeoutSeconds = Math.max(0, Math.ceil(timeoutMs / 1000))
  return { op: 'stop-vm', script: SCRIPTS.stopVm, params: { ...ref(vm), timeoutSeconds }, timeoutMs: timeoutSeconds * 1000 + 120_000 }
}

export function restartVm(vm: VmRef): PsCommand {
  return { op: 'restart-vm', script: SCRIPTS.restartVm, params: ref(vm), timeoutMs: 5 * 60_000 }
}

export function softRebootVm(vm: VmRef, timeoutMs: number): PsCommand {
  const timeoutSeconds = Math.max(0, Math.ceil(timeoutMs / 1000))
  return { op: 'soft-reboot-vm', script: SCRIPTS.softRebootVm, params: { ...ref(vm), timeoutSeconds }, timeoutMs: timeoutSeconds * 1000 + 180_000 }
}

export function pauseVm(vm: VmRef): PsCommand {
  return { op: 'pause-vm', script: SCRIPTS.pauseVm, params: ref(vm) }
}

export function unpauseVm(vm: VmRef): PsCommand {
  return { op: 'unpause-vm', script: SCRIPTS.unpauseVm, params: ref(vm) }
}

export function suspendVm(vm: VmRef): PsCommand {
  return { op: 'suspend-vm', script: SCRIPTS.suspendVm, params: ref(vm), timeoutMs: 10 * 60_000 }
}

export function resumeVm(vm: VmRef): PsCommand {
  return { op: 'resume-vm', script: SCRIPTS.resumeVm, params: ref(vm), timeoutMs: 10 * 60_000 }
}

export function destroyVm(vm: VmRef): PsCommand {
  return { op: 'destroy-vm', script: SCRIPTS.destroyVm, params: ref(vm), timeoutMs: 5 * 60_000 }
}

export function exportRootDisk(vm: VmRef, rootVhdx: string, targetVhdx: string, checkpointName: string): PsCommand {
  return { op: 'export-root-disk', script: SCRIPTS.exportRootDisk, params: { ...ref(vm), rootVhdx, targetVhdx, checkpointName }, timeoutMs: 60 * 60_000 }
}

export function attachDisk(vm: VmRef, path: string): PsCommand {
  return { op: 'attach-disk', script: SCRIPTS.attachDisk, params: { ...ref(vm), path } }
}

export function detachDisk(vm: VmRef, path: string): PsCommand {
  return { op: 'detach-disk', script: SCRIPTS.detachDisk, params: { ...ref(vm), path } }
}

/** Base image (qcow2 or raw) → dynamic VHDX, the parent of every root disk made from it. */
export function convertToVhdx(qemuImg: string, source: string, sourceFormat: 'qcow2' | 'raw', target: string): ProgramCall {
  return { program: qemuImg, args: ['convert', '-f', sourceFormat, '-O', 'vhdx', '-o', 'subformat=dynamic', source, target] }
}

/** Standalone VHDX (from exportRootDisk) → the snapshot file in the format Glance asked for. */
export function convertFromVhdx(qemuImg: string, source: string, target: string, targetFormat: 'qcow2' | 'raw'): ProgramCall {
  return { program: qemuImg, args: ['convert', '-f', 'vhdx', '-O', targetFormat, source, target] }
}
