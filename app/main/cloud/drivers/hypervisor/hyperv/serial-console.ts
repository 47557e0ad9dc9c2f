import { Duplex } from 'node:stream'
import net from 'node:net'
import { promises as fs, createWriteStream, type WriteStream } from 'node:fs'

/**
 * The guest's COM1 as Hyper-V serves it: a named pipe (`\\.\pipe\stackling-<id>`) that exists while the VM runs
 * and takes one client at a time. So one connection per guest, held here, feeds both the console log (a file in
 * the instance folder, like QEMU's `-serial file:`) and every open console stream; what a console stream writes
 * goes to the guest. The pipe comes and goes with the VM, so the connection is retried until `stop()`.
 *
 * On Linux (tests) the same code runs against a unix socket: net.connect treats both alike.
 */
export interface SerialConsoleOptions {
  pipePath: string
  logFile: string
  /** Log size past which the older half is dropped. */
  maxLogBytes?: number
  retryMs?: number
  connect?: (path: string) => net.Socket
}

export type ConsoleStream = NodeJS.ReadWriteStream & { close(): void }

const MAX_PENDING = 64 * 1024

export class SerialConsole {
  private socket: net.Socket | undefined
  private connected = false
  private stopped = true
  private retryTimer: NodeJS.Timeout | undefined
  private log: WriteStream | undefined
  private logBytes = 0
  private trimming = false
  private readonly clients = new Set<Duplex>()
  private readonly pending: Buffer[] = []
  /** What arrived while the log was being trimmed. */
  private readonly held: Buffer[] = []
  private pendingBytes = 0
  private readonly maxLogBytes: number
  private readonly retryMs: number
  private readonly connectFn: (path: string) => net.Socket

  constructor(private readonly opts: SerialConsoleOptions) {
    this.maxLogBytes = opts.maxLogBytes ?? 1024 * 1024
    this.retryMs = opts.retryMs ?? 1000
    this.connectFn = opts.connect ?? ((p) => net.connect(p))
  }

  get isConnected(): boolean {
    return this.connected
  }

  /** Starts (or keeps) trying to connect. Idempotent. */
  async start(): Promise<void> {
    if (!this.stopped) return
    this.stopped = false
    this.logBytes = await fs.stat(this.opts.logFile).then((s) => s.size, () => 0)
    this.log = createWriteStream(this.opts.logFile, { flags: 'a' })
    this.log.on('error', () => undefined)
    this.connect()
  }

  /** Closes the connection, the log and every console stream. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.retryTimer)
    this.socket?.destroy()
    this.socket = undefined
    this.connected = false
    for (const c of this.clients) c.push(null)
    this.clients.clear()
    this.pending.length = 0
    this.pendingBytes = 0
    const log = this.log
    this.log = undefined
    if (log) await new Promise<void>((resolve) => log.end(resolve))
  }

  /**
   * A two-way stream to the guest's console. Bytes written while the pipe is not connected yet (the VM is still
   * starting, or rebooting) wait for it, up to 64 KiB; past that they are dropped.
   */
  attach(): ConsoleStream {
    const clients = this.clients
    const self = this
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        self.send(chunk)
        cb()
      },
    })
    stream.once('close', () => clients.delete(stream))
    clients.add(stream)
    return Object.assign(stream, {
      close(): void {
        clients.delete(stream)
        stream.push(null)
        stream.destroy()
      },
    })
  }

  private send(chunk: Buffer): void {
    if (this.connected && this.socket) {
      this.socket.write(chunk)
      return
    }
    if (this.pendingBytes + chunk.length > MAX_PENDING) return
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
  }

  private connect(): void {
    if (this.stopped) return
    const socket = this.connectFn(this.opts.pipePath)
    this.socket = socket
    socket.on('connect', () => {
      this.connected = true
      for (const chunk of this.pending.splice(0)) socket.write(chunk)
      this.pendingBytes = 0
    })
    socket.on('data', (d: Buffer) => this.onData(d))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (this.socket !== socket) return
      this.connected = false
      this.socket = undefined
      if (!this.stopped) this.retryTimer = setTimeout(() => this.connect(), this.retryMs)
    })
  }

  private onData(d: Buffer): void {
    for (const c of this.clients) c.push(d)
    if (this.trimming) {
      this.held.push(d)
      return
    }
    if (!this.log) return
    this.log.write(d)
    this.logBytes += d.length
    if (this.logBytes > 2 * this.maxLogBytes && !this.trimming) void this.trimLog()
  }

  /** Keeps the newest `maxLogBytes`: the log is for "what did it say lately", not an archive. */
  private async trimLog(): Promise<void> {
    this.trimming = true
    const old = this.log
    this.log = undefined
    try {
      if (old) await new Promise<void>((resolve) => old.end(resolve))
      const data = await fs.readFile(this.opts.logFile)
      const keep = data.subarray(Math.max(0, data.length - this.maxLogBytes))
      await fs.writeFile(this.opts.logFile, keep)
      this.logBytes = keep.length
    } catch {
      // The log is best effort; the console streams do not depend on it.
    } finally {
      if (!this.stopped) {
        this.log = createWriteStream(this.opts.logFile, { flags: 'a' })
        this.log.on('error', () => undefined)
        for (const d of this.held) {
          this.log.write(d)
          this.logBytes += d.length
        }
      }
      this.held.length = 0
      this.trimming = false
    }
  }
}

/** The last `lines` lines of a console log ('' when there is none yet). */
export async function tailConsoleLog(file: string, lines?: number): Promise<string> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw err
  }
  if (lines === undefined) return text
  if (lines <= 0) return ''
  const parts = text.split('\n')
  const trailing = parts[parts.length - 1] === '' ? 1 : 0
  return parts.slice(Math.max(0, parts.length - trailing - lines)).join('\n')
}
