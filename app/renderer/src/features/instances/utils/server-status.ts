import type { Server } from '../../../lib/openstack/compute'

/**
 * What a server's status, task and power state mean to a person, which actions its state allows, and when the
 * list should keep refreshing. Pure: no DOM, no I/O.
 *
 * Nova derives `status` from vm_state and task_state. The actions follow Nova's @check_instance_state (the
 * vm_states each API action accepts, with no task running), which is what Horizon's allowed() approximates;
 * the API answers 409 for anything else.
 */

export type StatusTone = 'success' | 'danger' | 'warning' | 'info' | 'neutral' | 'accent'

export interface StatusInfo {
  label: string
  tone: StatusTone
  hint: string
  /** The server is changing on its own (a spinner instead of a dot). */
  busy: boolean
}

const STATUS: Record<string, StatusInfo> = {
  ACTIVE: { label: 'Active', tone: 'success', hint: 'Running.', busy: false },
  BUILD: { label: 'Build', tone: 'info', hint: 'Nova is scheduling the instance and starting its virtual machine.', busy: true },
  SHUTOFF: { label: 'Shutoff', tone: 'neutral', hint: 'Stopped: its disk is kept. Start it again, or delete it.', busy: false },
  PAUSED: { label: 'Paused', tone: 'warning', hint: 'Frozen in memory: unpause it to carry on where it was.', busy: false },
  SUSPENDED: { label: 'Suspended', tone: 'warning', hint: 'Its memory was saved to disk: resume it to carry on.', busy: false },
  REBOOT: { label: 'Reboot', tone: 'info', hint: 'Restarting its operating system (soft reboot).', busy: true },
  HARD_REBOOT: { label: 'Hard reboot', tone: 'info', hint: 'Power-cycling the virtual machine.', busy: true },
  REBUILD: { label: 'Rebuild', tone: 'info', hint: 'Recreating its disk from an image.', busy: true },
  ERROR: { label: 'Error', tone: 'danger', hint: 'Something failed: the fault says what. Delete the instance and launch it again.', busy: false },
  DELETED: { label: 'Deleted', tone: 'neutral', hint: 'Deleted.', busy: false },
  UNKNOWN: { label: 'Unknown', tone: 'warning', hint: 'Nova cannot reach the hypervisor of this instance.', busy: false },
}

/** Horizon's task names, in words. */
const TASKS: Record<string, string> = {
  scheduling: 'Scheduling',
  block_device_mapping: 'Block device mapping',
  networking: 'Networking',
  spawning: 'Spawning',
  image_snapshot: 'Snapshotting',
  image_snapshot_pending: 'Image snapshot pending',
  image_pending_upload: 'Image pending upload',
  image_uploading: 'Image uploading',
  image_backup: 'Image backup',
  updating_password: 'Updating password',
  resize_prep: 'Preparing resize',
  resize_migrating: 'Resizing or migrating',
  rebooting: 'Rebooting',
  reboot_pending: 'Reboot pending',
  reboot_started: 'Reboot started',
  rebooting_hard: 'Rebooting hard',
  reboot_pending_hard: 'Reboot pending hard',
  reboot_started_hard: 'Reboot started hard',
  pausing: 'Pausing',
  unpausing: 'Resuming',
  suspending: 'Suspending',
  resuming: 'Resuming',
  'powering-off': 'Powering off',
  'powering-on': 'Powering on',
  rescuing: 'Rescuing',
  unrescuing: 'Unrescuing',
  rebuilding: 'Rebuilding',
  rebuild_block_device_mapping: 'Rebuild block device mapping',
  rebuild_spawning: 'Rebuild spawning',
  migrating: 'Migrating',
  deleting: 'Deleting',
  'soft-deleting': 'Soft deleting',
  restoring: 'Restoring',
  shelving: 'Shelving',
  unshelving: 'Unshelving',
}

/** Nova's power_state numbers (OS-EXT-STS:power_state). */
const POWER: Record<number, string> = { 0: 'No state', 1: 'Running', 3: 'Paused', 4: 'Shut down', 6: 'Crashed', 7: 'Suspended' }

export const vmState = (s: Pick<Server, 'OS-EXT-STS:vm_state'>): string => s['OS-EXT-STS:vm_state'] ?? ''
export const taskState = (s: Pick<Server, 'OS-EXT-STS:task_state'>): string | null => s['OS-EXT-STS:task_state'] || null

export function statusInfo(status: string): StatusInfo {
  return STATUS[status] ?? { label: status || 'unknown', tone: 'neutral', hint: `Nova reports the status "${status}".`, busy: false }
}

export function taskLabel(task: string | null | undefined): string | undefined {
  if (!task) return undefined
  return TASKS[task] ?? task.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase())
}

export function powerStateLabel(power: number | null | undefined): string {
  if (power === null || power === undefined) return 'No state'
  return POWER[power] ?? `State ${power}`
}

type StatusFields = Pick<Server, 'status' | 'OS-EXT-STS:task_state'> & Partial<Pick<Server, 'OS-EXT-STS:vm_state' | 'fault'>>

