import net from 'node:net'

/**
 * A small client of QEMU's machine protocol (QMP) over a unix socket: greeting, capability negotiation, commands
 * with ids and timeouts, asynchronous events. One connection per guest; QEMU's monitor serves one client at a time,
 * so a second client waits in the socket's backlog until the first leaves (the connect timeout reports that).
 * Reconnection is the caller's: after `onClose`, connect again.
 */

export interface QmpEvent {
  event: string
  data?: Record<string, unknown>
  timestamp?: { seconds: number; microseconds: number }
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
  ) {
    super(`QMP ${command}: ${desc}`)
  }
}

export class QmpClosed extends Error {
  constructor(command: string) {
    super(`QMP connection closed before ${command} answered (QEMU exited?)`)
  }
}

interface Pending {
  command: string
  resolve(v: unknown): void
  reject(e: Error): void
  timer: NodeJS.Timeout
}

export interface QmpConnectOptions {
  /** Total time to wait for the socket to appear, accept and greet (default 5 s). */
  timeoutMs?: number
  /** Retry interval while the socket is absent or refuses (default 10 ms). */
  retryMs?: number
}

export class QmpClient {
  private buf = ''
  private nextId = 1
  private readonly pending = new Map<string, Pending>()
  private readonly eventListeners = new Set<(e: QmpEvent) => void>()
  private readonly closeListeners = new Set<() => void>()
  private closed = false
  /** QEMU's version from the greeting, e.g. { major: 7, minor: 2, micro: 22 }. */
  version: { major: number; minor: number; micro: number } | undefined

  private constructor(private readonly sock: net.Socket) {}

  /** Connects (retrying until the socket exists and greets), negotiates capabilities, resolves when commands may run. */
  static async connect(socketPath: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 5000
    const end = Date.now() + timeoutMs
    let lastErr: Error | undefined
    for (;;) {
      const left = end - Date.now()
      if (left <= 0) break
      try {
        return await QmpClient.tryConnect(socketPath, left)
      } catch (err) {
        lastErr = err as Error
        const code = (err as NodeJS.ErrnoException).code
        // Only a socket that is not there (yet) or not listening (yet) is worth retrying.
        if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== 'EAGAIN') throw err
        await new Promise((r) => setTimeout(r, opts.retryMs ?? 10))
      }
    }
    throw new Error(`QMP socket ${socketPath} did not answer within ${timeoutMs} ms${lastErr ? ` (${lastErr.message})` : ''}`)
  }

  private static tryConnect(socketPath: string, timeoutMs: number): Promise<QmpClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(socketPath)
      const client = new QmpClient(sock)
      let greeted = false
      const timer = setTimeout(() => {
        sock.destroy()
        reject(new Error(`QMP at ${socketPath} sent no greeting within ${timeoutMs} ms (another client connected?)`))
      }, timeoutMs)
      const fail = (err: Error) => {
        clearTimeout(timer)
        sock.destroy()
        reject(err)
      }
      sock.once('error', fail)
      sock.setEncoding('utf8')
      const onGreetingData = (chunk: string) => {
        client.buf += chunk
        const nl = client.buf.indexOf('\n')
        if (nl < 0) return
        const line = client.buf.slice(0, nl)
        client.buf = client.buf.slice(nl + 1)
        let msg: { QMP?: { version?: { qemu?: { major: number; minor: number; micro: number } } } }
        try {
          msg = JSON.parse(line)
        } catch {
          return fail(new Error(`QMP at ${socketPath} sent a malformed greeting`))
        }
        if (!msg.QMP) return fail(new Error(`QMP at ${socketPath} sent no greeting`))
        greeted = true
        client.version = msg.QMP.version?.qemu
        sock.off('data', onGreetingData)
        sock.off('error', fail)
        client.attach()
        client
          .execute('qmp_capabilities', undefined, timeoutMs)
          .then(() => {
            clearTimeout(timer)
            resolve(client)
          })
          .catch((e: Error) => fail(e))
      }
      sock.on('data', onGreetingData)
      sock.once('close', () => {
        if (!greeted) fail(new Error(`QMP at ${socketPath} closed before greeting`))
      })
    })
  }

  private attach(): void {
    this.sock.on('data', (chunk: string) => {
      this.buf += chunk
      let nl: number
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim()
        this.buf = this.buf.slice(nl + 1)
        if (line) this.onMessage(line)
      }
    })
    this.sock.on('error', () => undefined)
    this.sock.on('close', () => this.handleClose())
    // Leftover bytes after the greeting line (QEMU may send the greeting and an event together).
    if (this.buf.includes('\n')) this.sock.emit('data', '')
  }

  private onMessage(line: string): void {
    let msg: { id?: string; return?: unknown; error?: { class: string; desc: string }; event?: string }
    try {
      msg = JSON.parse(line)
    } catch {
      return
    }
    if (msg.event) {
      for (const l of this.eventListeners) {
        try {
          l(msg as QmpEvent)
        } catch {
          // a listener's bug must not break the connection
        }
      }
      return
    }
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id)
    if (!p) return
    this.pending.delete(msg.id!)
    clearTimeout(p.timer)
    if (msg.error) p.reject(new QmpError(p.command, msg.error.class, msg.error.desc))
    else p.resolve(msg.return)
  }

  private handleClose(): void {
    if (this.closed) return
    this.closed = true
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(new QmpClosed(p.command))
      this.pending.delete(id)
    }
    for (const l of this.closeListeners) l()
  }

  get isOpen(): boolean {
    return !this.closed
  }

  /** Runs one command; rejects with QmpError (QEMU refused), QmpClosed, or a timeout Error. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    if (this.closed) return Promise.reject(new QmpClosed(command))
    const id = `s${this.nextId++}`
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`QMP ${command} got no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer })
      this.sock.write(JSON.stringify(args === undefined ? { execute: command, id } : { execute: command, arguments: args, id }) + '\n')
    })
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener)
    return () => this.closeListeners.delete(listener)
  }

  /** Resolves with the first event named `name` that `match` accepts; rejects on timeout or close. */
  waitForEvent(name: string, timeoutMs: number, match: (e: QmpEvent) => boolean = () => true): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new QmpClosed(`waiting for ${name}`))
      const timer = setTimeout(() => {
        offEvent()
        offClose()
        reject(new Error(`no QMP ${name} event within ${timeoutMs} ms`))
      }, timeoutMs)
      const offEvent = this.onEvent((e) => {
        if (e.event !== name || !match(e)) return
        clearTimeout(timer)
        offEvent()
        offClose()
        resolve(e)
      })
      const offClose = this.onClose(() => {
        clearTimeout(timer)
        offEvent()
        offClose()
        reject(new QmpClosed(`waiting for ${name}`))
      })
    })
  }

  /** Resolves when the connection is closed (by either side). */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve) => this.onClose(resolve))
  }

  close(): void {
    this.sock.destroy()
    this.handleClose()
  }
}
