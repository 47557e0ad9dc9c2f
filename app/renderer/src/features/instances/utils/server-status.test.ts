import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Server } from '../../../lib/openstack/compute'
import { addressList, allowed, availableActions, isChanging, powerStateLabel, serverStatusInfo, shouldPoll, statusInfo, taskLabel } from './server-status'

type S = Pick<Server, 'status' | 'OS-EXT-STS:task_state' | 'OS-EXT-STS:vm_state'>
const s = (status: string, vm: string, task: string | null = null): S => ({ status, 'OS-EXT-STS:vm_state': vm, 'OS-EXT-STS:task_state': task })

const ACTIVE = s('ACTIVE', 'active')
const SHUTOFF = s('SHUTOFF', 'stopped')
const PAUSED = s('PAUSED', 'paused')
const SUSPENDED = s('SUSPENDED', 'suspended')
const ERROR = s('ERROR', 'error')
const BUILD = s('BUILD', 'building', 'spawning')

const ok = (kind: Parameters<typeof allowed>[0], server: S) => allowed(kind, server).ok

describe('allowed actions per state (Nova check_instance_state, as Horizon allowed())', () => {
  it('starts only a stopped instance and stops an active or errored one', () => {
    assert.equal(ok('start', SHUTOFF), true)
    assert.equal(ok('start', ACTIVE), false)
    assert.equal(ok('stop', ACTIVE), true)
    assert.equal(ok('stop', ERROR), true)
    assert.equal(ok('stop', SHUTOFF), false)
    assert.equal(ok('stop', PAUSED), false)
  })

  it('soft-reboots an active instance only; hard-reboots any built one', () => {
    assert.equal(ok('reboot', ACTIVE), true)
    assert.equal(ok('reboot', SHUTOFF), false)
    for (const x of [ACTIVE, SHUTOFF, PAUSED, SUSPENDED, ERROR]) assert.equal(ok('reboot-hard', x), true, x.status)
    assert.equal(ok('reboot-hard', BUILD), false)
  })

  it('pauses and suspends active instances, and undoes each from its own state', () => {
    assert.equal(ok('pause', ACTIVE), true)
    assert.equal(ok('pause', SUSPENDED), false)
    assert.equal(ok('unpause', PAUSED), true)
    assert.equal(ok('unpause', ACTIVE), false)
    assert.equal(ok('suspend', ACTIVE), true)
    assert.equal(ok('resume', SUSPENDED), true)
    assert.equal(ok('resume', PAUSED), false)
  })

  it('snapshots built, non-errored instances', () => {
    for (const x of [ACTIVE, SHUTOFF, PAUSED, SUSPENDED]) assert.equal(ok('snapshot', x), true, x.status)
    assert.equal(ok('snapshot', ERROR), false)
    assert.equal(ok('snapshot', BUILD), false)
  })

  it('waits for a running task, except to delete or open the console', () => {
    const stopping = s('ACTIVE', 'active', 'powering-off')
    const r = allowed('reboot', stopping)
    assert.equal(r.ok, false)
    assert.equal(r.reason, 'Wait: the instance is powering off.')
    assert.equal(ok('delete', stopping), true)
    assert.equal(ok('console', s('ACTIVE', 'active', 'image_snapshot')), true)
    assert.equal(ok('console', SHUTOFF), false)
    assert.deepEqual(allowed('delete', s('ACTIVE', 'active', 'deleting')), { ok: false, reason: 'Already being deleted.' })
    assert.equal(ok('delete', BUILD), true)
    assert.equal(ok('delete', ERROR), true)
  })

  it('explains a refusal with the state', () => {
    assert.equal(allowed('start', ACTIVE).reason, 'Start needs a stopped (shutoff) instance; this one is active.')
  })

  it('falls back to the status when vm_state is hidden', () => {
    assert.equal(ok('start', { status: 'SHUTOFF', 'OS-EXT-STS:task_state': null } as S), true)
  })

  it('offers the half of each toggle that makes sense', () => {
    assert.deepEqual(
      availableActions(SHUTOFF).map((a) => a.kind),
      ['start', 'reboot', 'reboot-hard', 'pause', 'suspend', 'snapshot', 'delete'],
    )
    assert.deepEqual(
      availableActions(PAUSED).map((a) => a.kind),
      ['stop', 'reboot', 'reboot-hard', 'unpause', 'suspend', 'snapshot', 'delete'],
    )
    assert.deepEqual(
      availableActions(ACTIVE).filter((a) => a.ok).map((a) => a.kind),
      ['stop', 'reboot', 'reboot-hard', 'pause', 'suspend', 'snapshot', 'delete'],
    )
  })
})

describe('status badges and polling', () => {
  it('maps each status to a tone', () => {
    assert.equal(statusInfo('ACTIVE').tone, 'success')
    assert.equal(statusInfo('ERROR').tone, 'danger')
    assert.equal(statusInfo('SHUTOFF').tone, 'neutral')
    assert.equal(statusInfo('PAUSED').tone, 'warning')
    assert.equal(statusInfo('SUSPENDED').tone, 'warning')
    assert.equal(statusInfo('BUILD').busy, true)
    assert.equal(statusInfo('HARD_REBOOT').label, 'Hard reboot')
    assert.equal(statusInfo('SHELVED').label, 'SHELVED')
  })

  it('shows a task as busy, with the task in the hint', () => {
    const info = serverStatusInfo({ status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off' })
    assert.equal(info.busy, true)
    assert.equal(info.tone, 'success')
    assert.match(info.hint, /^Powering off…/)
    assert.match(serverStatusInfo({ status: 'ERROR', 'OS-EXT-STS:task_state': null, fault: { code: 500, message: 'No valid host was found.', created: '' } }).hint, /Fault: No valid host/)
  })

  it('polls while building or while a task runs', () => {
    assert.equal(isChanging(BUILD), true)
    assert.equal(isChanging(s('BUILD', 'building')), true)
    assert.equal(isChanging(s('ACTIVE', 'active', 'rebooting')), true)
    assert.equal(isChanging(s('REBOOT', 'active')), true)
    assert.equal(isChanging(ACTIVE), false)
    assert.equal(isChanging(ERROR), false)
    assert.equal(shouldPoll([ACTIVE, SHUTOFF]), false)
    assert.equal(shouldPoll([ACTIVE, BUILD]), true)
    assert.equal(shouldPoll(undefined), false)
  })

  it('names tasks and power states', () => {
    assert.equal(taskLabel('powering-on'), 'Powering on')
    assert.equal(taskLabel('image_uploading'), 'Image uploading')
    assert.equal(taskLabel('some_new_task'), 'Some new task')
    assert.equal(taskLabel(null), undefined)
    assert.equal(powerStateLabel(1), 'Running')
    assert.equal(powerStateLabel(4), 'Shut down')
    assert.equal(powerStateLabel(7), 'Suspended')
    assert.equal(powerStateLabel(undefined), 'No state')
  })

  it('flattens addresses', () => {
    assert.deepEqual(addressList({ addresses: { 'user-net': [{ version: 4, addr: '10.0.2.15', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }] } }), [
      { network: 'user-net', addr: '10.0.2.15', version: 4, type: 'fixed', mac: 'fa:16:3e:00:00:01' },
    ])
    assert.deepEqual(addressList({ addresses: {} }), [])
  })
})
