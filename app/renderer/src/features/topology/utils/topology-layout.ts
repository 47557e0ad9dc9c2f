import type { TopoAttachment, TopoInstance, TopologyModel, TopoNetwork, TopoRouter } from './topology-model'

/**
 * Places the topology on a grid, top to bottom as a student draws it: external networks (the "outside") as
 * full-width bars, routers under them, tenant networks as bars side by side, and each instance under the network
 * of its first port. Deterministic (no physics): the same model always gives the same picture, so a refresh never
 * moves anything, and only a new or removed element shifts its neighbours. Pure: no DOM.
 *
 * Lines are ports. A line that reaches a bar ends in a dot there; a device whose network is in another column
 * reaches it with an elbow through the band between bar and devices.
 */

export const SIZES = {
  margin: 24,
  barH: 30,
  /** Between stacked external bars. */
  extGap: 14,
  /** From the last external bar to the router row: the gateway lines and their labels. */
  gatewayBand: 64,
  routerW: 152,
  routerH: 50,
  routerGap: 44,
  /** From the router row to the tenant bars: interface lines, elbows and IP labels. */
  interfaceBand: 64,
  /** From the tenant bars to the instances: port lines, elbows and IP labels. */
  instanceBand: 64,
  instW: 136,
  instH: 62,
  slotGap: 18,
  colGap: 40,
  /** How far from a bar's end a line may reach it. */
  barInset: 16,
  minWidth: 720,
} as const

const SLOT = SIZES.instW + SIZES.slotGap

export type LinkKind = 'gateway' | 'interface' | 'port'

export interface LaidNetwork {
  network: TopoNetwork
  x: number
  y: number
  w: number
  h: number
  /** Palette slot of the network's colour: 'ext' or 0–4; its lines share it. */
  colour: string
  label: { name: string; detail: string }
}

export interface LaidRouter {
  router: TopoRouter
  x: number
  y: number
  w: number
  h: number
  name: string
}

export interface LaidInstance {
  instance: TopoInstance
  x: number
  y: number
  w: number
  h: number
  name: string
  tone: StatusTone
  floating: string | null
}

export interface LaidLink {
  key: string
  kind: LinkKind
  deviceId: string
  deviceName: string
  networkId: string
  networkName: string
  colour: string
  /** SVG path data. */
  d: string
  /** Where the line meets the bar. */
  dot: { x: number; y: number }
  label: { x: number; y: number; lines: string[] }
}

export interface Caption {
  key: string
  x: number
  y: number
  text: string
}

export interface TopologyLayout {
  width: number
  height: number
  networks: LaidNetwork[]
  routers: LaidRouter[]
  instances: LaidInstance[]
  links: LaidLink[]
  captions: Caption[]
}

export type StatusTone = 'success' | 'info' | 'warning' | 'danger' | 'neutral'

/** Nova's status as a colour (the same meanings as the Instances panel). */
export function statusTone(status: string): StatusTone {
  if (status === 'ACTIVE') return 'success'
  if (status === 'ERROR') return 'danger'
  if (['BUILD', 'REBOOT', 'HARD_REBOOT', 'REBUILD', 'MIGRATING', 'RESIZE'].includes(status)) return 'info'
  if (['PAUSED', 'SUSPENDED', 'SHELVED', 'SHELVED_OFFLOADED', 'RESCUE'].includes(status)) return 'warning'
  return 'neutral'
}

/** A rough width of text in the diagram's sans font (no DOM to measure in): wide enough never to overlap. */
export const textWidth = (s: string, px: number) => Math.ceil(s.length * px * 0.6)

/** Shortens `s` with an ellipsis to fit `maxPx`. */
export function fitText(s: string, maxPx: number, px: number): string {
  if (textWidth(s, px) <= maxPx) return s
  const n = Math.max(1, Math.floor(maxPx / (px * 0.6)) - 1)
  return `${s.slice(0, n)}…`
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi)
const NAME_PX = 13
const DETAIL_PX = 12

interface Column {
  key: string
  network?: TopoNetwork
  x: number
  w: number
  instances: TopoInstance[]
  caption?: string
}

