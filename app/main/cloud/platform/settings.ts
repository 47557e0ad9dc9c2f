import { readFileSync } from 'node:fs'
import path from 'node:path'
import { atomicWriteFile } from './fs/atomic-write'
import { DEFAULT_PORT } from './paths'

/**
 * The user's choices, stored in `<data dir>/settings.json` (written by the dashboard's Settings page). Precedence,
 * highest first: command-line flags (`--port`) > environment (STACKLING_*) > settings.json > defaults. Every field
 * is optional in the file; an absent field means "the default".
 */
export interface StoredSettings {
  /** QEMU accelerator: auto (probe), kvm, hvf, whpx, tcg. Applies at the next start (the probe runs once). */
  accelerator?: 'auto' | 'kvm' | 'hvf' | 'whpx' | 'tcg'
  /** Running guests when the app quits: stop them gracefully, or keep them running for the next start to re-adopt. Live. */
  onQuit?: 'stop' | 'keep'
  /** The port on 127.0.0.1. Applies at the next start. */
  port?: number
  /** Most memory (MB) all instances together may be given; null = no cap beyond the host's. Live (new instances). */
  vmMemoryCapMb?: number | null
  /** Most disk (GB) all instances together may be given; null = no cap beyond the free space. Live (new instances). */
  vmDiskCapGb?: number | null
  /** Where new images' data is kept unless an upload names a store: file (the data dir) or object-store. Next start. */
  imageStore?: 'file' | 'object-store'
}

export type SettingKey = keyof StoredSettings
export const SETTING_KEYS: SettingKey[] = ['accelerator', 'onQuit', 'port', 'vmMemoryCapMb', 'vmDiskCapGb', 'imageStore']

/** When a change takes effect. */
export type Applies = 'live' | 'next-start'

export interface SettingMeta {
  env: string
  applies: Applies
  default: string | number | null
  /** For the Settings page. */
  label: string
  help: string
}

export const SETTINGS_META: Record<SettingKey, SettingMeta> = {
  accelerator: {
    env: 'STACKLING_ACCEL',
    applies: 'next-start',
    default: 'auto',
    label: 'Accelerator',
    help: 'auto probes KVM / HVF / WHPX and falls back to TCG (emulation). Takes effect at the next start; running guests keep theirs.',
  },
  onQuit: {
    env: 'STACKLING_ON_QUIT',
    applies: 'live',
    default: 'stop',
    label: 'When the app quits',
    help: 'stop: shut running instances down gracefully (ACPI, then hard after a grace period). keep: leave them running; the next start re-adopts them.',
  },
  port: {
    env: 'STACKLING_PORT',
    applies: 'next-start',
    default: DEFAULT_PORT,
    label: 'Port',
    help: 'The port on 127.0.0.1 for the APIs and the dashboard. Takes effect at the next start (clouds.yaml is rewritten then).',
  },
  vmMemoryCapMb: {
    env: 'STACKLING_VM_MEMORY_CAP_MB',
    applies: 'live',
    default: null,
    label: 'Memory for instances (MB)',
    help: 'The most RAM all instances together may have; empty = only the host limits it. Applies to instances created from now on.',
  },
  vmDiskCapGb: {
    env: 'STACKLING_VM_DISK_CAP_GB',
    applies: 'live',
    default: null,
    label: 'Disk for instances (GB)',
    help: 'The most root + ephemeral disk all instances together may have; empty = only the free space limits it. Applies to instances created from now on.',
  },
  imageStore: {
    env: 'STACKLING_IMAGE_STORE',
    applies: 'next-start',
    default: 'file',
    label: 'Image store',
    help: "Where new images' data is kept unless an upload names a store (X-Image-Meta-Store): file (the data folder) or object-store (one object per image; a local copy is cached to boot from). Existing images stay where they are. Takes effect at the next start.",
  },
}

const ACCELERATORS = ['auto', 'kvm', 'hvf', 'whpx', 'tcg'] as const

/** Raised for an invalid value: `field` names the setting (the API answers 400 with it). */
export class InvalidSetting extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Checks a partial update (the API's PATCH body, or the file's content). Unknown keys and wrong values throw
 * InvalidSetting naming the field; null clears a field back to its default.
 */
