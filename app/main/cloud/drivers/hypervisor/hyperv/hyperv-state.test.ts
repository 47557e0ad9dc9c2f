import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HYPERV_STATE_BY_NUMBER, hypervStateName, toPowerState } from './hyperv-state'
import { fixture } from './fake-hyperv-host'

test('Get-VM | ConvertTo-Json (Windows PowerShell 5.1): State is a number, mapped to the driver state', () => {
  const vms = fixture('get-vm.ps51.json') as { Name: string; State: number; Uptime: { TotalSeconds: number } }[]
  assert.deepEqual(
    vms.map((vm) => [vm.Name, vm.State, hypervStateName(vm.State), toPowerState(vm.State)]),
    [
      ['stackling-0b6c4f7e-5a0e-4c6b-9a37-2f9d6b1e8c01', 2, 'Running', 'running'],
      ['stackling-9e1d2c3b-4a5f-4e6d-8c7b-0a1b2c3d4e5f', 3, 'Off', 'shutdown'],
      ['stackling-saved', 6, 'Saved', 'suspended'],
      ['stackling-paused', 9, 'Paused', 'paused'],
      ['stackling-saving', 32773, 'Saving', 'suspended'],
    ],
  )
  assert.equal(vms[0].Uptime.TotalSeconds, 1234.567)
})

test('our own records carry the name, which wins over the number', () => {
  const running = (fixture('get-vm-running.json') as { result: { state: string; stateValue: number } }).result
  assert.equal(toPowerState(running.state, running.stateValue), 'running')
  const critical = (fixture('get-vm-saved-critical.json') as { result: { state: string; stateValue: number } }).result
  assert.equal(toPowerState(critical.state, critical.stateValue), 'crashed')
  // 32788 is SavedCritical on Windows 10 / Server 2019 but StartingCritical on Server 2016: that number alone is not read.
  assert.equal(toPowerState(undefined, 32788), 'nostate')
  assert.equal(toPowerState('Off', 2), 'shutdown')
})

test('every Hyper-V state maps to a driver state', () => {
  const expected: Record<string, string> = {
    Other: 'nostate',
    Running: 'running',
    Off: 'shutdown',
    Stopping: 'shutdown',
    Saved: 'suspended',
    Paused: 'paused',
    Starting: 'running',
    Reset: 'running',
    Saving: 'suspended',
    Pausing: 'paused',
    Resuming: 'running',
    FastSaved: 'suspended',
    FastSaving: 'suspended',
    ForceShutdown: 'shutdown',
    ForceReboot: 'running',
    Hibernated: 'suspended',
    ComponentServicing: 'nostate',
    RunningCritical: 'crashed',
    OffCritical: 'crashed',
    StoppingCritical: 'crashed',
    SavedCritical: 'crashed',
    PausedCritical: 'crashed',
    StartingCritical: 'crashed',
    ResetCritical: 'crashed',
    SavingCritical: 'crashed',
    PausingCritical: 'crashed',
    ResumingCritical: 'crashed',
    FastSavedCritical: 'crashed',
    FastSavingCritical: 'crashed',
  }
  for (const [name, state] of Object.entries(expected)) assert.equal(toPowerState(name), state, name)
  assert.equal(toPowerState('SomethingNew'), 'nostate')
  assert.equal(toPowerState(undefined), 'nostate')
  assert.equal(toPowerState(null), 'nostate')
})

test('the stable numbers are the VMState enum values', () => {
  assert.deepEqual(HYPERV_STATE_BY_NUMBER, {
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
  })
  for (const [n, name] of Object.entries(HYPERV_STATE_BY_NUMBER)) assert.equal(toPowerState(Number(n)), toPowerState(name))
})
