import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { Logger } from '../../platform/log'
import type { PtySessions, ShellIdentity, ShellSession } from './pty-sessions'

/** Close codes of the shell socket (4000–4999 are the application's). */
export const CLOSE = {
  exited: 1000,
  badMessage: 4400,
  unauthorized: 4401,
  authTimeout: 4408,
  tooMany: 4429,
  failed: 4500,
} as const

/** The websocket subprotocol; a client must offer it. */
export const SHELL_PROTOCOL = 'stackling-shell.v1'
const AUTH_TIMEOUT_MS = 10_000
/** Output waits while the browser is this far behind. */
const HIGH_WATER = 1 << 20

/**
 * Client → server, as text frames of JSON: first `auth`, then `input`/`resize`. Binary frames are input bytes.
 * Server → client: binary frames are the pty's output; text frames `ready` and `exit`.
 */
export type ClientMessage =
  | { type: 'auth'; token: string; cols?: number; rows?: number }
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number }
export type ServerMessage = { type: 'ready' } | { type: 'exit'; code: number }

/** Turns a token into the identity a shell acts as. @throws when the token is not valid (any error refuses it). */
export type IdentityResolver = (token: string) => Promise<ShellIdentity>

/** A refusal before the websocket exists: an HTTP status line that says why. */
export interface Refusal {
  status: number
  reason: string
}

/**
 * The handshake checks, before any token is read: the peer is on this computer, and the page that opens the
 * socket is the dashboard of this very cloud (Origin = the cloud's origin, as 127.0.0.1 or localhost). Browsers
 * always send Origin on a websocket; a missing one is refused too, so a script must say where it comes from.
 */
export function checkHandshake(req: Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress?: string } }, cloudOrigin: string): Refusal | undefined {
  if (!isLoopback(req.socket.remoteAddress)) return { status: 403, reason: 'Forbidden: the cloud shell is open to this computer only' }
  const origin = req.headers.origin
  if (!origin) return { status: 403, reason: 'Forbidden: no Origin header' }
  if (!sameOrigin(origin, cloudOrigin)) return { status: 403, reason: 'Forbidden origin' }
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
  if (!offered.includes(SHELL_PROTOCOL)) return { status: 400, reason: `Bad Request: offer the ${SHELL_PROTOCOL} subprotocol` }
  return undefined
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const a = address.startsWith('::ffff:') ? address.slice(7) : address
  if (isIP(a) === 4) return a.startsWith('127.')
  return a === '::1'
}

/** http://127.0.0.1:P and http://localhost:P name the same cloud; anything else is foreign. */
export function sameOrigin(origin: string, cloudOrigin: string): boolean {
  let o: URL
  let c: URL
  try {
    o = new URL(origin)
    c = new URL(cloudOrigin)
  } catch {
    return false
  }
  const local = (h: string) => h === '127.0.0.1' || h === 'localhost' || h === '[::1]'
  return o.protocol === c.protocol && o.port === c.port && local(o.hostname) && local(c.hostname) && o.pathname === '/' && origin === o.origin
}

/** Parses one client text frame. @returns undefined for anything malformed. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof m !== 'object' || m === null) return undefined
  const o = m as Record<string, unknown>
  const dim = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 10_000)
  switch (o.type) {
    case 'auth':
      return typeof o.token === 'string' && o.token.length > 0 && o.token.length < 4096 && dim(o.cols) && dim(o.rows)
        ? { type: 'auth', token: o.token, cols: o.cols as number | undefined, rows: o.rows as number | undefined }
        : undefined
    case 'input':
      return typeof o.data === 'string' && o.data.length <= 1 << 20 ? { type: 'input', data: o.data } : undefined
    case 'resize':
      return typeof o.cols === 'number' && typeof o.rows === 'number' && dim(o.cols) && dim(o.rows) ? { type: 'resize', cols: o.cols, rows: o.rows } : undefined
    default:
      return undefined
  }
}

/**
 * The cloud shell over a websocket (headless mode and any browser). The handshake is refused with 403 for a
 * foreign Origin or a peer that is not loopback; then the first message must be `auth` with a valid token of the
 * dashboard session within 10 s, else the socket closes with 4401/4408. The token never appears in a URL. The
 * shell ends (its whole process group) when the socket closes, and the socket closes when the shell exits.
 */
