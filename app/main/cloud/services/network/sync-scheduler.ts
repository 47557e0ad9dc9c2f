/**
 * Runs the driver sync after commits: a burst of commits becomes one sync (debounced), two syncs never overlap (a
 * change that arrives during one runs one more after it), and a failed sync is reported, never thrown: the next
 * change, or the next start, hands the driver the whole state again.
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  /** A change was committed that no sync started since has seen. */
  private dirty = false
  private enabled = false
  private closed = false

  constructor(
    private readonly sync: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = 20,
  ) {}

  /** Before this, requests only mark the state dirty (the data plane is not started yet); flush() runs the first sync. */
  enable(): void {
    this.enabled = true
  }

  /** A change was committed: sync after `delayMs`, or after the sync in flight. */
  request(): void {
    if (this.closed) return
    this.dirty = true
    if (!this.enabled || this.running || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.start()
    }, this.delayMs)
  }

  /** Runs a sync now (after the one in flight) and resolves when it is done. */
  async flush(): Promise<void> {
    for (;;) {
      this.clearTimer()
      if (!this.running) break
      await this.running
    }
    this.start()
    await this.running
  }

  /**
   * No more syncs from now on: waits for the one in flight, then runs one last if a change came after it (only once
   * enabled: a driver that never started gets no sync). Idempotent.
   */
  async close(): Promise<void> {
    const wasEnabled = this.enabled
    this.closed = true
    this.enabled = false
    this.clearTimer()
    while (this.running) await this.running
    if (this.dirty && wasEnabled) {
      this.start()
      await this.running
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  private start(): void {
    if (this.running) return
    this.dirty = false
    this.running = this.sync()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = undefined
        if (this.dirty && this.enabled) this.request()
      })
  }
}
