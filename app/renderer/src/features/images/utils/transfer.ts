/**
 * Upload speed and time left from progress samples. Pure: the caller passes the clock.
 */

export interface Sample {
  /** Milliseconds (performance.now() or Date.now()). */
  t: number
  /** Bytes sent so far. */
  loaded: number
}

/** The samples worth keeping: the newest, plus those of the last `windowMs`. */
export function keepRecent(samples: readonly Sample[], now: number, windowMs = 3000): Sample[] {
  const recent = samples.filter((s) => now - s.t <= windowMs)
  return recent.length ? recent : samples.slice(-1)
}

/**
 * Bytes per second over the samples of the last `windowMs` (a moving window, so the number follows the real
 * speed but does not jump at every event); 0 when there is not enough to tell.
 */
export function transferRate(samples: readonly Sample[], now: number, windowMs = 3000): number {
  const recent = keepRecent(samples, now, windowMs)
  if (recent.length < 2) return 0
  const first = recent[0]!
  const last = recent[recent.length - 1]!
  const dt = (last.t - first.t) / 1000
  if (dt <= 0) return 0
  return Math.max(0, (last.loaded - first.loaded) / dt)
}

/** Seconds left at `rate`; undefined when unknown. */
export function secondsLeft(loaded: number, total: number, rate: number): number | undefined {
  if (!(rate > 0) || !(total > 0)) return undefined
  return Math.max(0, (total - loaded) / rate)
}

/** The average speed of a finished transfer. */
export function averageRate(bytes: number, startedAt: number, endedAt: number): number {
  const dt = (endedAt - startedAt) / 1000
  return dt > 0 ? bytes / dt : 0
}