export class ShellSocketServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 2 << 20,
    handleProtocols: (protocols) => (protocols.has(SHELL_PROTOCOL) ? SHELL_PROTOCOL : false),
  })

  constructor(
    private readonly sessions: PtySessions,
    private readonly resolve: IdentityResolver,
    private readonly cloudOrigin: () => string,
    private readonly log: Logger,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = checkHandshake(req, this.cloudOrigin())
    if (refusal) {
      this.log.warn('cloud shell handshake refused', { reason: refusal.reason, origin: req.headers.origin, remote: req.socket.remoteAddress })
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws))
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate()
    this.wss.close()
  }

  private serve(ws: WebSocket): void {
    let session: ShellSession | undefined
    let authenticating = false
    // What a client sends between auth and ready (it need not wait) is replayed once the shell runs.
    const queued: [RawData, boolean][] = []
    const timer = setTimeout(() => ws.close(CLOSE.authTimeout, 'no auth message within 10 s'), AUTH_TIMEOUT_MS)
    ws.on('close', () => {
      clearTimeout(timer)
      session?.close()
    })
    // A malformed frame (or a payload over maxPayload) must end this socket, never the cloud.
    ws.on('error', () => ws.terminate())
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!session) {
        if (authenticating) {
          if (queued.length < 64) queued.push([data, isBinary])
          else ws.close(CLOSE.badMessage, 'too many messages before ready')
          return
        }
        const msg = isBinary ? undefined : parseClientMessage(rawText(data))
        if (msg?.type !== 'auth') return ws.close(CLOSE.badMessage, 'the first message must be {"type":"auth","token":…}')
        authenticating = true
        void this.start(ws, msg).then((s) => {
          clearTimeout(timer)
          // The socket may have closed while the token was checked: then the shell must not outlive it.
          if (s && ws.readyState !== ws.OPEN) return s.close()
          session = s
          if (s) for (const [d, b] of queued.splice(0)) handle(s, d, b)
        })
        return
      }
      handle(session, data, isBinary)
    })
    const handle = (session: ShellSession, data: RawData, isBinary: boolean) => {
      if (isBinary) return session.write(rawBuffer(data))
      const msg = parseClientMessage(rawText(data))
      if (msg?.type === 'input') session.write(msg.data)
      else if (msg?.type === 'resize') session.resize(msg)
      else ws.close(CLOSE.badMessage, 'unknown message')
    }
  }

  private async start(ws: WebSocket, auth: { token: string; cols?: number; rows?: number }): Promise<ShellSession | undefined> {
    let who: ShellIdentity
    try {
      who = await this.resolve(auth.token)
    } catch {
      ws.close(CLOSE.unauthorized, 'invalid or expired token')
      return undefined
    }
    if (ws.readyState !== ws.OPEN) return undefined
    let session: ShellSession
    try {
      session = this.sessions.open(who, { cols: auth.cols ?? 80, rows: auth.rows ?? 24 })
    } catch (err) {
      const message = (err as Error).message
      ws.close(message.startsWith('At most') ? CLOSE.tooMany : CLOSE.failed, message.slice(0, 120))
      return undefined
    }
    let paused = false
    this.log.info('cloud shell opened', { session: session.id, user: who.userName, project_id: who.projectId })
    session.onData((d) => {
      if (ws.readyState !== ws.OPEN) return
      ws.send(d, { binary: true })
      // A flood (cat of a big file) must not pile up in memory: the pty waits while the socket drains.
      if (ws.bufferedAmount > HIGH_WATER && !paused) {
        paused = true
        throttle(ws, session, () => (paused = false))
      }
    })
    session.onExit((code) => {
      this.log.info('cloud shell closed', { session: session.id, exit_code: code })
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ type: 'exit', code } satisfies ServerMessage))
        ws.close(CLOSE.exited, 'the shell exited')
      }
    })
    ws.send(JSON.stringify({ type: 'ready' } satisfies ServerMessage))
    return session
  }
}

function throttle(ws: WebSocket, session: ShellSession, done: () => void): void {
  session.pause()
  const wait = setInterval(() => {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount < HIGH_WATER / 4) {
      clearInterval(wait)
      session.resume()
      done()
    }
  }, 20)
}

function rawBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
}

function rawText(data: RawData): string {
  return rawBuffer(data).toString('utf8')
}
