import { mkdirSync, promises as fs } from 'node:fs'
import path from 'node:path'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Database } from './platform/db/database'
import { removeStaleTempFiles } from './platform/fs/atomic-write'
import { migrate } from './platform/db/migrations'
import { Gateway } from './platform/http/gateway'
import { StaticFiles } from './platform/http/static-files'
import { Logger } from './platform/log'
import { DataPaths, DEFAULT_PORT, LISTEN_HOST } from './platform/paths'
import { PolicyEnforcer } from './platform/policy'
import { loadConfig, type CloudConfig } from './platform/config'
import { SERVICE_FACTORIES } from './services/registry'
import type { CatalogEntry, Service, ServiceDeps } from './services/service'
import type { ServiceClients } from './services/clients'
import type { IdentityService } from './services/identity'
import type { ComputeService } from './services/compute'
import { createStacklingService, type ServiceProblem } from './services/stackling'
import { readSettingsSync } from './platform/settings'

export interface CloudOptions {
  dataDir: string
  /** 0 picks a free port (tests). */
  port?: number
  /** The built dashboard (build/renderer); omitted → the default location next to the compiled code. */
  dashboardDir?: string
  /** Settings over the defaults and the environment (tests use it for small quotas). */
  config?: Partial<CloudConfig>
}

/** A session the desktop shell hands to its window (so the owner of the machine needs no login). */
export interface LocalSession {
  endpoint: string
  token: string
  expiresAt: string
  userName: string
  projectName: string
}

export interface Cloud {
  /** http://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly paths: DataPaths
  /** True when this start created the admin and demo accounts. */
  readonly firstStart: boolean
  /** Issues a token for the bootstrap admin (desktop shell only; never exposed over HTTP). */
  localAdminSession(): Promise<LocalSession>
  /** Stops accepting requests, waits for the ones in flight, closes the database. Idempotent. */
  stop(): Promise<void>
}

/** Raised when the port is taken: the message says what to do. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on ${LISTEN_HOST} is already in use (is another Stackling running?). Choose another with --port.`)
  }
}

/** db → migrate → services start (reconcile, first-start seeding) → HTTP on 127.0.0.1. */
export async function startCloud(opts: CloudOptions): Promise<Cloud> {
  const paths = new DataPaths(path.resolve(opts.dataDir))
  mkdirSync(paths.root, { recursive: true, mode: 0o700 })
  // Temp files of atomic writes that a crash interrupted (clouds.yaml, credentials.json) are never valid data.
  await removeStaleTempFiles(paths.root)
  const log = new Logger(paths.logFile, { pid: process.pid })
  const db = await Database.open(paths.database)
  const policy = new PolicyEnforcer()
  let baseUrl = ''
  let services: Service[] = []
  const deps: ServiceDeps = {
    db,
    paths,
    log,
    policy,
    config: loadConfig(
      {
        guestImageDir: process.env.STACKLING_GUEST_IMAGE_DIR || path.resolve(__dirname, '../../../guest-image'),
        ...opts.config,
      },
      process.env,
      // The user's settings.json (Settings page): below the environment and the options.
      readSettingsSync(paths.root, (message) => log.warn(message)),
    ),
    baseUrl: () => baseUrl,
    catalog: () => services.flatMap((s): readonly CatalogEntry[] => s.catalog),
    clients: {} as ServiceClients,
  }
  let server: Server | undefined
  try {
    services = await Promise.all(SERVICE_FACTORIES.map((f) => f.create(deps)))
    // Stackling's own API (health, settings): not a registry entry, because it reports on the other services.
    services.push(createStacklingService(deps, { serviceStates: () => serviceStates(services) }))
    for (const s of services) policy.register(s.policies)
    await migrate(db, services.flatMap((s) => s.migrations))
    const identity = services.find((s) => s.type === 'identity') as IdentityService
    deps.clients.identity = identity.client
    deps.clients.image = services.find((s) => s.type === 'image')!.client as ServiceClients['image']
    deps.clients.network = services.find((s) => s.type === 'network')!.client as ServiceClients['network']
    // Clients of services that do not offer one yet stay undefined; their callers check.
    deps.clients.volume = (services.find((s) => s.type === 'volume') as { client?: ServiceClients['volume'] }).client!
    deps.clients.compute = (services.find((s) => s.type === 'compute') as { client?: ServiceClients['compute'] }).client!
    deps.clients.objectStore = services.find((s) => s.type === 'object-store')!.client as ServiceClients['objectStore']

    const gateway = new Gateway(services, {
      authenticator: () => identity,
      policy,
      log,
      baseUrl: () => baseUrl,
      staticFiles: new StaticFiles(opts.dashboardDir ?? path.resolve(__dirname, '../../../renderer')),
    })
    server = gateway.createServer()
    const port = await listen(server, opts.port ?? DEFAULT_PORT)
    baseUrl = `http://${LISTEN_HOST}:${port}`
    // Services start after the port is known: identity writes clouds.yaml with the real URL.
    for (const s of services) await s.start?.()
    log.info('cloud ready', { url: baseUrl, data_dir: paths.root })

    let stopping: Promise<void> | undefined
    const srv = server
    return {
      url: baseUrl,
      port,
      paths,
      firstStart: identity.firstStart,
      localAdminSession: () => identity.localAdminSession(),
      stop: () =>
        (stopping ??= (async () => {
          await new Promise<void>((resolve) => {
            srv.close(() => resolve())
            srv.closeIdleConnections()
          })
          for (const s of [...services].reverse()) await s.stop?.()
          await db.close()
          log.info('cloud stopped')
          await log.close()
        })()),
    }
  } catch (err) {
    server?.close()
    await db.close().catch(() => undefined)
    await log.close()
    throw err
  }
}

/** Whether each service can do its work: compute is up only once its hypervisor started (hostError says why not). */
function serviceStates(services: Service[]): ServiceProblem[] {
  const compute = services.find((s) => s.type === 'compute') as ComputeService | undefined
  if (!compute) return []
  const m = compute.manager
  const state: ServiceProblem = m.hostError ? { type: 'compute', state: 'down', reason: m.hostError } : m.host ? { type: 'compute', state: 'up' } : { type: 'compute', state: 'starting' }
  return [state]
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err)
    }
    server.once('error', onError)
    server.listen(port, LISTEN_HOST, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

export async function dataDirExists(dir: string): Promise<boolean> {
  return fs.access(path.join(dir, 'stackling.db')).then(
    () => true,
    () => false,
  )
}
