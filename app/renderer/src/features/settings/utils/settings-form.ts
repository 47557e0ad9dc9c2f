import { SETTING_KEYS, type SettingKey, type SettingsPatch, type SettingsView } from '../api/settings'

/** The form's text per setting. */
export type SettingsForm = Record<SettingKey, string>

const NUMERIC: SettingKey[] = ['port', 'vmMemoryCapMb', 'vmDiskCapGb']
/** What a select shows when nothing is stored: the cloud's default. */
const SELECT_DEFAULTS: Partial<Record<SettingKey, string>> = { accelerator: 'auto', onQuit: 'stop', imageStore: 'file' }

/** The stored values as form text (selects show their default when nothing is stored; numbers stay empty). */
export function formOf(v: SettingsView): SettingsForm {
  return Object.fromEntries(
    SETTING_KEYS.map((k) => {
      const stored = v.settings[k].stored
      return [k, stored === null ? (SELECT_DEFAULTS[k] ?? '') : String(stored)]
    }),
  ) as SettingsForm
}

/**
 * The changed fields as the API takes them: whole numbers as numbers, an emptied number as null (back to the default),
 * anything else as typed, so that the server's 400 names the field.
 */
export function patchOf(before: SettingsForm, after: SettingsForm): SettingsPatch {
  const patch: SettingsPatch = {}
  for (const k of SETTING_KEYS) {
    if (before[k] === after[k]) continue
    const v = after[k].trim()
    patch[k] = NUMERIC.includes(k) ? (v === '' ? null : /^\d+$/.test(v) ? Number(v) : v) : v
  }
  return patch
}
