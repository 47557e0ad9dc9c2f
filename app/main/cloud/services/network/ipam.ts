import { BadRequest } from '../../platform/errors'

/** IPv4 arithmetic for subnets and allocation pools. Pure: no I/O, no state. */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number
  prefix: number
  /** Number of addresses, network and broadcast included. */
  size: number
}

export interface Pool {
  start: string
  end: string
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function isIpv4(s: unknown): s is string {
  return typeof s === 'string' && IPV4.test(s)
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0)
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** Parses "a.b.c.d/p"; `strict` refuses host bits as Neutron does for subnet cidrs. @throws BadRequest */
export function parseCidr(text: unknown, opts: { strict?: boolean; field?: string } = {}): Cidr {
  const field = opts.field ?? 'cidr'
  const m = typeof text === 'string' ? /^([^/]+)\/(\d{1,2})$/.exec(text.trim()) : null
  const prefix = m ? Number(m[2]) : NaN
  if (!m || !isIpv4(m[1]) || prefix > 32) {
    throw new BadRequest(`Invalid input for ${field}. Reason: '${String(text)}' is not a valid IP subnet.`, field)
  }
  const size = 2 ** (32 - prefix)
  const addr = ipToInt(m[1]!)
  const base = addr - (addr % size)
  if (opts.strict && base !== addr) {
    throw new BadRequest(
      `Invalid input for ${field}. Reason: '${text}' isn't a recognized IP subnet cidr, '${intToIp(base)}/${prefix}' is recommended.`,
      field,
    )
  }
  return { base, prefix, size }
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`
}

export function contains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip)
  return n >= c.base && n < c.base + c.size
}

/** A usable host address: inside the cidr and neither its network nor its broadcast address. */
export function isHost(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip)
  return n > c.base && n < c.base + c.size - 1
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size
}

export function firstHost(c: Cidr): string {
  return intToIp(c.base + 1)
}

/** The highest usable host address (the one below broadcast). */
export function lastHost(c: Cidr): string {
  return intToIp(c.base + c.size - 2)
}

/** The pools with one address taken out (a pool holding only it disappears, one holding it inside splits). */
export function withoutAddress(pools: Pool[], ip: string): Pool[] {
  const n = ipToInt(ip)
  return pools.flatMap((p) => {
    const s = ipToInt(p.start)
    const e = ipToInt(p.end)
    if (n < s || n > e) return [p]
    const out: Pool[] = []
    if (n > s) out.push({ start: p.start, end: intToIp(n - 1) })
    if (n < e) out.push({ start: intToIp(n + 1), end: p.end })
    return out
  })
}

/** Neutron's default pools: every host address but the gateway. */
export function defaultPools(c: Cidr, gateway: string | null): Pool[] {
  const first = c.base + 1
  const last = c.base + c.size - 2
  if (last < first) return []
  const g = gateway ? ipToInt(gateway) : -1
  const pools: Pool[] = []
  if (g < first || g > last) return [{ start: intToIp(first), end: intToIp(last) }]
  if (g > first) pools.push({ start: intToIp(first), end: intToIp(g - 1) })
  if (g < last) pools.push({ start: intToIp(g + 1), end: intToIp(last) })
  return pools
}

/** Checks given pools: inside the cidr's hosts, start ≤ end, no overlap, gateway outside. @throws BadRequest */
export function validatePools(c: Cidr, pools: Pool[], gateway: string | null): void {
  const ranges = pools.map((p) => {
    if (!isIpv4(p.start) || !isIpv4(p.end)) throw new BadRequest(`Invalid input for allocation_pools. Reason: '${p.start}-${p.end}' is not a valid IP range.`, 'allocation_pools')
    const s = ipToInt(p.start)
    const e = ipToInt(p.end)
    if (!isHost(c, p.start) || !isHost(c, p.end) || s > e) {
      throw new BadRequest(`The allocation pool ${p.start}-${p.end} spans beyond the subnet cidr ${formatCidr(c)}.`, 'allocation_pools')
    }
    return [s, e] as const
  })
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] <= sorted[i - 1]![1]) {
      throw new BadRequest(
        `Found overlapping allocation pools: ${intToIp(sorted[i - 1]![0])}-${intToIp(sorted[i - 1]![1])} and ${intToIp(sorted[i]![0])}-${intToIp(sorted[i]![1])}.`,
        'allocation_pools',
      )
    }
  }
  if (gateway) {
    const g = ipToInt(gateway)
    const hit = ranges.find(([s, e]) => g >= s && g <= e)
    if (hit) throw new BadRequest(`Gateway ip ${gateway} conflicts with allocation pool ${intToIp(hit[0])}-${intToIp(hit[1])}.`, 'gateway_ip')
  }
}

/** The lowest pool address not in `taken`, or undefined when the pools are exhausted. */
export function nextFree(pools: Pool[], taken: ReadonlySet<string>): string | undefined {
  for (const p of pools) {
    for (let n = ipToInt(p.start), end = ipToInt(p.end); n <= end; n++) {
      const ip = intToIp(n)
      if (!taken.has(ip)) return ip
    }
  }
  return undefined
}
