import type { PsCommand } from '../../hypervisor/hyperv/powershell'
import { VolumeDriverError } from '../volume-driver'

/**
 * Pure builders of what the VHDX volume driver runs on a Hyper-V host: values in, a PowerShell command (constant
 * script reading every value from `$P`, see hypervisor/hyperv/powershell.ts) or a qemu-img argv out. No I/O.
 */

export interface ProgramCall {
  program: string
  args: string[]
}

const GiB = 1024 ** 3

/** Absolute paths only (drive, UNC, or / for the tests' POSIX temp folders), ending in .vhdx or .tmp; no NUL. */
function assertVhdxPath(p: string): void {
  if (p.includes('\0') || !/^([A-Za-z]:\\|\\\\|\/)/.test(p) || !/\.(vhdx|tmp)$/i.test(p)) {
    throw new VolumeDriverError(`${JSON.stringify(p)} is not an absolute path of a VHDX file.`)
  }
}

function assertSize(bytes: number): void {
  // VHDX sizes must be whole MiB; Cinder sizes are whole GiB, so anything else is a bug upstream.
  if (!Number.isSafeInteger(bytes) || bytes <= 0 || bytes % (1024 * 1024) !== 0 || bytes > 64 * 1024 * GiB) {
    throw new VolumeDriverError(`${bytes} is not a valid VHDX size (whole MiB, at most 64 TiB).`)
  }
}

export const NEW_VHD_SCRIPT = `$null = New-VHD -Path $P.path -SizeBytes ([UInt64]$P.sizeBytes) -Dynamic
@{ path = $P.path }`

export const CONVERT_VHD_SCRIPT = `Convert-VHD -Path $P.source -DestinationPath $P.target -VHDType Dynamic
@{ path = $P.target }`

export const RESIZE_VHD_SCRIPT = `$vhd = Get-VHD -Path $P.path
if ($vhd.Size -lt [UInt64]$P.sizeBytes) { Resize-VHD -Path $P.path -SizeBytes ([UInt64]$P.sizeBytes) }
@{ size = (Get-VHD -Path $P.path).Size }`

export const GET_VHD_SCRIPT = `if (-not (Test-Path -LiteralPath $P.path)) { @{ exists = $false } } else {
$vhd = Get-VHD -Path $P.path
@{ exists = $true; size = $vhd.Size; fileSize = $vhd.FileSize; attached = $vhd.Attached } }`

/** A dynamic (thin) VHDX of sizeBytes. */
export function newVhd(target: string, sizeBytes: number): PsCommand {
  assertVhdxPath(target)
  assertSize(sizeBytes)
  return { op: 'new-vhd', script: NEW_VHD_SCRIPT, params: { path: target, sizeBytes } }
}

/** Copies a VHDX (a snapshot, a clone) into a new independent dynamic VHDX. */
export function convertVhd(source: string, target: string): PsCommand {
  assertVhdxPath(source)
  assertVhdxPath(target)
  return { op: 'convert-vhd', script: CONVERT_VHD_SCRIPT, params: { source, target }, timeoutMs: 6 * 60 * 60 * 1000 }
}

/** Grows a VHDX (never shrinks; Resize-VHD on a disk a running VM holds works for SCSI disks). */
export function resizeVhd(target: string, sizeBytes: number): PsCommand {
  assertVhdxPath(target)
  assertSize(sizeBytes)
  return { op: 'resize-vhd', script: RESIZE_VHD_SCRIPT, params: { path: target, sizeBytes } }
}

export function getVhd(target: string): PsCommand {
  assertVhdxPath(target)
  return { op: 'get-vhd', script: GET_VHD_SCRIPT, params: { path: target } }
}

/** Convert-VHD reads only VHD/VHDX: an image in qcow2, raw, vmdk … goes through qemu-img. */
export function qemuImgToVhdx(qemuImg: string, source: string, sourceFormat: string, target: string): ProgramCall {
  if (!/^[a-z0-9]+$/.test(sourceFormat)) throw new VolumeDriverError(`${JSON.stringify(sourceFormat)} is not a qemu format name.`)
  assertVhdxPath(target)
  if (source.includes('\0')) throw new VolumeDriverError('path contains a NUL byte')
  return { program: qemuImg, args: ['convert', '-q', '-f', sourceFormat, '-O', 'vhdx', '-o', 'subformat=dynamic', source, target] }
}
