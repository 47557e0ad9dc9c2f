import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from './config'
import { effectiveSettings, InvalidSetting, readSettingsSync, settingsFile, updateSettings, validateSettings } from './settings'

describe('settings.json', () => {
  it('precedence: environment > settings.json > defaults', () => {
    const stored = { onQuit: 'keep' as const, port: 9000, accelerator: 'tcg' as const, vmMemoryCapMb: 2048 }
    const e = effectiveSettings(stored, { STACKLING_PORT: '9100' })
    assert.deepEqual([e.port.value, e.port.source], [9100, 'env'])
    assert.deepEqual([e.onQuit.value, e.onQuit.source], ['keep', 'settings'])
    assert.deepEqual([e.vmDiskCapGb.value, e.vmDiskCapGb.source], [null, 'default'])
    const c = loadConfig({}, { STACKLING_ACCEL: 'kvm' }, stored)
    assert.equal(c.accelerator, 'kvm')
    assert.equal(c.onQuit, 'keep')
    assert.equal(c.vmMemoryCapMb, 2048)
    assert.equal(loadConfig({}, { STACKLING_ON_QUIT: 'stop' }, stored).onQuit, 'stop')
    assert.equal(loadConfig({}, {}, { accelerator: 'auto' }).accelerator, undefined)
    assert.equal(loadConfig({}, { STACKLING_VM_DISK_CAP_GB: '5' }, {}).vmDiskCapGb, 5)
  })

  it('validates each field and names the wrong one', () => {
    assert.throws(() => validateSettings({ port: 70000 }), (e: unknown) => e instanceof InvalidSetting && e.field === 'port')
    assert.throws(() => validateSettings({ colour: 'red' }), (e: unknown) => e instanceof InvalidSetting && e.field === 'colour')
    assert.throws(() => validateSettings([]), (e: unknown) => e instanceof InvalidSetting && e.field === 'settings')
    assert.deepEqual(validateSettings({ onQuit: 'keep', vmDiskCapGb: null }), { onQuit: 'keep', vmDiskCapGb: null })
  })

  it('writes atomically, merges, and reads back; a broken field or file is ignored with a warning', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-settings-'))
    try {
      assert.deepEqual(readSettingsSync(dir), {})
      await updateSettings(dir, { onQuit: 'keep' })
      await updateSettings(dir, { port: 9001 })
      assert.deepEqual(readSettingsSync(dir), { onQuit: 'keep', port: 9001 })
      assert.deepEqual(JSON.parse(readFileSync(settingsFile(dir), 'utf8')), { onQuit: 'keep', port: 9001 })
      writeFileSync(settingsFile(dir), JSON.stringify({ onQuit: 'sometimes', port: 9002 }))
      const warnings: string[] = []
      assert.deepEqual(readSettingsSync(dir, (m) => warnings.push(m)), { port: 9002 })
      assert.match(warnings.join(), /onQuit/)
      writeFileSync(settingsFile(dir), '{not json')
      assert.deepEqual(readSettingsSync(dir, (m) => warnings.push(m)), {})
      assert.match(warnings.at(-1)!, /not valid JSON/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