export function validateSettings(input: unknown): Partial<Record<SettingKey, unknown>> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidSetting('settings', "'settings' must be an object")
  const out: Partial<Record<SettingKey, unknown>> = {}
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!(SETTING_KEYS as string[]).includes(key)) throw new InvalidSetting(key, `unknown setting '${key}' (known: ${SETTING_KEYS.join(', ')})`)
    const k = key as SettingKey
    if (value === null) {
      out[k] = null
      continue
    }
    switch (k) {
      case 'accelerator':
        if (!(ACCELERATORS as readonly unknown[]).includes(value)) throw new InvalidSetting(k, `'accelerator' must be one of ${ACCELERATORS.join(', ')}`)
        break
      case 'onQuit':
        if (value !== 'stop' && value !== 'keep') throw new InvalidSetting(k, "'onQuit' must be 'stop' or 'keep'")
        break
      case 'port':
        if (!Number.isInteger(value) || (value as number) < 1024 || (value as number) > 65535) throw new InvalidSetting(k, "'port' must be a whole number from 1024 to 65535")
        break
      case 'vmMemoryCapMb':
        if (!Number.isInteger(value) || (value as number) < 128 || (value as number) > 16 * 1024 * 1024) throw new InvalidSetting(k, "'vmMemoryCapMb' must be a whole number of MB, at least 128 (or null for no cap)")
        break
      case 'vmDiskCapGb':
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 1024 * 1024) throw new InvalidSetting(k, "'vmDiskCapGb' must be a whole number of GB, at least 1 (or null for no cap)")
        break
      case 'imageStore':
        if (value !== 'file' && value !== 'object-store') throw new InvalidSetting(k, "'imageStore' must be 'file' or 'object-store'")
        break
    }
    out[k] = value
  }
  return out
}

export function settingsFile(dataDir: string): string {
  return path.join(dataDir, 'settings.json')
}

/**
 * Reads settings.json (synchronously: the entry points need the port before anything starts). A missing file is no
 * settings; an unreadable one or a field with a wrong value is ignored field by field, reported through `warn`.
 */
export function readSettingsSync(dataDir: string, warn: (message: string) => void = () => undefined): StoredSettings {
  let text: string
  try {
    text = readFileSync(settingsFile(dataDir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`settings.json cannot be read (${(err as Error).message}); using the defaults`)
    return {}
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    warn('settings.json is not valid JSON; using the defaults')
    return {}
  }
  const out: StoredSettings = {}
  if (!raw || typeof raw !== 'object') return out
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    try {
      Object.assign(out, validateSettings({ [k]: v }))
    } catch (err) {
      warn(`settings.json: ${(err as Error).message}; ignored`)
    }
  }
  return dropNulls(out)
}

/** Merges `patch` (validated; null removes a field) into the stored settings and writes the file atomically. */
export async function updateSettings(dataDir: string, patch: unknown): Promise<StoredSettings> {
  const changes = validateSettings(patch)
  const next = dropNulls({ ...readSettingsSync(dataDir), ...changes } as StoredSettings)
  await atomicWriteFile(settingsFile(dataDir), JSON.stringify(next, null, 2) + '\n', { mode: 0o600 })
  return next
}

function dropNulls(s: StoredSettings): StoredSettings {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(s)) if (v !== null && v !== undefined) out[k] = v
  return out as StoredSettings
}

/** Where a setting's value in effect comes from. */
export type SettingSource = 'env' | 'settings' | 'default'

export interface EffectiveSetting {
  /** In effect (or, for next-start settings, what the next start will use). */
  value: string | number | null
  source: SettingSource
  /** The value stored in settings.json (what the page edits), null when absent. */
  stored: string | number | null
  env: string
  applies: Applies
  default: string | number | null
}

/** Each setting's value by precedence env > settings.json > default, with where it came from. */
export function effectiveSettings(stored: StoredSettings, env: NodeJS.ProcessEnv = process.env): Record<SettingKey, EffectiveSetting> {
  const out = {} as Record<SettingKey, EffectiveSetting>
  for (const key of SETTING_KEYS) {
    const meta = SETTINGS_META[key]
    const fromEnv = envValue(key, env)
    const s = stored[key] ?? null
    out[key] = {
      value: fromEnv ?? s ?? meta.default,
      source: fromEnv !== undefined ? 'env' : s !== null ? 'settings' : 'default',
      stored: s,
      env: meta.env,
      applies: meta.applies,
      default: meta.default,
    }
  }
  return out
}

/** The environment's value for a setting, parsed as the cloud reads it; undefined when unset or invalid. */
export function envValue(key: SettingKey, env: NodeJS.ProcessEnv): string | number | undefined {
  const raw = env[SETTINGS_META[key].env]
  if (raw === undefined || raw === '') return undefined
  if (key === 'port' || key === 'vmMemoryCapMb' || key === 'vmDiskCapGb') return /^\d+$/.test(raw) ? Number(raw) : undefined
  if (key === 'onQuit') return raw === 'keep' ? 'keep' : 'stop'
  if (key === 'imageStore') return raw === 'object-store' ? 'object-store' : 'file'
  return raw.trim().toLowerCase()
}
