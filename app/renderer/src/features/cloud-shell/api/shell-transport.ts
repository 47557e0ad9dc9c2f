/**
 * How a terminal tab reaches its shell: over IPC in the desktop app (window.stackling.shell), over the
 * /cloud-shell websocket anywhere else. Both carry the dashboard session's token; the cloud checks it and starts
 * the user's shell with the OpenStack clients pointed at that same session.
 */
export interface ShellTransport {
  /** Output of the shell (decoded text). */
  onData(listener: (text: string) => void): void
  /** Once: the shell ended or the connection went; `reason` says why in words. */
  onClose(listener: (reason: string) => void): void
  write(text: string): void
  resize(cols: number, rows: number): void
  /** Ends the shell (and its processes). Idempotent. */
  close(): void
}

/** The IPC half of window.stackling (see app/shared/desktop/stackling-bridge.d.ts). */
export interface CloudShellBridge {
  open(token: string, cols: number, rows: number): Promise<string>
  write(id: string, data: string): Promise<void>
  resize(id: string, cols: number, rows: number): Promise<void>
  close(id: string): Promise<void>
  onOutput(listener: (id: string, data: string) => void): () => void
  onExit(listener: (id: string, exitCode: number) => void): () => void
}

export const SHELL_PROTOCOL = 'stackling-shell.v1'

/** Close codes the cloud sends, in words. */
export function describeClose(code: number, reason: string): string {
  if (code === 1000) return 'the shell exited'
  if (code === 4401) return 'the cloud refused the session token (log in again)'
  if (reason) return reason
  if (code === 1006) return 'the connection was refused or lost'
  return `connection closed (code ${code})`
}

export function desktopShellBridge(): CloudShellBridge | undefined {
  const s = (window as { stackling?: { shell?: CloudShellBridge } }).stackling?.shell
  return s && typeof s.open === 'function' ? s : undefined
}

/** The websocket URL of the cloud shell on this origin. */
export function shellSocketUrl(origin: string): string {
  const u = new URL('/cloud-shell/v1/socket', origin)
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
  return u.toString()
}

/** Opens a shell: IPC when the desktop bridge has it, else the websocket. The token never goes in a URL. */
export function openShell(opts: { token: string; origin: string; cols: number; rows: number }): ShellTransport {
  const bridge = desktopShellBridge()
  return bridge ? ipcTransport(bridge, opts) : socketTransport(opts)
}

function emitter<T>() {
  const ls: ((v: T) => void)[] = []
  const pending: T[] = []
  return {
    on: (l: (v: T) => void) => {
      ls.push(l)
      for (const v of pending.splice(0)) l(v)
    },
    emit: (v: T) => (ls.length ? ls.forEach((l) => l(v)) : pending.push(v)),
  }
}

function socketTransport(opts: { token: string; origin: string; cols: number; rows: number }): ShellTransport {
  const data = emitter<string>()
  const closed = emitter<string>()
  const ws = new WebSocket(shellSocketUrl(opts.origin), [SHELL_PROTOCOL])
  ws.binaryType = 'arraybuffer'
  const decoder = new TextDecoder('utf-8')
  let ended = false
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: opts.token, cols: opts.cols, rows: opts.rows }))
  ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
    if (typeof e.data !== 'string') data.emit(decoder.decode(new Uint8Array(e.data), { stream: true }))
  }
  ws.onclose = (e) => {
    if (ended) return
    ended = true
    closed.emit(describeClose(e.code, e.reason))
  }
  const send = (m: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m))
  return {
    onData: data.on,
    onClose: closed.on,
    write: (text) => send({ type: 'input', data: text }),
    resize: (cols, rows) => send({ type: 'resize', cols, rows }),
    close: () => ws.close(1000),
  }
}

function ipcTransport(bridge: CloudShellBridge, opts: { token: string; cols: number; rows: number }): ShellTransport {
  const data = emitter<string>()
  const closed = emitter<string>()
  let id: string | undefined
  let ended = false
  const queue: ((id: string) => void)[] = []
  const offOutput = bridge.onOutput((sid, text) => sid === id && data.emit(text))
  const offExit = bridge.onExit((sid) => sid === id && end('the shell exited'))
  const end = (reason: string) => {
    if (ended) return
    ended = true
    offOutput()
    offExit()
    closed.emit(reason)
  }
  bridge.open(opts.token, opts.cols, opts.rows).then(
    (sid) => {
      id = sid
      if (ended) void bridge.close(sid)
      for (const f of queue.splice(0)) f(sid)
    },
    (err: unknown) => end(err instanceof Error ? err.message : String(err)),
  )
  const withId = (f: (id: string) => void) => (id ? f(id) : queue.push(f))
  return {
    onData: data.on,
    onClose: closed.on,
    write: (text) => withId((sid) => void bridge.write(sid, text).catch(() => undefined)),
    resize: (cols, rows) => withId((sid) => void bridge.resize(sid, cols, rows).catch(() => undefined)),
    close: () => {
      if (id) void bridge.close(id)
      end('closed')
    },
  }
}
