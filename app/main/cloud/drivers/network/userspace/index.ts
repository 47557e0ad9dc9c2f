import { createHash } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from '../../../platform/log'
import type { MetadataHandler, NetworkDriver, NicBackend, Topology } from '../network-driver'
import { ipToString, parseCidr } from './packet'
import { VirtualSwitch, type StreamPort } from './switch'
import { SlirpUplink } from './uplink'

const MAX_SOCKET_PATH = 100
const RETRY_MS = 250

export interface UserspaceDriverOptions {
  dataDir: string
  log: Logger
  /** Default: STACKLING_QEMU or qemu-system-x86_64 on PATH (the uplinks are guest-less QEMUs). */
  qemu?: string
}

interface Conn {
  sp: StreamPort
  socket: net.Socket | undefined
  connecting: boolean
  retryAt: number
  failures: number
}

interface Uplink {
  sig: string
  slirp: SlirpUplink
  conn: Conn
  net: string
  ready: boolean
}

/**
 * The default network driver: the VirtualSwitch in the cloud process. Guests are `-netdev stream` socket servers
 * (one socket per Neutron port); the switch connects to each and reconnects whenever the guest or the cloud
 * restarts, so a restarted cloud finds its running guests again. External networks reach the computer through a
 * slirp uplink each; 169.254.169.254 is served by a per-port HTTP listener behind the metadata uplink.
 */
