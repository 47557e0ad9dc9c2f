import type { ServiceType } from './types'

/** One REST call the dashboard made, as the API drawer shows it. Never holds a token or a password. */
export interface ApiCall {
  readonly id: number
  readonly startedAt: number
  readonly method: string
  /** Path and query on the cloud's origin, e.g. /identity/v3/projects. */
  readonly path: string
  readonly service: ServiceType | 'unknown'
  /** HTTP status; 0 when no answer came back; undefined while in flight. */
  readonly status?: number
  readonly durationMs?: number
  /** The `openstack` command that does the same, when there is one. */
  readonly cli: string | null
  /** The request body with secrets replaced by "***". */
  readonly requestBody?: unknown
  /** The fault message, for calls that failed. */
  readonly error?: string
}

type Listener = () => void

/** The record of every call (newest last), bounded, observable with useSyncExternalStore. */
export class CallLog {
  private calls: readonly ApiCall[] = []
  private nextId = 1
  private readonly listeners = new Set<Listener>()

  constructor(private readonly limit = 500) {}

  /** Records a call that has started; returns its id for finish(). */
  start(call: Omit<ApiCall, 'id' | 'startedAt' | 'status' | 'durationMs'>): number {
    const id = this.nextId++
    this.calls = [...this.calls, { ...call, id, startedAt: Date.now() }].slice(-this.limit)
    this.emit()
    return id
  }

  finish(id: number, result: { status: number; durationMs: number; error?: string }): void {
    this.calls = this.calls.map((c) => (c.id === id ? { ...c, ...result } : c))
    this.emit()
  }

  clear(): void {
    this.calls = []
    this.emit()
  }

  snapshot = (): readonly ApiCall[] => this.calls

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(): void {
    for (const l of this.listeners) l()
  }
}

const SECRET_KEYS = new Set(['password', 'secret', 'token', 'id_token', 'adminPass', 'admin_pass', 'original_password'])

/** A copy of a request body that is safe to show: passwords and secrets become "***". */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number') ? '***' : redact(v)
    }
    return out
  }
  return value
}
