import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { useMutation, useQuery, useQueryClient, type QueryOptions } from '../../../lib/query'

/** The settings the page edits (app/main/cloud/platform/settings.ts: StoredSettings). */
export type SettingKey = 'accelerator' | 'onQuit' | 'port' | 'vmMemoryCapMb' | 'vmDiskCapGb' | 'imageStore'
export const SETTING_KEYS: SettingKey[] = ['accelerator', 'onQuit', 'port', 'vmMemoryCapMb', 'vmDiskCapGb', 'imageStore']

export interface EffectiveSetting {
  value: string | number | null
  source: 'env' | 'settings' | 'default'
  stored: string | number | null
  env: string
  applies: 'live' | 'next-start'
  default: string | number | null
}

export interface SettingsView {
  data_dir: string
  settings_file: string
  settings: Record<SettingKey, EffectiveSetting>
  meta: Record<SettingKey, { label: string; help: string }>
}

export type SettingsPatch = Partial<Record<SettingKey, string | number | null>>

export const settingsKeys = { all: ['stackling', 'settings'] as const }
const root = (client: OpenStackClient) => `${client.origin}/stackling/v1`

/** GET /stackling/v1/settings (admin). */
export async function getSettings(client: OpenStackClient, signal?: AbortSignal): Promise<SettingsView> {
  return (await client.requestUrl<SettingsView>('stackling', root(client), 'GET', '/settings', { signal, cli: null })).body
}

/** PATCH /stackling/v1/settings (admin): only the fields given change; null puts one back to its default. */
export async function updateSettings(client: OpenStackClient, patch: SettingsPatch): Promise<SettingsView> {
  return (await client.requestUrl<SettingsView>('stackling', root(client), 'PATCH', '/settings', { body: { settings: patch }, cli: null })).body
}

export const getSettingsQueryOptions = (client: OpenStackClient): QueryOptions<SettingsView> => ({
  queryKey: settingsKeys.all,
  queryFn: ({ signal }) => getSettings(client, signal),
})

export function useSettings() {
  return useQuery(getSettingsQueryOptions(useClient()))
}

export function useUpdateSettings() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (patch: SettingsPatch) => updateSettings(client, patch),
    onSuccess: () => qc.invalidate(settingsKeys.all),
  })
}

/** The setting a 400 names ("Invalid input for field 'settings/port': …"), if any. */
export function fieldOfError(message: string): SettingKey | undefined {
  const m = /field 'settings\/(\w+)'/.exec(message)
  return m && (SETTING_KEYS as string[]).includes(m[1]!) ? (m[1] as SettingKey) : undefined
}
