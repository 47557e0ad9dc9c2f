import { Badge } from '../../../components/ui/badge'
import { Spinner } from '../../../components/ui/spinner'
import type { Server } from '../../../lib/openstack/compute'
import { serverStatusInfo, taskLabel, taskState } from '../utils/server-status'

/** Nova's status as a coloured pill; a spinner while a task runs (named beside it), the meaning as a tooltip. */
export function InstanceStatusBadge({ server, showTask = true }: { server: Server; showTask?: boolean }) {
  const info = serverStatusInfo(server)
  const task = taskState(server)
  return (
    <span className="instance-status" data-testid="instance-status" data-status={server.status} data-task={task ?? ''} title={info.hint}>
      <Badge tone={info.tone} dot={!info.busy}>
        {info.busy ? <Spinner size="sm" /> : null}
        {info.label}
      </Badge>
      {showTask && task ? (
        <span className="instance-task" data-testid="instance-task">
          {taskLabel(task)}…
        </span>
      ) : null}
    </span>
  )
}
