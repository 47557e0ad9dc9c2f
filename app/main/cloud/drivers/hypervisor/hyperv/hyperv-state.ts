import type { PowerState } from '../hypervisor-driver'

/**
 * Hyper-V's VM states (Microsoft.HyperV.PowerShell.VMState) and how each maps to the driver's PowerState.
 *
 * `Get-VM | ConvertTo-Json` prints `State` as the enum's number, not its name. The numbers up to ForceReboot
 * (32782) come from the DMTF/WMI EnabledState values and are the same on every Windows; past that they moved:
 * Windows 10 / Server 2019 added Hibernated (32783) and ComponentServicing (32784) and so shifted every
 * `*Critical` state by two against Server 2016. So our scripts print the *name* (`[string]$vm.State`) next to
 * the number, and the name wins; the number is only read for the stable range.
 *
 * Beware: these are not the numbers of WMI's Msvm_ComputerSystem.EnabledState (there Paused is 32768 and Saved
 * 32769), which is what Nova's Hyper-V driver (os-win) reads.
 */
export const HYPERV_STATE_BY_NUMBER: Readonly<Record<number, string>> = {
  1: 'Other',
  2: 'Running',
  3: 'Off',
  4: 'Stopping',
  6: 'Saved',
  9: 'Paused',
  10: 'Starting',
  11: 'Reset',
  32773: 'Saving',
  32776: 'Pausing',
  32777: 'Resuming',
  32779: 'FastSaved',
  32780: 'FastSaving',
  32781: 'ForceShutdown',
  32782: 'ForceReboot',
}

/**
 * Hyper-V state name → PowerState. Transitional states map to where the guest is heading, as Nova's Hyper-V
 * driver maps ShuttingDown to SHUTDOWN. A `*Critical` state means Hyper-V lost the VM's storage (a full disk is
 * the usual cause): the guest cannot run until a person fixes that, which is what Nova's CRASHED says.
 */
const POWER_STATE_BY_NAME: Readonly<Record<string, PowerState>> = {
  Running: 'running',
  Starting: 'running',
  Reset: 'running',
  Resuming: 'running',
  ForceReboot: 'running',
  Off: 'shutdown',
  Stopping: 'shutdown',
  ForceShutdown: 'shutdown',
  Paused: 'paused',
  Pausing: 'paused',
  Saved: 'suspended',
  Saving: 'suspended',
  FastSaved: 'suspended',
  FastSaving: 'suspended',
  Hibernated: 'suspended',
  Other: 'nostate',
  ComponentServicing: 'nostate',
}

/** The state's name, from a name (preferred) or a number in the stable range; undefined when neither is known. */
export function hypervStateName(state: unknown, stateValue?: unknown): string | undefined {
  if (typeof state === 'string' && state !== '') return state
  const n = typeof state === 'number' ? state : typeof stateValue === 'number' ? stateValue : undefined
  return n === undefined ? undefined : HYPERV_STATE_BY_NUMBER[n]
}

/** Maps a Hyper-V state (name or number, as Get-VM prints it) to the driver's PowerState; unknown → 'nostate'. */
export function toPowerState(state: unknown, stateValue?: unknown): PowerState {
  const name = hypervStateName(state, stateValue)
  if (name === undefined) return 'nostate'
  if (name.endsWith('Critical')) return 'crashed'
  return POWER_STATE_BY_NAME[name] ?? 'nostate'
}
