import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fieldOfError, type SettingsView } from '../api/settings'
import { formOf, patchOf } from './settings-form'

const setting = (stored: string | number | null) => ({ value: stored, source: 'settings' as const, stored, env: 'X', applies: 'live' as const, default: null })
const view = {
  data_dir: '/d',
  settings_file: '/d/settings.json',
  settings: { accelerator: setting(null), onQuit: setting('keep'), port: setting(9000), vmMemoryCapMb: setting(null), vmDiskCapGb: setting(20), imageStore: setting(null) },
  meta: {},
} as unknown as SettingsView

describe('settings form', () => {
  it('shows stored values, defaults for unset selects and empty unset numbers', () => {
    assert.deepEqual(formOf(view), { accelerator: 'auto', onQuit: 'keep', port: '9000', vmMemoryCapMb: '', vmDiskCapGb: '20', imageStore: 'file' })
  })
  it('sends only what changed: numbers as numbers, emptied numbers as null, nonsense as typed for the server to name', () => {
    const before = formOf(view)
    assert.deepEqual(patchOf(before, before), {})
    assert.deepEqual(patchOf(before, { ...before, port: '', vmMemoryCapMb: ' 2048 ', onQuit: 'stop' }), { port: null, vmMemoryCapMb: 2048, onQuit: 'stop' })
    assert.deepEqual(patchOf(before, { ...before, vmDiskCapGb: '1.5' }), { vmDiskCapGb: '1.5' })
  })
  it("finds the setting a 400 names", () => {
    assert.equal(fieldOfError("Invalid input for field 'settings/port': 'port' must be a whole number"), 'port')
    assert.equal(fieldOfError("Invalid input for field 'settings/colour': unknown"), undefined)
    assert.equal(fieldOfError('Something else'), undefined)
  })
})