export function layoutTopology(model: TopologyModel): TopologyLayout {
  const S = SIZES
  const external = model.networks.filter((n) => n.external)
  const tenant = model.networks.filter((n) => !n.external)
  const netById = new Map(model.networks.map((n) => [n.id, n]))

  // Tenant columns: the networks of each router's interfaces together (routers by name), then the others.
  const order: TopoNetwork[] = []
  for (const r of model.routers) {
    for (const n of tenant.filter((t) => r.interfaces.some((i) => i.networkId === t.id))) if (!order.includes(n)) order.push(n)
  }
  for (const n of tenant) if (!order.includes(n)) order.push(n)
  const colIndex = new Map(order.map((n, i) => [n.id, i]))
  const columns: Column[] = order.map((n) => ({ key: n.id, network: n, x: 0, w: 0, instances: [] }))
  const onExternal: TopoInstance[] = []
  const unattached: TopoInstance[] = []
  for (const inst of model.instances) {
    const cols = inst.ports.map((p) => colIndex.get(p.networkId)).filter((i): i is number => i !== undefined)
    if (cols.length) columns[Math.min(...cols)]!.instances.push(inst)
    else if (inst.ports.some((p) => netById.get(p.networkId)?.external)) onExternal.push(inst)
    else unattached.push(inst)
  }
  if (onExternal.length) columns.push({ key: '#external', x: 0, w: 0, instances: onExternal, caption: 'only on an external network' })
  if (unattached.length) columns.push({ key: '#none', x: 0, w: 0, instances: unattached, caption: 'no port on a network' })

  const barLabel = (n: TopoNetwork) => ({ name: n.name, detail: [n.cidrs.join(', ') || 'no subnet', n.external ? 'external' : '', n.shared ? 'shared' : ''].filter(Boolean).join(' · ') })
  let x: number = S.margin
  for (const c of columns) {
    const row = c.instances.length * SLOT - S.slotGap
    const label = c.network ? textWidth(c.network.name, NAME_PX) + textWidth(barLabel(c.network).detail, DETAIL_PX) + 40 : textWidth(c.caption ?? '', DETAIL_PX)
    c.w = Math.max(row, label, S.instW)
    c.x = x
    x += c.w + S.colGap
  }
  const columnsRight = columns.length ? x - S.colGap : S.margin

  // Routers: over the middle of the networks they join, pushed right so that none overlap.
  const centre = (c: Column) => c.x + c.w / 2
  const wanted = model.routers.map((r) => {
    const cols = [...new Set(r.interfaces.map((i) => colIndex.get(i.networkId)).filter((i): i is number => i !== undefined))]
    return { r, want: cols.length ? cols.reduce((s, i) => s + centre(columns[i]!), 0) / cols.length : Number.POSITIVE_INFINITY }
  })
  wanted.sort((a, b) => a.want - b.want || a.r.name.localeCompare(b.r.name))
  let right = S.margin - S.routerGap
  const routerX = new Map<string, number>()
  for (const { r, want } of wanted) {
    const rx = Math.max(Number.isFinite(want) ? want - S.routerW / 2 : 0, right + S.routerGap, S.margin)
    routerX.set(r.id, rx)
    right = rx + S.routerW
  }
  const contentRight = Math.max(columnsRight, model.routers.length ? right : 0)
  const width = Math.max(contentRight, S.minWidth - S.margin) + S.margin
  // A small picture sits in the middle of its minimum width, under the external bars' middle.
  const dx = Math.max(0, (width - S.margin - contentRight) / 2)
  if (dx) {
    for (const c of columns) c.x += dx
    for (const [id, rx] of routerX) routerX.set(id, rx + dx)
  }

  // Rows.
  let y: number = S.margin
  let bottom: number = S.margin
  const networks: LaidNetwork[] = []
  for (const n of external) {
    networks.push({ network: n, x: S.margin, y, w: width - 2 * S.margin, h: S.barH, colour: 'ext', label: barLabel(n) })
    bottom = y + S.barH
    y = bottom + S.extGap
  }
  const routerY = external.length ? bottom + S.gatewayBand : S.margin
  if (model.routers.length) bottom = routerY + S.routerH
  const barY = model.routers.length ? bottom + S.interfaceBand : external.length ? bottom + 48 : S.margin
  const instY = barY + S.barH + S.instanceBand
  const height = (columns.length ? instY + S.instH : bottom) + S.margin

  const captions: Caption[] = []
  columns.forEach((c, i) => {
    if (c.network) networks.push({ network: c.network, x: c.x, y: barY, w: c.w, h: S.barH, colour: String(i % 5), label: barLabel(c.network) })
    else captions.push({ key: c.key, x: c.x, y: barY + S.barH / 2 + 4, text: c.caption ?? '' })
  })
  const barOf = new Map(networks.map((b) => [b.network.id, b]))

  const routers: LaidRouter[] = model.routers.map((r) => ({ router: r, x: routerX.get(r.id)!, y: routerY, w: S.routerW, h: S.routerH, name: fitText(r.name, S.routerW - 44, NAME_PX) }))
  const instances: LaidInstance[] = []
  const slotCentres = new Map<string, number[]>()
  for (const c of columns) {
    const start = c.x + (c.w - (c.instances.length * SLOT - S.slotGap)) / 2
    c.instances.forEach((inst, i) => {
      const ix = start + i * SLOT
      instances.push({
        instance: inst,
        x: ix,
        y: instY,
        w: S.instW,
        h: S.instH,
        name: fitText(inst.name, S.instW - 20, NAME_PX),
        tone: statusTone(inst.status),
        floating: inst.floatingIps.length ? fitText(inst.floatingIps.join(', '), S.instW - 36, DETAIL_PX) : null,
      })
    })
    if (c.network) slotCentres.set(c.network.id, c.instances.map((_, i) => start + i * SLOT + S.instW / 2))
  }

  const links: LaidLink[] = []
  const reach = (bar: LaidNetwork, px: number) => clamp(px, bar.x + S.barInset, bar.x + bar.w - S.barInset)
  const ipLabel = (a: TopoAttachment) => (a.ips.length ? a.ips.join(', ') : 'no IP')

  for (const lr of routers) {
    const r = lr.router
    const cx = lr.x + lr.w / 2
    if (r.gateway) {
      const bar = barOf.get(r.gateway.networkId)
      if (bar) {
        const top = bar.y + bar.h
        links.push({
          key: `gw-${r.id}`,
          kind: 'gateway',
          deviceId: r.id,
          deviceName: r.name,
          networkId: bar.network.id,
          networkName: bar.network.name,
          colour: bar.colour,
          d: `M${cx} ${lr.y}V${top}`,
          dot: { x: cx, y: top },
          label: { x: cx + 7, y: top + 18, lines: [`gateway ${r.gateway.ips.join(', ') || '(no IP)'}`, `SNAT ${r.gateway.snat ? 'on' : 'off'}`] },
        })
      }
    }
    const ifaces = [...r.interfaces].filter((i) => barOf.has(i.networkId)).sort((a, b) => (colIndex.get(a.networkId) ?? -1) - (colIndex.get(b.networkId) ?? -1))
    ifaces.forEach((iface, j) => {
      const bar = barOf.get(iface.networkId)!
      let px = lr.x + ((j + 1) * lr.w) / (ifaces.length + 1)
      const common = { key: `if-${iface.portId}`, kind: 'interface' as const, deviceId: r.id, deviceName: r.name, networkId: bar.network.id, networkName: bar.network.name, colour: bar.colour }
      if (bar.network.external) {
        // An interface (not the gateway) on an external network: straight up.
        const top = bar.y + bar.h
        links.push({ ...common, d: `M${px} ${lr.y}V${top}`, dot: { x: px, y: top }, label: { x: px + 7, y: lr.y - 8, lines: [ipLabel(iface)] } })
        return
      }
      let tx = reach(bar, px)
      // Never in line with an instance's port below the same bar: the two would read as one line through it.
      for (const c of slotCentres.get(bar.network.id) ?? []) if (Math.abs(c - tx) < 14) tx = reach(bar, c + 26)
      // A small shift stays a straight line, leaving the router a little off its centre.
      if (ifaces.length === 1 && tx >= lr.x + 14 && tx <= lr.x + lr.w - 14) px = tx
      const bottom = lr.y + lr.h
      const d = Math.abs(tx - px) < 0.5 ? `M${px} ${bottom}V${bar.y}` : `M${px} ${bottom}V${bottom + 22 + (j % 3) * 7}H${tx}V${bar.y}`
      links.push({ ...common, d, dot: { x: tx, y: bar.y }, label: { x: tx + 7, y: bar.y - 8, lines: [ipLabel(iface)] } })
    })
  }

  for (const li of instances) {
    const inst = li.instance
    const ports = [...inst.ports].filter((p) => barOf.has(p.networkId)).sort((a, b) => (colIndex.get(a.networkId) ?? 99) - (colIndex.get(b.networkId) ?? 99))
    ports.forEach((port, j) => {
      const bar = barOf.get(port.networkId)!
      const px = li.x + ((j + 1) * li.w) / (ports.length + 1)
      const common = { key: `port-${port.portId}`, kind: 'port' as const, deviceId: inst.id, deviceName: inst.name, networkId: bar.network.id, networkName: bar.network.name, colour: bar.colour }
      const bottom = bar.y + bar.h
      if (bar.network.external) {
        links.push({ ...common, d: `M${px} ${li.y}V${bottom}`, dot: { x: px, y: bottom }, label: { x: px + 7, y: li.y - 8, lines: [ipLabel(port)] } })
        return
      }
      const tx = reach(bar, px)
      if (Math.abs(tx - px) < 0.5) {
        links.push({ ...common, d: `M${px} ${li.y}V${bottom}`, dot: { x: px, y: bottom }, label: { x: px + 7, y: bottom + 16, lines: [ipLabel(port)] } })
      } else {
        const ch = bottom + 30 + (j % 3) * 6
        links.push({ ...common, d: `M${px} ${li.y}V${ch}H${tx}V${bottom}`, dot: { x: tx, y: bottom }, label: { x: px + 7, y: li.y - 8, lines: [ipLabel(port)] } })
      }
    })
  }
  return { width, height, networks, routers, instances, links, captions }
}
