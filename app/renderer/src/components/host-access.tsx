import { httpUrl, otherForwards, sshCommand } from '../lib/openstack/host-access'
import type { HostForward } from '../lib/openstack/network'
import { CopyButton } from './ui/copy-button'

/**
 * How to reach an instance from this computer: the ssh line (with a copy button) and the http link built from a
 * floating IP's `host_forwards`. Shared by the Floating IPs panel and the instance page.
 */
export function HostAccess({ forwards, user, compact }: { forwards: readonly HostForward[] | undefined; user: string; compact?: boolean }) {
  const ssh = sshCommand(forwards, user)
  const http = httpUrl(forwards)
  const other = otherForwards(forwards)
  if (!ssh && !http && other.length === 0) return null
  return (
    <div className={['host-access', compact && 'host-access-compact'].filter(Boolean).join(' ')} data-testid="host-access">
      {ssh ? (
        <span className="cli-line host-access-ssh">
          <code data-testid="ssh-command">{ssh}</code>
          <CopyButton text={ssh} label="Copy the ssh command" data-testid="copy-ssh" />
        </span>
      ) : null}
      {http ? (
        <a href={http} target="_blank" rel="noreferrer noopener" className="host-access-http" data-testid="http-link">
          {http}
        </a>
      ) : null}
      {other.map((o) => (
        <code key={o} className="id-text">
          {o}
        </code>
      ))}
    </div>
  )
}
