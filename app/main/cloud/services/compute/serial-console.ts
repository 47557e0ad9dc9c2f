import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Logger } from '../../platform/log'
import type { HypervisorDriver } from '../../drivers/hypervisor/hypervisor-driver'

const TTL_MS = 10 * 60_000

/** One-time console tokens, as Nova's console auth tokens: short-lived, bound to one instance. */
export class ConsoleTokens {
  private readonly tokens = new Map<string, { instanceId: string; expires: number }>()

  issue(instanceId: string): string {
    const token = randomBytes(24).toString('base64url')
    this.tokens.set(token, { instanceId, expires: Date.now() + TTL_MS })
    return token
  }

  consume(token: string): string | undefined {
    const t = this.tokens.get(token)
    this.tokens.delete(token)
    for (const [k, v] of this.tokens) if (v.expires < Date.now()) this.tokens.delete(k)
    return t && t.expires >= Date.now() ? t.instanceId : undefined
  }
}

/**
 * The serial console over a websocket (what `openstack console url show --serial` hands out): the token in the
 * URL is the credential; a browser page may connect only from this cloud's own origin.
 */
export class SerialConsoleProxy {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : protocols.values().next().value ?? false) })

  constructor(private readonly tokens: ConsoleTokens, private readonly driver: HypervisorDriver, private readonly log: Logger) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = req.headers.origin
    if (origin && !/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) return reject(socket, 403, 'Forbidden origin')
    const instanceId = this.tokens.consume(url.searchParams.get('token') ?? '')
    if (!instanceId) return reject(socket, 401, 'Invalid or expired console token')
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.bridge(ws, instanceId))
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate()
    this.wss.close()
  }

  private async bridge(ws: WebSocket, instanceId: string): Promise<void> {
    let serial: Awaited<ReturnType<HypervisorDriver['openSerialConsole']>>
    try {
      serial = await this.driver.openSerialConsole(instanceId)
    } catch (err) {
      ws.close(1011, `console unavailable: ${(err as Error).message}`.slice(0, 120))
      return
    }
    serial.on('data', (d: Buffer) => ws.readyState === ws.OPEN && ws.send(d, { binary: true }))
    serial.on('end', () => ws.close(1000, 'console closed'))
    serial.on('error', () => ws.close(1011, 'console error'))
    ws.on('message', (data: Buffer | string) => serial.write(typeof data === 'string' ? data : Buffer.from(data)))
    ws.on('close', () => serial.close())
    this.log.info('serial console opened', { instance_id: instanceId })
  }
}

function reject(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
