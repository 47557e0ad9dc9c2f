import type { LocalSession } from '../cloud/start-cloud'

// How many instances run, for the tray. Plain Node (no 'electron' import), so it is unit-tested. The Cloud object
// the shell holds exposes no service internals (only its URL and the local admin session), so the count comes
// over the cloud's own API, as an admin: GET /compute/v2.1/servers?all_tenants=1&status=ACTIVE.

/** The part of `fetch` used here (tests pass a fake). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>

/** The admin token was refused (expired, or revoked): get a new session and ask again. */
export class SessionRefused extends Error {
  constructor() {
    super('The cloud refused the local admin token.')
  }
}

/** More pages than any real cloud has: a loop in servers_links would otherwise never end. */
const MAX_PAGES = 100

/**
 * The number of servers whose status is ACTIVE, over every project. Follows `servers_links` (Nova pages at
 * 1000), but only on the cloud's own origin. Throws SessionRefused on 401, an Error on any other failure.
 */
export async function countActiveServers(cloudUrl: string, token: string, fetchFn: FetchLike, signal?: AbortSignal): Promise<number> {
  const origin = new URL(cloudUrl).origin
  let url: string | undefined = `${cloudUrl.replace(/\/+$/, '')}/compute/v2.1/servers?all_tenants=1&status=ACTIVE&limit=1000`
  let count = 0
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES) throw new Error(`more than ${MAX_PAGES} pages of servers`)
    const res = await fetchFn(url, { headers: { 'X-Auth-Token': token, Accept: 'application/json' }, signal })
    if (res.status === 401) throw new SessionRefused()
    if (res.status !== 200) throw new Error(`GET /compute/v2.1/servers answered ${res.status}`)
    const body = (await res.json()) as { servers?: unknown; servers_links?: { rel?: unknown; href?: unknown }[] }
    if (!Array.isArray(body.servers)) throw new Error('GET /compute/v2.1/servers answered without a servers list')
    count += body.servers.length
    const next = Array.isArray(body.servers_links) ? body.servers_links.find((l) => l?.rel === 'next')?.href : undefined
    url = typeof next === 'string' && body.servers.length > 0 && sameOrigin(next, origin) ? next : undefined
  }
  return count
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin
  } catch {
    return false
  }
}

export interface RunningInstancesOptions {
  /** http://127.0.0.1:PORT */
  cloudUrl: string
  /** Issues an admin token (Cloud.localAdminSession); called again only when the last one is about to expire or refused. */
  session(): Promise<Pick<LocalSession, 'token' | 'expiresAt'>>
  /** Called with the new count whenever it changes; undefined while the cloud cannot be asked. */
  onChange(running: number | undefined): void
  /** Between the end of one count and the start of the next. Default 5 s. */
  intervalMs?: number
  fetch?: FetchLike
  now?(): number
  log?(message: string): void
}

/** A token is renewed this long before it expires. */
const RENEW_BEFORE_MS = 60_000

/**
 * Counts running instances every few seconds and reports changes. One count at a time (the next one is planned
 * when the last has ended, so a slow answer never piles up requests), one admin token reused until it nears its
 * expiry. A failure is logged once (until a count succeeds again) and reported as undefined.
 */
export class RunningInstancesMonitor {
  private readonly intervalMs: number
  private readonly fetchFn: FetchLike
  private readonly now: () => number
  private token: { value: string; expiresAt: number } | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private inFlight: Promise<void> | undefined
  private last: number | undefined | null = null // null: nothing reported yet
  private failing = false
  private disposed = false
  private readonly abort = new AbortController()

  constructor(private readonly opts: RunningInstancesOptions) {
    this.intervalMs = opts.intervalMs ?? 5000
    this.fetchFn = opts.fetch ?? ((url, init) => fetch(url, init))
    this.now = opts.now ?? Date.now
  }

  /** Counts now, then every `intervalMs`. */
  start(): void {
    void this.refresh()
  }

  /** Counts now (the tray menu calls it when it opens); joins the count in progress if there is one. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve()
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.inFlight ??= this.countOnce().finally(() => {
      this.inFlight = undefined
      if (this.disposed) return
      this.timer = setTimeout(() => void this.refresh(), this.intervalMs)
      this.timer.unref?.()
    })
    return this.inFlight
  }

  /** Stops counting and cancels the request in flight; no report follows. Idempotent. */
  dispose(): void {
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.abort.abort()
  }

  private async countOnce(): Promise<void> {
    let running: number | undefined
    try {
      running = await this.count().catch(async (err: unknown) => {
        if (!(err instanceof SessionRefused)) throw err
        this.token = undefined
        return this.count()
      })
      if (this.failing) this.opts.log?.('stackling: counting running instances works again')
      this.failing = false
    } catch (err) {
      if (this.disposed) return
      if (!this.failing) this.opts.log?.(`stackling: could not count running instances: ${err instanceof Error ? err.message : String(err)}`)
      this.failing = true
      running = undefined
    }
    if (this.disposed || running === this.last) return
    this.last = running
    this.opts.onChange(running)
  }

  private async count(): Promise<number> {
    if (!this.token || this.token.expiresAt - this.now() < RENEW_BEFORE_MS) {
      const s = await this.opts.session()
      const expiresAt = Date.parse(s.expiresAt)
      this.token = { value: s.token, expiresAt: Number.isNaN(expiresAt) ? this.now() + RENEW_BEFORE_MS * 2 : expiresAt }
    }
    return countActiveServers(this.opts.cloudUrl, this.token.value, this.fetchFn, this.abort.signal)
  }
}
