/**
 * The userspace virtual switch (app/main/cloud/drivers/network/userspace/switch.ts) between two `-netdev stream`
 * clients, against a raw unix-socket relay of the very same bytes in the same run.
 *
 * Processes: the bench (orchestration only); an "endpoints" child that plays both guests, A and B (it listens on
 * a.sock and b.sock in a temp dir, as QEMU does with `-netdev stream,server=on`, sends from A and receives on B);
 * and a "peer" child that connects to both sockets, as the driver does: either the VirtualSwitch (a topology of
 * one network with compute ports A and B, `sw.attach(sw.ports.get(id), socket, …)` as userspace/index.ts calls
 * it) or the baseline relay (`a.pipe(b); b.pipe(a)`, no parsing). So the process under test has one core to
 * itself, as the cloud process has in production, and the two guests share the other.
 *
 * Frames: "1500-byte frame" = a 1500-byte IPv4 packet (20 IP + 8 UDP + 1472 data), i.e. a 1514-byte Ethernet
 * frame, 1518 bytes on the socket with QEMU's 4-byte big-endian length prefix. Gbit/s counts the 1514 frame
 * bytes. Every frame is a valid Ethernet/IPv4/UDP frame from A's MAC/IP to B's (checksums right).
 *
 * (a) Throughput: A writes as fast as backpressure allows (WARM_MS excluded, then MEASURE_MS measured); B counts
 *     whole frames by walking the length prefixes. 8 UDP flows (source ports 40000–40007). Also reported: what A
 *     got rid of (offered), the switch's drops, each process's CPU, what other processes used meanwhile, and the
 *     capacity (frame bytes per CPU second of the switch or relay), which depends less on the rest of the machine.
 * (b) Latency: ping-pong, one frame A→B, B answers B→A (ports swapped) at once; PINGS round trips after a warm-up
 *     in each of two runs per setup, in the order relay, switch, switch-50, switch-50, switch, relay (so that drift
 *     cancels), pooled; added latency per frame = (switch RTT − relay RTT) / 2.
 * (c) The same with 50 security-group rules on the ports (1 egress + 48 ingress rules that do not match + the one
 *     that does, last). Conntrack makes every frame of an established flow skip the rules, so (d) also sends a
 *     new UDP flow with every frame (source and destination port change each frame): every frame misses conntrack
 *     and walks the rule list; once the table holds its 65,536 entries, new flows are passed untracked.
 *
 * Each measurement gets a fresh pair of child processes (fresh JIT, GC and conntrack state).
 */
import { fork, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Topology, TopologyRule } from '../app/main/cloud/drivers/network/network-driver'
import { record } from '../app/main/cloud/drivers/network/userspace/frames'
import { adjustChecksum16, buildUdp, ipToNumber, macToNumber } from '../app/main/cloud/drivers/network/userspace/packet'
import { VirtualSwitch } from '../app/main/cloud/drivers/network/userspace/switch'
import { percentile } from './lib/load'
import { cpuSeconds, hostCpuSeconds, makeTempDir, removeTempDir, sleep, stopChild, trackChild } from './lib/processes'
import { figure, targetAtLeast, type BenchOutput } from './lib/report'

const WARM_MS = 3_000
const MEASURE_MS = 5_000
const PING_WARMUP = 2_000
/** Per run; two runs per setup. */
const PINGS = 10_000

/** Ethernet frame length (14 + 1500-byte IPv4 packet). */
const FRAME_LEN = 1514
const UDP_DATA = FRAME_LEN - 14 - 20 - 8
/** Bytes of one record on the socket. */
const REC_LEN = FRAME_LEN + 4
/** Records per write() of the sender (~97 KB). */
const PER_WRITE = 64
const FLOWS = 8
const SPORT = 40000
const DPORT = 5001
/** The many-flows case: destination ports 5000–5999 (what the matching rule allows), source ports 1024–65535. */
const MANY_DPORT = 5000
const MANY_SPORTS = 65536 - 1024

