import dgram from 'node:dgram'
import net from 'node:net'

/**
 * Ports on the host's 127.0.0.1 that the data plane forwards to instances: a floating IP's host forwards (ssh and
 * http of an associated floating IP) and port forwardings' external ports. All floating IPs of this cloud share the
 * host's loopback address, so a host port is taken at most once per protocol across all of them.
 */

export type HostProtocol = 'tcp' | 'udp'

export interface PortRange {
  min: number
  max: number
}

/** Where host forwards are allocated unless the service is told otherwise. */
export const DEFAULT_HOST_FORWARD_RANGE: PortRange = { min: 40000, max: 40999 }

/** The instance ports an associated floating IP gets a host port for. */
export const HOST_FORWARDED_PORTS: readonly { protocol: HostProtocol; internal_port: number }[] = [
  { protocol: 'tcp', internal_port: 22 },
  { protocol: 'tcp', internal_port: 80 },
]

/** Answers whether protocol/port can be bound on 127.0.0.1 right now (another program may hold it). */
export type HostPortProbe = (protocol: HostProtocol, port: number) => Promise<boolean>

export const hostPortKey = (protocol: string, port: number) => `${protocol}/${port}`

/** Binds and releases at once: true when nothing on this computer holds the port. */
export const probeHostPort: HostPortProbe = (protocol, port) =>
  new Promise((resolve) => {
    if (protocol === 'udp') {
      const sock = dgram.createSocket('udp4')
      sock.once('error', () => {
        sock.close()
        resolve(false)
      })
      sock.bind({ port, address: '127.0.0.1', exclusive: true }, () => sock.close(() => resolve(true)))
      return
    }
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)))
  })

/**
 * The lowest `count` ports of `range` that no record holds (`used`: hostPortKey values) and that the probe can bind,
 * in ascending order; fewer when the range runs out.
 */
export async function findFreeHostPorts(
  protocol: HostProtocol,
  count: number,
  range: PortRange,
  used: ReadonlySet<string>,
  probe: HostPortProbe,
): Promise<number[]> {
  const out: number[] = []
  for (let p = range.min; p <= range.max && out.length < count; p++) {
    if (used.has(hostPortKey(protocol, p))) continue
    if (await probe(protocol, p)) out.push(p)
  }
  return out
}