export class UserspaceNetworkDriver implements NetworkDriver {
  readonly name = 'userspace'
  readonly switch = new VirtualSwitch()
  readonly socketDir: string
  private readonly conns = new Map<string, Conn>()
  private readonly uplinks = new Map<string, Uplink>()
  private metadata: Uplink | undefined
  private readonly metaServers = new Map<string, { server: http.Server; port: number }>()
  private handler: MetadataHandler | undefined
  private readonly statusListeners: ((portId: string, connected: boolean) => void)[] = []
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly opts: UserspaceDriverOptions) {
    const own = path.join(path.resolve(opts.dataDir), 'network')
    this.socketDir =
      Buffer.byteLength(path.join(own, 'p-000000000000.sock')) <= MAX_SOCKET_PATH
        ? own
        : path.join(os.tmpdir(), `stackling-net-${createHash('sha256').update(own).digest('hex').slice(0, 16)}`)
    this.switch.metadataPortOf = (id) => this.metaServers.get(id)?.port
  }

  nicBackend(portId: string): NicBackend {
    return { type: 'stream', path: this.portSocket(portId) }
  }

  portSocket(portId: string): string {
    return path.join(this.socketDir, `p-${portId.replace(/-/g, '').slice(0, 12)}.sock`)
  }

  portConnected(portId: string): boolean {
    return !!this.conns.get(portId)?.socket
  }

  onPortStatus(listener: (portId: string, connected: boolean) => void): void {
    this.statusListeners.push(listener)
  }

  setMetadataHandler(handler: MetadataHandler): void {
    this.handler = handler
  }

  async start(): Promise<void> {
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 })
    this.timer = setInterval(() => this.reconnect(), RETRY_MS)
    this.timer.unref()
    // The metadata uplink: slirp's host address is 169.254.169.254, so a connection to 169.254.169.254:P reaches
    // 127.0.0.1:P — the listener of the port that asked.
    const slirp = new SlirpUplink({ name: 'metadata', dir: this.socketDir, net: '169.254.0.0/16', host: '169.254.169.254', dns: '169.254.169.253', qemu: this.opts.qemu, log: this.opts.log })
    const sp = this.switch.addMetadataLink()
    const up: Uplink = { sig: 'metadata', slirp, net: 'metadata', ready: false, conn: { sp, socket: undefined, connecting: false, retryAt: 0, failures: 0 } }
    this.metadata = up
    try {
      await slirp.start()
      up.ready = true
      this.connect(up.conn, slirp.streamPath)
    } catch (err) {
      this.opts.log.error('the metadata service (169.254.169.254) could not start', { error: (err as Error).message })
    }
  }

  sync(t: Topology): Promise<void> {
    const next = this.chain.then(() => this.doSync(t))
    this.chain = next.catch(() => undefined)
    return next
  }

  private async doSync(t: Topology): Promise<void> {
    if (this.stopped) return
    this.switch.apply(t)
    // Guest ports: one socket each.
    const wanted = new Set(t.ports.filter((p) => p.device_owner.startsWith('compute:')).map((p) => p.id))
    for (const id of wanted) {
      const sp = this.switch.ports.get(id)
      if (sp && !this.conns.has(id)) this.conns.set(id, { sp, socket: undefined, connecting: false, retryAt: 0, failures: 0 })
    }
    for (const [id, c] of this.conns) {
      if (wanted.has(id)) continue
      this.conns.delete(id)
      c.socket?.destroy()
    }
    // Metadata listeners, one per guest port.
    for (const id of wanted) if (!this.metaServers.has(id)) await this.openMetadataListener(id)
    for (const [id, s] of this.metaServers) {
      if (wanted.has(id)) continue
      this.metaServers.delete(id)
      s.server.close()
    }
    await this.syncUplinks(t)
    this.reconnect()
  }

  private async openMetadataListener(portId: string): Promise<void> {
    const server = http.createServer((req, res) => {
      if (!this.handler) {
        res.writeHead(503, { 'Content-Type': 'text/plain' }).end('The metadata service is starting.\n')
        return
      }
      try {
        this.handler(portId, req, res)
      } catch (err) {
        this.opts.log.warn('metadata request failed', { port_id: portId, error: (err as Error).message })
        if (!res.headersSent) res.writeHead(500).end()
      }
    })
    server.keepAliveTimeout = 2000
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
    })
    this.metaServers.set(portId, { server, port })
  }

  private async syncUplinks(t: Topology): Promise<void> {
    const want = new Map<string, { cidr: string; host: string; dns: string }>()
    for (const n of t.networks) {
      if (!n.external) continue
      const s = n.subnets.find((x) => x.ip_version === 4 && x.gateway_ip && parseCidr(x.cidr))
      if (!s) continue
      const c = parseCidr(s.cidr)!
      const size = 2 ** (32 - c.prefix)
      want.set(n.id, { cidr: s.cidr, host: s.gateway_ip!, dns: ipToString((c.base + size - 2) >>> 0) })
    }
    for (const [id, u] of this.uplinks) {
      const w = want.get(id)
      if (w && `${w.cidr}|${w.host}` === u.sig && !u.slirp.exited) continue
      this.uplinks.delete(id)
      this.switch.removeUplink(id)
      u.conn.socket?.destroy()
      await u.slirp.stop()
    }
    for (const [id, w] of want) {
      if (this.uplinks.has(id)) continue
      const sp = this.switch.addUplink(id)
      const slirp = new SlirpUplink({ name: id.replace(/-/g, ''), dir: this.socketDir, net: w.cidr, host: w.host, dns: w.dns, qemu: this.opts.qemu, log: this.opts.log })
      const u: Uplink = { sig: `${w.cidr}|${w.host}`, slirp, net: id, ready: false, conn: { sp, socket: undefined, connecting: false, retryAt: 0, failures: 0 } }
      this.uplinks.set(id, u)
      try {
        await slirp.start()
        u.ready = true
        this.connect(u.conn, slirp.streamPath)
      } catch (err) {
        this.opts.log.error('the uplink of an external network could not start', { network_id: id, error: (err as Error).message })
      }
    }
    // Host forwards: floating IPs (22, 80 by default) and port forwardings, each on the uplink of its network.
    for (const [id, u] of this.uplinks) {
      if (!u.ready) continue
      const fwd = new Map<string, string>()
      for (const f of t.floating_ips) {
        if (f.floating_network_id !== id || !f.router_id) continue
        if (f.port_id) for (const h of f.host_forwards) fwd.set(`${h.protocol}:127.0.0.1:${h.host_port}`, `${f.floating_ip_address}:${h.internal_port}`)
        for (const pf of f.port_forwardings) fwd.set(`${pf.protocol}:127.0.0.1:${pf.external_port}`, `${f.floating_ip_address}:${pf.external_port}`)
      }
      const failed = await u.slirp.setForwards(fwd)
      for (const [key, why] of failed) this.opts.log.warn('a host port forward could not be set up', { forward: key, error: why })
    }
  }

  /** Connects every port that has no peer yet and whose guest socket exists (cheap: a missing file is skipped). */
  private reconnect(): void {
    if (this.stopped) return
    const now = Date.now()
    for (const c of this.conns.values()) {
      if (c.socket || c.connecting || now < c.retryAt) continue
      const p = this.portSocket(c.sp.id)
      if (!existsSync(p)) continue
      this.connect(c, p)
    }
    for (const u of [...this.uplinks.values(), ...(this.metadata ? [this.metadata] : [])]) {
      if (u.ready && !u.conn.socket && !u.conn.connecting && !u.slirp.exited && now >= u.conn.retryAt) this.connect(u.conn, u.slirp.streamPath)
    }
  }

  private connect(c: Conn, socketPath: string): void {
    c.connecting = true
    const socket = net.connect(socketPath)
    socket.once('connect', () => {
      c.connecting = false
      c.failures = 0
      if (this.stopped) return void socket.destroy()
      c.socket = socket
      socket.setNoDelay?.(true)
      this.switch.attach(c.sp, socket, (why) => this.opts.log.warn('a switch port sent a broken stream', { port_id: c.sp.id, error: why }))
      if (c.sp.role === 'vm') this.emit(c.sp.id, true)
      if (c.sp.role === 'metadata') this.switch.primeMetadata()
    })
    socket.on('error', () => undefined)
    socket.once('close', () => {
      c.connecting = false
      if (c.socket === socket) {
        c.socket = undefined
        this.switch.detach(c.sp)
        if (c.sp.role === 'vm') this.emit(c.sp.id, false)
      }
      c.failures++
      c.retryAt = Date.now() + Math.min(2000, RETRY_MS * c.failures)
    })
  }

  private emit(portId: string, connected: boolean): void {
    for (const l of this.statusListeners) {
      try {
        l(portId, connected)
      } catch {
        /* a listener's problem */
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.chain.catch(() => undefined)
    for (const c of this.conns.values()) c.socket?.destroy()
    this.conns.clear()
    for (const s of this.metaServers.values()) s.server.close()
    this.metaServers.clear()
    for (const u of [...this.uplinks.values(), ...(this.metadata ? [this.metadata] : [])]) {
      u.conn.socket?.destroy()
      await u.slirp.stop()
    }
    this.uplinks.clear()
    // Guest sockets belong to the guests (QEMU made them): they stay for the next start to reconnect to.
  }
}