const MAC_A = 'fa:16:3e:00:00:0a'
const MAC_B = 'fa:16:3e:00:00:0b'
const IP_A = '10.0.0.10'
const IP_B = '10.0.0.11'
const SG = 'sg-bench'
const MiB = 1024 * 1024

type Rules = 'default' | 'fifty'
type Flows = 'fixed' | 'each'

// ------------------------------------------------------------------------------------------------ topology

function rule(id: string, direction: 'ingress' | 'egress', r: Partial<TopologyRule> = {}): TopologyRule {
  return { id, direction, ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, ...r }
}

/**
 * 'default': Neutron's default group (egress any, ingress from members of the group, IPv4 and IPv6).
 * 'fifty': 50 IPv4 rules: egress any; 48 ingress rules that do not match A's UDP to 5000–5999 (16 TCP ports, 16
 * UDP from other prefixes, 16 UDP from the subnet to other ports), so each is evaluated to its last test where
 * it can be; the matching rule (UDP 5000–5999 from the group) last.
 */
export function benchTopology(rules: Rules): Topology {
  const sgRules: TopologyRule[] =
    rules === 'default'
      ? [
          rule('e4', 'egress'),
          rule('e6', 'egress', { ethertype: 'IPv6' }),
          rule('i4', 'ingress', { remote_group_id: SG }),
          rule('i6', 'ingress', { ethertype: 'IPv6', remote_group_id: SG }),
        ]
      : [
          rule('e4', 'egress'),
          ...Array.from({ length: 16 }, (_, i) => rule(`tcp${i}`, 'ingress', { protocol: 'tcp', port_range_min: 1000 + i, port_range_max: 1000 + i, remote_ip_prefix: '0.0.0.0/0' })),
          ...Array.from({ length: 16 }, (_, i) => rule(`udpnet${i}`, 'ingress', { protocol: 'udp', port_range_min: 5000, port_range_max: 5999, remote_ip_prefix: `192.168.${i}.0/24` })),
          ...Array.from({ length: 16 }, (_, i) => rule(`udpport${i}`, 'ingress', { protocol: 'udp', port_range_min: 7000 + i * 10, port_range_max: 7009 + i * 10, remote_ip_prefix: '10.0.0.0/24' })),
          rule('match', 'ingress', { protocol: 'udp', port_range_min: 5000, port_range_max: 5999, remote_group_id: SG }),
        ]
  const port = (id: string, mac: string, ip: string) => ({
    id,
    network_id: 'net1',
    mac_address: mac,
    fixed_ips: [{ subnet_id: 's1', ip_address: ip }],
    device_owner: 'compute:nova',
    device_id: `vm-${id}`,
    admin_state_up: true,
    port_security_enabled: true,
    allowed_address_pairs: [],
    security_groups: [SG],
    hostname: `host-${ip.replace(/\./g, '-')}`,
  })
  return {
    networks: [
      {
        id: 'net1',
        name: 'bench',
        mtu: 1500,
        external: false,
        admin_state_up: true,
        subnets: [{ id: 's1', network_id: 'net1', cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true, dns_nameservers: [], host_routes: [], allocation_pools: [] }],
      },
    ],
    ports: [port('pa', MAC_A, IP_A), port('pb', MAC_B, IP_B)],
    security_groups: [{ id: SG, rules: sgRules }],
    routers: [],
    floating_ips: [],
  }
}

function udpFrame(from: 'a' | 'b', sport: number, dport: number): Buffer {
  const data = Buffer.alloc(UDP_DATA)
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff
  const [srcMac, dstMac, src, dst] = from === 'a' ? [MAC_A, MAC_B, IP_A, IP_B] : [MAC_B, MAC_A, IP_B, IP_A]
  const f = buildUdp(macToNumber(dstMac), macToNumber(srcMac), ipToNumber(src), ipToNumber(dst), sport, dport, data)
  if (f.length !== FRAME_LEN) throw new Error(`built a ${f.length}-byte frame, not ${FRAME_LEN}`)
  return f
}

