import { BadRequest } from '../../platform/errors'
import { Router } from '../../platform/http/router'
import { json } from '../../platform/http/types'
import { admin, always, type Check } from '../../platform/policy'
import { effectiveSettings, InvalidSetting, readSettingsSync, SETTINGS_META, updateSettings, type StoredSettings } from '../../platform/settings'
import { runDoctor, type DoctorReport } from '../../../doctor/doctor'
import { localHost, type DoctorHost } from '../../../doctor/host'
import type { Service, ServiceDeps } from '../service'

/** Whether a service can do its work, and why not (compute without a hypervisor: its hostError). */
export interface ServiceProblem {
  type: string
  state: 'up' | 'starting' | 'down'
  reason?: string
}

export interface StacklingServiceOptions {
  /** The state of the services whose API is up but whose work may not be (read at each request). */
  serviceStates(): ServiceProblem[]
  /** The machine the doctor checks (tests inject one); default this one. */
  host?: DoctorHost
  env?: NodeJS.ProcessEnv
}

export const STACKLING_POLICIES: Record<string, Check> = {
  'stackling:health:show': admin,
  'stackling:settings:show': admin,
  'stackling:settings:update': admin,
  /** Whether each service works: no secrets in it, and every user's overview shows it. */
  'stackling:services:show': always,
}

/**
 * Stackling's own API (not OpenStack, so not in the catalog), at /stackling/v1:
 *
 * - `GET /health` (admin): the doctor's checks on this machine with the advice for its OS, and each service's state.
 * - `GET /settings`, `PATCH /settings` (admin): settings.json, each setting's value in effect and where it comes from.
 * - `GET /services` (any token): each service's state, for the overview.
 *
 * Errors are `{"error": {"code", "title", "message", "field"?}}`.
 */
export function createStacklingService(deps: ServiceDeps, opts: StacklingServiceOptions): Service {
  const env = opts.env ?? process.env
  const host = opts.host ?? localHost(env)
  const dataDir = deps.paths.root
  const router = new Router()
  let lastReport: Promise<DoctorReport> | undefined

  const settingsView = (stored: StoredSettings) => ({
    data_dir: dataDir,
    settings_file: `${dataDir}/settings.json`,
    settings: effectiveSettings(stored, env),
    meta: SETTINGS_META,
  })

  router.get('/v1/health', { policy: 'stackling:health:show' }, async () => {
    // One doctor run at a time; "check again" while one runs gets that one.
    const run = (lastReport ??= runDoctor(host, { dataDir, accelerator: deps.config.accelerator, qemuBinary: env.STACKLING_QEMU, qemuImgBinary: env.STACKLING_QEMU_IMG }))
    const report = await run.finally(() => {
      if (lastReport === run) lastReport = undefined
    })
    return json(200, { health: { ...report, services: opts.serviceStates() } })
  })

  router.get('/v1/services', { policy: 'stackling:services:show' }, () => json(200, { services: opts.serviceStates() }))

  router.get('/v1/settings', { policy: 'stackling:settings:show' }, () => json(200, settingsView(readSettingsSync(dataDir))))

  router.patch('/v1/settings', { policy: 'stackling:settings:update', body: { type: 'object', required: ['settings'], properties: { settings: { type: 'object' } } } }, async (req) => {
    let stored: StoredSettings
    try {
      stored = await updateSettings(dataDir, (req.body as { settings: unknown }).settings)
    } catch (err) {
      if (err instanceof InvalidSetting) throw new BadRequest(`Invalid input for field 'settings/${err.field}': ${err.message}`, `settings/${err.field}`)
      throw err
    }
    applyLive(deps, stored, env)
    req.log.info('settings changed', { settings: stored })
    return json(200, settingsView(stored))
  })

  return {
    type: 'stackling',
    prefix: '/stackling',
    catalog: [],
    router,
    policies: STACKLING_POLICIES,
    migrations: [],
    maxBodyBytes: 64 * 1024,
    renderFault: (err) => ({
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: err.status, title: err.name, message: err.message, ...(err instanceof BadRequest && err.field ? { field: err.field } : {}) } }),
    }),
  }
}

/** Puts the live settings into the shared config (the environment still wins); next-start ones wait for a restart. */
export function applyLive(deps: Pick<ServiceDeps, 'config'>, stored: StoredSettings, env: NodeJS.ProcessEnv): void {
  if (!env.STACKLING_ON_QUIT) deps.config.onQuit = stored.onQuit ?? 'stop'
  if (!env.STACKLING_VM_MEMORY_CAP_MB) deps.config.vmMemoryCapMb = stored.vmMemoryCapMb ?? undefined
  if (!env.STACKLING_VM_DISK_CAP_GB) deps.config.vmDiskCapGb = stored.vmDiskCapGb ?? undefined
}
