import type { HostForward, SecurityGroup } from './network'

/**
 * How to reach an instance from this computer. Its external network exists only inside Stackling, so a floating IP
 * is reached through the loopback ports the cloud forwards to it (the floating IP's `host_forwards`). Pure.
 */

export const LOOPBACK = '127.0.0.1'

/** A user name ssh accepts as it is (no quoting), as cloud images set it in `os_admin_user`. */
const USER_NAME = /^[a-z_][a-z0-9_.-]{0,31}$/i

/** The image's `os_admin_user` property when it is a plain user name, else `root`. */
export function adminUserOf(image: Record<string, unknown> | undefined): string {
  const user = image?.os_admin_user
  return typeof user === 'string' && USER_NAME.test(user) ? user : 'root'
}

/** The host forward of a TCP port of the guest (22 for ssh, 80 for http), if the cloud made one. */
export function forwardOf(forwards: readonly HostForward[] | undefined, internalPort: number): HostForward | undefined {
  return forwards?.find((f) => f.protocol.toLowerCase() === 'tcp' && f.internal_port === internalPort)
}

/** `ssh -p 40000 root@127.0.0.1`, or null when the guest's port 22 is not forwarded. */
export function sshCommand(forwards: readonly HostForward[] | undefined, user = 'root'): string | null {
  const f = forwardOf(forwards, 22)
  return f ? `ssh -p ${f.host_port} ${USER_NAME.test(user) ? user : 'root'}@${LOOPBACK}` : null
}

/** `http://127.0.0.1:40001/` for the guest's port 80, or null. */
export function httpUrl(forwards: readonly HostForward[] | undefined): string | null {
  const f = forwardOf(forwards, 80)
  return f ? `http://${LOOPBACK}:${f.host_port}/` : null
}

/** The forwards that are neither ssh nor http, as "tcp 8080 → 127.0.0.1:40002". */
export function otherForwards(forwards: readonly HostForward[] | undefined): string[] {
  return (forwards ?? [])
    .filter((f) => !(f.protocol.toLowerCase() === 'tcp' && (f.internal_port === 22 || f.internal_port === 80)))
    .map((f) => `${f.protocol.toLowerCase()} ${f.internal_port} → ${LOOPBACK}:${f.host_port}`)
}

/**
 * Whether the security groups of a port let TCP `port` in from anywhere (a rule for 0.0.0.0/0 or no prefix, tcp or
 * any protocol, the port in range). Rules for a remote group or a narrower prefix may or may not match the
 * forwarded traffic: 'maybe'. Port security off lets everything in.
 */
export function ingressAllowed(
  port: { security_groups: readonly string[]; port_security_enabled?: boolean },
  groups: readonly SecurityGroup[],
  tcpPort: number,
): 'yes' | 'no' | 'maybe' {
  if (port.port_security_enabled === false) return 'yes'
  const rules = groups.filter((g) => port.security_groups.includes(g.id)).flatMap((g) => g.security_group_rules ?? [])
  const matches = rules.filter(
    (r) =>
      r.direction === 'ingress' &&
      r.ethertype === 'IPv4' &&
      (r.protocol === null || r.protocol === 'tcp' || r.protocol === '6') &&
      (r.port_range_min === null || (r.port_range_min <= tcpPort && (r.port_range_max ?? r.port_range_min) >= tcpPort)),
  )
  if (matches.some((r) => r.remote_group_id === null && (r.remote_ip_prefix === null || r.remote_ip_prefix === '0.0.0.0/0'))) return 'yes'
  return matches.some((r) => r.remote_group_id === null) ? 'maybe' : 'no'
}