// ------------------------------------------------------------------------------------------------ child processes

/** Counts whole records in a byte stream by walking the 4-byte length prefixes (no copies). */
class RecordCounter {
  frames = 0
  bad = 0
  private skip = 0
  private hdr = 0
  private hdrHave = 0

  constructor(private readonly onFrame?: () => void) {}

  push(c: Buffer): void {
    let pos = 0
    const end = c.length
    while (pos < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos)
        this.skip -= n
        pos += n
        if (this.skip === 0) this.done()
      } else if (this.hdrHave === 0 && end - pos >= 4) {
        this.begin(c.readUInt32BE(pos))
        pos += 4
      } else {
        this.hdr = ((this.hdr << 8) | c[pos++]!) >>> 0
        if (++this.hdrHave === 4) {
          const len = this.hdr
          this.hdr = 0
          this.hdrHave = 0
          this.begin(len)
        }
      }
    }
  }

  private begin(len: number): void {
    if (len !== FRAME_LEN) this.bad++
    this.skip = len
    if (len === 0) this.done()
  }

  private done(): void {
    this.frames++
    this.onFrame?.()
  }
}

type Msg = { op: string; [k: string]: unknown }
const send = (m: Msg) => process.send!(m)

function connectTo(p: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(p)
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

async function switchChild(dir: string, rules: Rules): Promise<void> {
  const sw = new VirtualSwitch()
  sw.apply(benchTopology(rules))
  for (const id of ['pa', 'pb']) {
    const socket = await connectTo(path.join(dir, id === 'pa' ? 'a.sock' : 'b.sock'))
    // As userspace/index.ts does on connect.
    socket.setNoDelay?.(true)
    socket.on('error', () => undefined)
    sw.attach(sw.ports.get(id)!, socket, (why) => send({ op: 'error', message: `port ${id} sent a broken stream: ${why}` }))
  }
  process.on('message', (m: Msg) => {
    if (m.op === 'counters') {
      const pb = sw.ports.get('pb')!
      // A full output queue drops in FrameOutput (counted there, not in sw.counters).
      send({ op: 'counters', forwarded: sw.counters.forwarded, dropped: { ...sw.counters.dropped, 'output queue full': pb.out?.dropped ?? 0 }, tracked: pb.firewall.tracked })
    }
  })
  send({ op: 'ready' })
}

async function relayChild(dir: string): Promise<void> {
  const a = await connectTo(path.join(dir, 'a.sock'))
  const b = await connectTo(path.join(dir, 'b.sock'))
  for (const s of [a, b]) s.on('error', () => undefined)
  a.pipe(b)
  b.pipe(a)
  send({ op: 'ready' })
}

async function endpointsChild(dir: string): Promise<void> {
  const accept = (file: string) =>
    new Promise<net.Socket>((resolve, reject) => {
      const server = net.createServer((s) => {
        server.close()
        s.on('error', () => undefined)
        resolve(s)
      })
      server.once('error', reject)
      server.listen(path.join(dir, file))
    })
  const aP = accept('a.sock')
  const bP = accept('b.sock')
  send({ op: 'listening' })
  const [a, b] = await Promise.all([aP, bP])
  send({ op: 'connected' })

  process.on('message', (m: Msg) => {
    const run = m.op === 'pingpong' ? pingpong(a, b, Number(m.n)) : throughput(a, b, m.flows as Flows)
    run.then(
      (r) => send({ op: m.op, ...r }),
      (e: Error) => send({ op: 'error', message: e.stack ?? String(e) }),
    )
  })
}

async function pingpong(a: net.Socket, b: net.Socket, n: number): Promise<{ rttUs: number[]; bad: number }> {
  const ping = record(udpFrame('a', SPORT, DPORT))
  const pong = record(udpFrame('b', DPORT, SPORT))
  const rttUs: number[] = []
  let t = 0n
  let i = 0
  const bRx = new RecordCounter(() => b.write(pong))
  let resolve!: () => void
  const finished = new Promise<void>((r) => (resolve = r))
  const aRx = new RecordCounter(() => {
    const now = process.hrtime.bigint()
    if (i++ >= PING_WARMUP) rttUs.push(Number(now - t) / 1e3)
    if (i >= PING_WARMUP + n) return resolve()
    t = process.hrtime.bigint()
    a.write(ping)
  })
  b.on('data', (c: Buffer) => bRx.push(c))
  a.on('data', (c: Buffer) => aRx.push(c))
  t = process.hrtime.bigint()
  a.write(ping)
  await finished
  a.removeAllListeners('data')
  b.removeAllListeners('data')
  return { rttUs, bad: aRx.bad + bRx.bad }
}

async function throughput(a: net.Socket, b: net.Socket, flows: Flows): Promise<Record<string, unknown>> {
  const templates = Array.from({ length: FLOWS }, (_, k) => record(udpFrame('a', SPORT + k, DPORT)))
  const fixedChunk = Buffer.concat(Array.from({ length: PER_WRITE }, (_, k) => templates[k % FLOWS]!))
  let seq = 0
  /** A new chunk in which every frame is a flow of its own (its ports, and so its UDP checksum, changed). */
  const freshChunk = () => {
    const c = Buffer.allocUnsafe(fixedChunk.length)
    fixedChunk.copy(c)
    for (let k = 0; k < PER_WRITE; k++) {
      const l4 = k * REC_LEN + 4 + 34
      const sport = 1024 + (seq % MANY_SPORTS)
      const dport = MANY_DPORT + (Math.floor(seq / MANY_SPORTS) % 1000)
      seq++
      adjustChecksum16(c, l4 + 6, c.readUInt16BE(l4), sport)
      c.writeUInt16BE(sport, l4)
      adjustChecksum16(c, l4 + 6, c.readUInt16BE(l4 + 2), dport)
      c.writeUInt16BE(dport, l4 + 2)
    }
    return c
  }
  const rx = new RecordCounter()
  b.on('data', (c: Buffer) => rx.push(c))
  let running = true
  let sent = 0
  const pump = () => {
    for (let n = 0; n < 8 && running; n++) {
      sent += PER_WRITE
      if (!a.write(flows === 'fixed' ? fixedChunk : freshChunk())) {
        a.once('drain', pump)
        return
      }
    }
    if (running) setImmediate(pump)
  }
  pump()
  await sleep(WARM_MS)
  const f0 = rx.frames
  const s0 = sent
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  send({ op: 'window' })
  await sleep(MEASURE_MS)
  const frames = rx.frames - f0
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  running = false
  return { frames, seconds, sent: sent - s0, bad: rx.bad, endpointsCpu: (cpu.user + cpu.system) / 1e6 / seconds }
}

async function childMain(role: string, dir: string, rules: string): Promise<void> {
  // The bench went away (or killed us): nothing left to do.
  process.on('disconnect', () => process.exit(0))
  process.on('uncaughtException', (e) => {
    send({ op: 'error', message: e.stack ?? String(e) })
    process.exit(1)
  })
  if (role === 'switch') await switchChild(dir, rules as Rules)
  else if (role === 'relay') await relayChild(dir)
  else if (role === 'endpoints') await endpointsChild(dir)
  else throw new Error(`unknown role ${role}`)
}

// ------------------------------------------------------------------------------------------------ bench side

/** A child running this file in one role, spoken to over IPC. */
class Child {
  readonly process: ChildProcess
  private inbox: Msg[] = []
  private waiters: { op: string; resolve: (m: Msg) => void; reject: (e: Error) => void }[] = []
  private stderr = ''
  private failed: Error | undefined

  constructor(readonly name: string, args: string[]) {
    this.process = trackChild(fork(__filename, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] }))
    this.process.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)))
    this.process.on('message', (m: Msg) => {
      if (m.op === 'error') return this.fail(new Error(`${name}: ${String(m.message)}`))
      const w = this.waiters.findIndex((x) => x.op === m.op)
      if (w === -1) this.inbox.push(m)
      else this.waiters.splice(w, 1)[0]!.resolve(m)
    })
    this.process.once('exit', (code, signal) => this.fail(new Error(`${name} exited (${code ?? signal})${this.stderr ? `:\n${this.stderr}` : ''}`)))
  }

  private fail(e: Error): void {
    this.failed ??= e
    for (const w of this.waiters.splice(0)) w.reject(this.failed)
  }

  next(op: string, timeoutMs = 20_000): Promise<Msg> {
    const i = this.inbox.findIndex((m) => m.op === op)
    if (i !== -1) return Promise.resolve(this.inbox.splice(i, 1)[0]!)
    if (this.failed) return Promise.reject(this.failed)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no '${op}' in ${timeoutMs} ms${this.stderr ? `:\n${this.stderr}` : ''}`)), timeoutMs)
      this.waiters.push({
        op,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
    })
  }

  request(msg: Msg, timeoutMs?: number): Promise<Msg> {
    const reply = this.next(msg.op, timeoutMs)
    this.process.send(msg)
    return reply
  }

  stop(): Promise<void> {
    this.failed ??= new Error(`${this.name} stopped`)
    return stopChild(this.process, 1_000)
  }
}

interface Throughput {
  /** Delivered to B. */
  fps: number
  gbps: number
  mibps: number
  /** Handed to A's socket (what the switch was offered). */
  offeredFps: number
  frames: number
  seconds: number
  /** Cores the peer (switch or relay, all its threads) used during the window; the endpoints process likewise. */
  peerCpu: number
  endpointsCpu: number
  /** Cores the rest of the machine used meanwhile (other people's processes; this machine is shared). */
  otherCpu: number
  counters?: { forwarded: number; dropped: Record<string, number>; tracked: number }
}

interface Latency {
  p50: number
  p99: number
  n: number
  /** p50 of each run, in run order. */
  runP50: number[]
}

interface Setup {
  peer: 'relay' | 'switch'
  rules: Rules
}

/** One pair of fresh processes: endpoints + peer; `fn` runs the measurements against them. */
async function withPair<T>(setup: Setup, fn: (ep: Child, peer: Child) => Promise<T>): Promise<T> {
  const dir = makeTempDir('stackling-bench-net-')
  const ep = new Child('endpoints', ['endpoints', dir])
  let peer: Child | undefined
  try {
    await ep.next('listening')
    peer = new Child(setup.peer, [setup.peer, dir, setup.rules])
    await peer.next('ready')
    await ep.next('connected')
    return await fn(ep, peer)
  } finally {
    await Promise.all([ep.stop(), peer?.stop()])
    removeTempDir(dir)
  }
}

async function measureThroughput(ep: Child, peer: Child, flows: Flows, isSwitch: boolean): Promise<Throughput> {
  const result = ep.request({ op: 'throughput', flows }, WARM_MS + MEASURE_MS + 20_000)
  await ep.next('window', WARM_MS + 20_000)
  const c0 = cpuSeconds(peer.process.pid!) ?? NaN
  const h0 = hostCpuSeconds()?.busy ?? NaN
  const own0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const r = await result
  const wall = Number(process.hrtime.bigint() - t0) / 1e9
  const peerCpu = ((cpuSeconds(peer.process.pid!) ?? NaN) - c0) / wall
  const own = process.cpuUsage(own0)
  const hostCpu = ((hostCpuSeconds()?.busy ?? NaN) - h0) / wall
  if (Number(r.bad) > 0) throw new Error(`the receiver saw ${String(r.bad)} records that are not ${FRAME_LEN}-byte frames`)
  const frames = Number(r.frames)
  const seconds = Number(r.seconds)
  if (!(frames > 0)) throw new Error(`no frames reached B through the ${peer.name}`)
  const counters = isSwitch ? ((await peer.request({ op: 'counters' })) as unknown as Throughput['counters']) : undefined
  const endpointsCpu = Number(r.endpointsCpu)
  return {
    fps: frames / seconds,
    gbps: (frames * FRAME_LEN * 8) / seconds / 1e9,
    mibps: (frames * FRAME_LEN) / seconds / MiB,
    offeredFps: Number(r.sent) / seconds,
    frames,
    seconds,
    peerCpu,
    endpointsCpu,
    otherCpu: Math.max(0, hostCpu - peerCpu - endpointsCpu - (own.user + own.system) / 1e6 / wall),
    counters,
  }
}

async function pingRun(setup: Setup): Promise<number[]> {
  return withPair(setup, async (ep) => {
    const r = await ep.request({ op: 'pingpong', n: PINGS }, 60_000)
    if (Number(r.bad) > 0) throw new Error(`ping-pong saw ${String(r.bad)} records that are not ${FRAME_LEN}-byte frames`)
    return r.rttUs as number[]
  })
}

function latencyOf(runs: number[][]): Latency {
  const all = runs.flat().sort((x, y) => x - y)
  return { p50: percentile(all, 50), p99: percentile(all, 99), n: all.length, runP50: runs.map((r) => percentile([...r].sort((x, y) => x - y), 50)) }
}

const kfps = (t: Throughput) => `${(t.fps / 1000).toFixed(0)} k frames/s = ${t.gbps.toFixed(2)} Gbit/s`
const describe = (t: Throughput) =>
  `${kfps(t)}, offered ${(t.offeredFps / 1000).toFixed(0)} k/s (peer ${t.peerCpu.toFixed(2)} core, endpoints ${t.endpointsCpu.toFixed(2)}, others ${t.otherCpu.toFixed(2)})`

export async function runNetworkBench(log: (msg: string) => void): Promise<BenchOutput> {
  if (process.platform === 'win32') {
    return { name: 'network', figures: [], raw: {}, notes: ['network bench skipped: it uses unix sockets and /proc'] }
  }
  const RELAY: Setup = { peer: 'relay', rules: 'default' }
  const DEF: Setup = { peer: 'switch', rules: 'default' }
  const FIFTY: Setup = { peer: 'switch', rules: 'fifty' }
  const tp = (setup: Setup, flows: Flows) => withPair(setup, (ep, peer) => measureThroughput(ep, peer, flows, setup.peer === 'switch'))

  log(`latency: ${PINGS} ping-pongs of ${FRAME_LEN}-byte frames × relay, switch, switch with 50 rules, and back`)
  const pings: Record<string, number[][]> = { relay: [], def: [], fifty: [] }
  for (const [key, setup] of [['relay', RELAY], ['def', DEF], ['fifty', FIFTY], ['fifty', FIFTY], ['def', DEF], ['relay', RELAY]] as const) {
    pings[key]!.push(await pingRun(setup))
  }
  const latency = { relay: latencyOf(pings.relay!), def: latencyOf(pings.def!), fifty: latencyOf(pings.fifty!) }
  const lat = (l: Latency) => `p50 ${l.p50.toFixed(1)} µs, p99 ${l.p99.toFixed(1)} µs`
  log(`  RTT relay ${lat(latency.relay)}; switch ${lat(latency.def)}; switch, 50 rules ${lat(latency.fifty)}`)

  const secs = (WARM_MS + MEASURE_MS) / 1000
  log(`throughput, ${secs} s each (${MEASURE_MS / 1000} s measured): switch, relay, switch with 50 rules; ${FLOWS} flows`)
  const def = await tp(DEF, 'fixed')
  log(`  switch: ${describe(def)}`)
  const relayTp = await tp(RELAY, 'fixed')
  log(`  relay: ${describe(relayTp)}`)
  const fifty = await tp(FIFTY, 'fixed')
  log(`  switch, 50 rules: ${describe(fifty)}`)
  log(`throughput with a new flow in every frame: switch with 50 rules, switch`)
  const fiftyEach = await tp(FIFTY, 'each')
  log(`  switch, 50 rules: ${describe(fiftyEach)}`)
  const defEach = await tp(DEF, 'each')
  log(`  switch: ${describe(defEach)}`)
  const relay = { tp: relayTp, latency: latency.relay }

  const base = (value: number) => ({ label: 'raw relay', value })
  const tpRow = (id: string, label: string, t: Throughput, target: boolean) =>
    figure({
      id,
      label,
      unit: 'MiB/s',
      value: t.mibps,
      baseline: base(relay.tp.mibps),
      target: target ? targetAtLeast(t.fps / relay.tp.fps, 0.5, '≥ 0.5× relay', `${(t.fps / relay.tp.fps).toFixed(2)}× of the relay's rate`) : undefined,
    })
  /** What one core would forward if the peer had it all: frame bytes / CPU seconds (less sensitive to what else ran). */
  const capacity = (t: Throughput) => (t.fps * FRAME_LEN) / t.peerCpu / MiB
  const capRow = (id: string, what: string, t: Throughput) =>
    figure({ id, label: `Switch capacity, 1 core (1 / CPU per frame), ${what}`, unit: 'MiB/s', value: capacity(t), baseline: base(capacity(relay.tp)) })
  const latRows = (id: string, what: string, l: Latency) => [
    figure({ id: `${id}.rtt.p50`, label: `Frame round trip A→B→A, ${what}, p50`, unit: 'µs', value: l.p50, baseline: base(relay.latency.p50) }),
    figure({ id: `${id}.rtt.p99`, label: `Frame round trip A→B→A, ${what}, p99`, unit: 'µs', value: l.p99, baseline: base(relay.latency.p99) }),
    figure({ id: `${id}.added.p50`, label: `Latency the switch adds per frame, ${what} (Δ p50 RTT / 2)`, unit: 'µs', value: (l.p50 - relay.latency.p50) / 2 }),
    figure({ id: `${id}.added.p99`, label: `Latency the switch adds per frame, ${what} (Δ p99 RTT / 2)`, unit: 'µs', value: (l.p99 - relay.latency.p99) / 2 }),
  ]
  const figures = [
    tpRow('throughput.default', `Switch throughput, ${FRAME_LEN}-byte frames, default group, ${FLOWS} flows`, def, true),
    tpRow('throughput.fifty', `Switch throughput, ${FRAME_LEN}-byte frames, 50 rules, ${FLOWS} flows`, fifty, true),
    tpRow('throughput.fifty.newflows', `Switch throughput, ${FRAME_LEN}-byte frames, 50 rules, new flow per frame`, fiftyEach, false),
    tpRow('throughput.default.newflows', `Switch throughput, ${FRAME_LEN}-byte frames, default group, new flow per frame`, defEach, false),
    capRow('capacity.default', `default group, ${FLOWS} flows`, def),
    capRow('capacity.fifty', `50 rules, ${FLOWS} flows`, fifty),
    ...latRows('latency.default', 'default group', latency.def),
    ...latRows('latency.fifty', '50 rules', latency.fifty),
  ]

  const ratio = (t: Throughput) => `${(t.fps / relay.tp.fps).toFixed(2)}×`
  const loss = (t: Throughput) => `${(Math.max(0, 1 - t.fps / t.offeredFps) * 100).toFixed(0)} %`
  const drops = (t: Throughput) => {
    const d = Object.entries(t.counters?.dropped ?? {}).filter(([, v]) => v > 0)
    return d.length ? `switch drops over the whole run, warm-up included: ${d.map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ')}` : 'no switch drops'
  }
  const line = (name: string, t: Throughput) =>
    `${name}: ${kfps(t)} (${ratio(t)}), offered ${(t.offeredFps / 1000).toFixed(0)} k/s, ${loss(t)} lost in the window (${drops(t)}); ` +
    `switch ${t.peerCpu.toFixed(2)} core = ${((t.peerCpu / t.fps) * 1e6).toFixed(2)} µs CPU per delivered frame; other processes ${t.otherCpu.toFixed(2)} core`
  const notes = [
    `Network: a "${FRAME_LEN}-byte frame" is a 1500-byte IPv4/UDP packet in an Ethernet header (${REC_LEN} bytes on the socket with QEMU's ` +
      `length prefix); Gbit/s counts the ${FRAME_LEN} frame bytes; rates are what B received in ${MEASURE_MS / 1000} s after ${WARM_MS / 1000} s of warm-up.`,
    `Network, raw relay: ${kfps(relay.tp)}; relay ${relay.tp.peerCpu.toFixed(2)} core, the two guests' process ${relay.tp.endpointsCpu.toFixed(2)} core, ` +
      `other processes ${relay.tp.otherCpu.toFixed(2)} core.`,
    `Network round trips (2 × ${PINGS} each; p50 of each run in run order): relay ${lat(latency.relay)} (${latency.relay.runP50.map((x) => x.toFixed(1)).join(', ')}); ` +
      `switch ${lat(latency.def)} (${latency.def.runP50.map((x) => x.toFixed(1)).join(', ')}); 50 rules ${lat(latency.fifty)} ` +
      `(${latency.fifty.runP50.map((x) => x.toFixed(1)).join(', ')}); added per frame: ${((latency.def.p50 - latency.relay.p50) / 2).toFixed(1)} µs ` +
      `and ${((latency.fifty.p50 - latency.relay.p50) / 2).toFixed(1)} µs at p50.`,
    line(`Network, switch, default group, ${FLOWS} flows`, def),
    line(`Network, switch, 50 rules, ${FLOWS} flows`, fifty),
    line('Network, switch, 50 rules, new flow per frame', fiftyEach),
    line('Network, switch, default group, new flow per frame', defEach),
    `Network: conntrack lets an established flow skip the rule list, so with ${FLOWS} flows the 50 rules are evaluated for each flow's first frame ` +
      `only; with a new flow per frame, for every frame (B's tracked connections at the end: ${fiftyEach.counters?.tracked ?? '?'}; at the cap of ` +
      `65,536 new flows still pass, untracked). The p99 round trips depend mostly on scheduling and on what else runs on the machine.`,
  ]
  const busiest = Math.max(...[relay.tp, def, fifty, fiftyEach, defEach].map((t) => t.otherCpu))
  if (busiest > 0.25) {
    notes.push(
      `Network: other processes used up to ${busiest.toFixed(2)} of ${os.cpus().length} cores during the throughput windows, so the switch did ` +
        `not have a core to itself: its rates understate it (the capacity rows less so); rerun on a quiet machine.`,
    )
  }
  return {
    name: 'network',
    figures,
    notes,
    raw: {
      frameBytes: FRAME_LEN,
      warmMs: WARM_MS,
      measureMs: MEASURE_MS,
      pings: PINGS,
      relay: relayTp,
      switchDefault: def,
      switchFifty: fifty,
      latency,
      switchFiftyNewFlows: fiftyEach,
      switchDefaultNewFlows: defEach,
    },
  }
}

if (require.main === module) {
  const [role = '', dir = '', rules = 'default'] = process.argv.slice(2)
  childMain(role, dir, rules).catch((e: Error) => {
    if (process.send) send({ op: 'error', message: e.stack ?? String(e) })
    process.exit(1)
  })
}
