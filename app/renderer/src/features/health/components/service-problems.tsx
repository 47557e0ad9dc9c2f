import { Alert } from '../../../components/ui/alert'
import { useSession } from '../../../lib/openstack/client-provider'
import { Link } from '../../../lib/router'
import { useServiceStates } from '../api/get-health'
import './health.css'

/**
 * For the overview: a service whose API answers but which cannot do its work says why (compute without QEMU:
 * the hypervisor's error). Nothing while everything works, or when the cloud predates /stackling/v1.
 */
export function ServiceProblems() {
  const states = useServiceStates()
  const session = useSession()
  const down = (states.data ?? []).filter((s) => s.state === 'down')
  if (!down.length) return null
  return (
    <div className="service-problems" data-testid="service-problems">
      {down.map((s) => (
        <Alert key={s.type} tone="danger" title={`${s.type === 'compute' ? 'Compute' : s.type} cannot work`} icon="alert">
          {s.reason ?? 'unknown reason'}
          {session.isAdmin ? (
            <>
              {' '}
              <Link to="/system/health">Health</Link> says what to install.
            </>
          ) : (
            ' Ask the administrator of this cloud.'
          )}
        </Alert>
      ))}
    </div>
  )
}
