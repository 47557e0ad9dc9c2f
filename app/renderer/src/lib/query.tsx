import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react'

/**
 * A small cache for server data in the shape of TanStack Query (which we do not ship): a fetcher, its
 * `queryOptions` ({ queryKey, queryFn }) and a `use…` hook per API file, and invalidation by key prefix after a
 * mutation. One QueryClient per session: logging out throws the cache away.
 */
export type QueryKey = readonly (string | number | boolean | undefined)[]

export interface QueryOptions<T> {
  queryKey: QueryKey
  queryFn: (ctx: { signal: AbortSignal }) => Promise<T>
}

export interface QueryState<T> {
  status: 'pending' | 'success' | 'error'
  data?: T
  error?: unknown
  /** True while a (re)fetch is under way, also when older data is shown. */
  isFetching: boolean
}

interface Entry {
  state: QueryState<unknown>
  fn: QueryOptions<unknown>['queryFn']
  promise?: Promise<void>
  controller?: AbortController
  listeners: Set<() => void>
  stale: boolean
}

const hashKey = (key: QueryKey): string => JSON.stringify(key)

export class QueryClient {
  private readonly entries = new Map<string, Entry>()

  private entry(opts: QueryOptions<unknown>): Entry {
    const h = hashKey(opts.queryKey)
    let e = this.entries.get(h)
    if (!e) {
      e = { state: { status: 'pending', isFetching: false }, fn: opts.queryFn, listeners: new Set(), stale: true }
      this.entries.set(h, e)
    }
    e.fn = opts.queryFn
    return e
  }

  subscribe(opts: QueryOptions<unknown>, listener: () => void): () => void {
    const e = this.entry(opts)
    e.listeners.add(listener)
    if (e.stale && !e.promise) void this.run(e)
    return () => e.listeners.delete(listener)
  }

  getState(key: QueryKey): QueryState<unknown> | undefined {
    return this.entries.get(hashKey(key))?.state
  }

  /** Marks every query whose key starts with `prefix` stale and refetches those on screen. */
  invalidate(prefix: QueryKey): Promise<void> {
    const runs: Promise<void>[] = []
    for (const [h, e] of this.entries) {
      const key = JSON.parse(h) as unknown[]
      if (prefix.every((p, i) => key[i] === p)) {
        e.stale = true
        if (e.listeners.size > 0) runs.push(this.run(e))
      }
    }
    return Promise.all(runs).then(() => undefined)
  }

  /**
   * Forgets every query whose key starts with `prefix`: for data of a resource just deleted, which a later
   * invalidate() must not fetch again (it would answer 404). A screen still showing it sees it pending.
   */
  remove(prefix: QueryKey): void {
    for (const h of [...this.entries.keys()]) {
      const key = JSON.parse(h) as unknown[]
      if (prefix.every((p, i) => key[i] === p)) this.entries.delete(h)
    }
  }

  /** Fetches now (or joins the fetch in flight) and resolves with the data. */
  async fetch<T>(opts: QueryOptions<T>): Promise<T> {
    const e = this.entry(opts as QueryOptions<unknown>)
    if (e.stale || e.state.status !== 'success') await (e.promise ?? this.run(e))
    if (e.state.status === 'error') throw e.state.error
    return e.state.data as T
  }

  clear(): void {
    for (const e of this.entries.values()) e.controller?.abort()
    this.entries.clear()
  }

  private run(e: Entry): Promise<void> {
    e.controller?.abort()
    const controller = new AbortController()
    e.controller = controller
    e.stale = false
    this.set(e, { ...e.state, isFetching: true })
    const p = e.fn({ signal: controller.signal }).then(
      (data) => {
        if (e.controller === controller) this.set(e, { status: 'success', data, isFetching: false })
      },
      (error: unknown) => {
        if (e.controller === controller) this.set(e, { status: 'error', error, data: e.state.data, isFetching: false })
      },
    )
    const tracked: Promise<void> = p.finally(() => {
      if (e.promise === tracked) e.promise = undefined
    })
    e.promise = tracked
    return tracked
  }

  private set(e: Entry, state: QueryState<unknown>): void {
    e.state = state
    for (const l of e.listeners) l()
  }
}

const QueryClientContext = createContext<QueryClient | null>(null)

export function QueryClientProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  return <QueryClientContext.Provider value={client}>{children}</QueryClientContext.Provider>
}

export function useQueryClient(): QueryClient {
  const qc = useContext(QueryClientContext)
  if (!qc) throw new Error('useQueryClient() used outside <QueryClientProvider>')
  return qc
}

const PENDING: QueryState<never> = { status: 'pending', isFetching: true }

const IDLE: QueryState<never> = { status: 'pending', isFetching: false }
const noop = () => () => undefined

/** Subscribes to a query; with `enabled: false` nothing is fetched and the state stays pending. */
export function useQuery<T>(opts: QueryOptions<T> & { enabled?: boolean }): QueryState<T> & { refetch: () => Promise<void> } {
  const qc = useQueryClient()
  const h = hashKey(opts.queryKey)
  const enabled = opts.enabled ?? true
  const optsRef = useRef(opts)
  optsRef.current = opts
  const subscribe = useCallback(
    (cb: () => void) => qc.subscribe(optsRef.current as QueryOptions<unknown>, cb),
    // Resubscribe when the key changes; the options object itself is new on every render.
    [qc, h],
  )
  const state = useSyncExternalStore(enabled ? subscribe : noop, () =>
    enabled ? (qc.getState(optsRef.current.queryKey) ?? PENDING) : IDLE,
  ) as QueryState<T>
  const refetch = useCallback(() => qc.invalidate(optsRef.current.queryKey), [qc])
  return { ...state, refetch }
}

export interface MutationState<TResult> {
  isPending: boolean
  error: unknown
  data?: TResult
}

/** Runs a change; `mutateAsync` rethrows, `mutate` keeps the error in state for the form to show. */
export function useMutation<TVars, TResult>(opts: {
  mutationFn: (vars: TVars) => Promise<TResult>
  onSuccess?: (result: TResult, vars: TVars) => unknown
}) {
  const [state, setState] = useState<MutationState<TResult>>({ isPending: false, error: undefined })
  const optsRef = useRef(opts)
  optsRef.current = opts
  const mounted = useRef(true)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])
  const mutateAsync = useCallback(async (vars: TVars): Promise<TResult> => {
    setState({ isPending: true, error: undefined })
    try {
      const result = await optsRef.current.mutationFn(vars)
      await optsRef.current.onSuccess?.(result, vars)
      if (mounted.current) setState({ isPending: false, error: undefined, data: result })
      return result
    } catch (error) {
      if (mounted.current) setState({ isPending: false, error })
      throw error
    }
  }, [])
  const mutate = useCallback((vars: TVars) => mutateAsync(vars).catch(() => undefined), [mutateAsync])
  const reset = useCallback(() => setState({ isPending: false, error: undefined }), [])
  return { ...state, mutate, mutateAsync, reset }
}

/**
 * Refetches `ms` after each answer while `active` (never two requests at once, unlike an interval, so a slow
 * answer is not cancelled by the next tick).
 */
export function usePolling(active: boolean, isFetching: boolean, refetch: () => Promise<void>, ms: number) {
  useEffect(() => {
    if (!active || isFetching) return
    const t = setTimeout(() => void refetch(), ms)
    return () => clearTimeout(t)
  }, [active, isFetching, refetch, ms])
}