/** The badge of a server: its status, busy while a task runs, the task named in the hint. */
export function serverStatusInfo(s: StatusFields): StatusInfo {
  const info = statusInfo(s.status)
  const task = taskState(s)
  if (!task) return s.status === 'ERROR' && s.fault?.message ? { ...info, hint: `${info.hint} Fault: ${s.fault.message}` } : info
  return { ...info, busy: true, hint: `${taskLabel(task)}… ${info.busy ? info.hint : ''}`.trim() }
}

/** True while Nova is working on the server (the list and page refresh every POLL_MS to follow it). */
export const isChanging = (s: Pick<Server, 'status' | 'OS-EXT-STS:task_state'>): boolean => s.status === 'BUILD' || Boolean(taskState(s)) || statusInfo(s.status).busy

export const shouldPoll = (servers: readonly Pick<Server, 'status' | 'OS-EXT-STS:task_state'>[] | undefined): boolean => (servers ?? []).some(isChanging)

/** How often the instances refresh while one is changing (milliseconds). */
export const POLL_MS = 2000

export type ServerActionKind = 'start' | 'stop' | 'reboot' | 'reboot-hard' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'snapshot' | 'rebuild' | 'console' | 'delete'

interface ActionRule {
  label: string
  /** The vm_states Nova accepts for it (@check_instance_state). */
  from: readonly string[]
  /** What the person wants to do, for "… needs …" explanations. */
  needs: string
}

export const ACTION_RULES: Record<ServerActionKind, ActionRule> = {
  start: { label: 'Start', from: ['stopped'], needs: 'a stopped (shutoff) instance' },
  stop: { label: 'Stop', from: ['active', 'error'], needs: 'an active instance' },
  reboot: { label: 'Soft reboot', from: ['active'], needs: 'an active instance' },
  'reboot-hard': { label: 'Hard reboot', from: ['active', 'stopped', 'paused', 'suspended', 'error'], needs: 'an instance that has been built' },
  pause: { label: 'Pause', from: ['active'], needs: 'an active instance' },
  unpause: { label: 'Unpause', from: ['paused'], needs: 'a paused instance' },
  suspend: { label: 'Suspend', from: ['active'], needs: 'an active instance' },
  resume: { label: 'Resume', from: ['suspended'], needs: 'a suspended instance' },
  snapshot: { label: 'Create snapshot', from: ['active', 'stopped', 'paused', 'suspended'], needs: 'an active, stopped, paused or suspended instance' },
  rebuild: { label: 'Rebuild', from: ['active', 'stopped', 'error'], needs: 'an active, stopped or errored instance' },
  console: { label: 'Serial console', from: ['active'], needs: 'a running instance' },
  delete: { label: 'Delete', from: [], needs: '' },
}

/** Whether the server's state allows the action; `reason` says why not, in words. */
export function allowed(action: ServerActionKind, s: Pick<Server, 'status' | 'OS-EXT-STS:task_state' | 'OS-EXT-STS:vm_state'>): { ok: boolean; reason?: string } {
  const task = taskState(s)
  if (action === 'delete') {
    return task === 'deleting' ? { ok: false, reason: 'Already being deleted.' } : { ok: true }
  }
  const rule = ACTION_RULES[action]
  const vm = vmState(s) || vmFromStatus(s.status)
  // The console only needs a running guest; every other action waits for the task in progress (Nova: task_state None).
  if (task && action !== 'console') return { ok: false, reason: `Wait: the instance is ${taskLabel(task)!.toLowerCase()}.` }
  if (!rule.from.includes(vm)) {
    return { ok: false, reason: `${rule.label} needs ${rule.needs}; this one is ${statusInfo(s.status).label.toLowerCase()}.` }
  }
  return { ok: true }
}

/** The vm_state behind a status, for servers that do not show OS-EXT-STS (a policy may hide it). */
function vmFromStatus(status: string): string {
  return (
    { ACTIVE: 'active', BUILD: 'building', SHUTOFF: 'stopped', PAUSED: 'paused', SUSPENDED: 'suspended', ERROR: 'error', REBOOT: 'active', HARD_REBOOT: 'active', REBUILD: 'active' } as Record<string, string>
  )[status] ?? ''
}

/** The actions to offer for one server, in menu order, each with whether it is allowed now. */
export function availableActions(s: Pick<Server, 'status' | 'OS-EXT-STS:task_state' | 'OS-EXT-STS:vm_state'>): { kind: ServerActionKind; ok: boolean; reason?: string }[] {
  const vm = vmState(s) || vmFromStatus(s.status)
  // Toggles show the half that makes sense now, as Horizon's do.
  const kinds: ServerActionKind[] = [
    vm === 'stopped' ? 'start' : 'stop',
    'reboot',
    'reboot-hard',
    vm === 'paused' ? 'unpause' : 'pause',
    vm === 'suspended' ? 'resume' : 'suspend',
    'snapshot',
    'delete',
  ]
  return kinds.map((kind) => ({ kind, ...allowed(kind, s) }))
}

/** The IPv4/IPv6 addresses of a server, flattened: "10.0.2.15 (user-net)". */
export function addressList(s: Pick<Server, 'addresses'>): { network: string; addr: string; version: number; type?: string; mac?: string }[] {
  return Object.entries(s.addresses ?? {}).flatMap(([network, list]) =>
    (list ?? []).map((a) => ({ network, addr: a.addr, version: a.version, type: a['OS-EXT-IPS:type'], mac: a['OS-EXT-IPS-MAC:mac_addr'] })),
  )
}
