import { useMemo, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge, type BadgeTone } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { Icon } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import { toRows, useAssignmentChoices, useRoleAssignments, type AssignmentRow } from '../api/get-role-assignments'
import { useRevokeRole } from '../api/revoke-role'
import { GrantRoleDialog } from './grant-role-dialog'

const ROLE_TONES: Record<string, BadgeTone> = { admin: 'danger', member: 'info', reader: 'neutral' }

export function RoleAssignmentsPage() {
  const session = useSession()
  const isAdmin = session.isAdmin
  const assignments = useRoleAssignments()
  // Names for servers that ignore include_names; members may not list these, so only admins ask.
  const choices = useAssignmentChoices({ enabled: isAdmin })
  const [filter, setFilter] = useState('')
  const [granting, setGranting] = useState(false)
  const [revoking, setRevoking] = useState<AssignmentRow | null>(null)
  const revoke = useRevokeRole()
  const toast = useToast()

  const rows = useMemo(
    () => toRows(assignments.data ?? [], { projects: choices.projects.data, users: choices.users.data, roles: choices.roles.data }),
    [assignments.data, choices.projects.data, choices.users.data, choices.roles.data],
  )
  const needle = filter.trim().toLowerCase()
  const shown = needle ? rows.filter((r) => [r.role.name, r.actor.name, r.scope.name].some((s) => s.toLowerCase().includes(needle))) : rows

  const columns: Column<AssignmentRow>[] = [
    { key: 'user', header: 'User or group', render: (r) => <span className="cell-name"><Icon name="user" className="muted" /> <strong>{r.actor.name}</strong>{r.actor.kind === 'group' ? <Badge>group</Badge> : null}</span> },
    { key: 'role', header: 'Role', render: (r) => <Badge tone={ROLE_TONES[r.role.name] ?? 'accent'}>{r.role.name}</Badge> },
    {
      key: 'scope',
      header: 'On',
      className: 'col-grow',
      render: (r) => (
        <span className="cell-name">
          <span className="muted">{r.scope.kind}</span> {r.scope.name}
          {r.inherited ? <Badge>inherited</Badge> : null}
        </span>
      ),
    },
  ]
  if (isAdmin) {
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (r) => {
        const revocable = r.actor.kind === 'user' && r.scope.kind === 'project' && !r.inherited
        const self = r.actor.id === session.user.id && r.scope.id === session.project?.id
        return (
          <Button
            size="sm"
            variant="ghost"
            icon="trash"
            className="btn-danger-ghost"
            disabled={!revocable || self}
            title={self ? 'This is the role your session uses: remove it as another administrator' : revocable ? 'Remove this role' : 'Only direct user roles on projects can be removed here (use the CLI)'}
            onClick={() => setRevoking(r)}
            data-testid="revoke-role"
          >
            Remove
          </Button>
        )
      },
    })
  }

  const forbidden = assignments.error instanceof OpenStackError && assignments.error.status === 403

  return (
    <div className="page" data-testid="role-assignments-page">
      <PageHeader
        title="Role assignments"
        description="Who may do what, where: each row gives a user a role on a project."
        api="GET /identity/v3/role_assignments"
        actions={
          isAdmin ? (
            <>
              <Button icon="refresh" aria-label="Refresh" onClick={() => void assignments.refetch()} loading={assignments.isFetching && assignments.status === 'success'} />
              <Button variant="primary" icon="plus" onClick={() => setGranting(true)} data-testid="grant-role-open">
                Give role
              </Button>
            </>
          ) : undefined
        }
      />
      {!isAdmin ? (
        <>
          {!forbidden ? (
            <Alert tone="warning" title="Read only" data-testid="not-admin-notice">
              Giving and removing roles needs the admin role.
            </Alert>
          ) : null}
          <Card title="Your roles in this session">
            <p className="your-roles">
              <span>
                <strong>{session.user.name}</strong> has these roles on project <strong>{session.project?.name ?? '—'}</strong>:
              </span>
              {session.roles.map((r) => (
                <Badge key={r} tone={ROLE_TONES[r] ?? 'accent'}>
                  {r}
                </Badge>
              ))}
            </p>
          </Card>
        </>
      ) : null}
      {assignments.status === 'pending' ? (
        <LoadingState label="Loading role assignments…" />
      ) : assignments.status === 'error' ? (
        <Alert
          tone={forbidden ? 'warning' : 'danger'}
          icon={forbidden ? 'lock' : undefined}
          title={forbidden ? 'Admin only' : 'Could not list the role assignments'}
          data-testid="page-error"
          action={forbidden ? undefined : <Button onClick={() => void assignments.refetch()}>Try again</Button>}
        >
          {describeError(assignments.error, 'list role assignments')}
        </Alert>
      ) : rows.length === 0 ? (
        <EmptyState icon="role" title="No role assignments">
          Give a user a role on a project so that it can log in to it.
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <label className="search">
              <Icon name="search" />
              <input className="input" type="search" placeholder="Filter by user, role or project" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter role assignments" />
            </label>
            <span className="muted">
              {shown.length} of {rows.length}
            </span>
          </div>
          {shown.length > 0 ? (
            <DataTable label="Role assignments" columns={columns} rows={shown} rowKey={(r) => r.key} rowTestId="assignment-row" />
          ) : (
            <EmptyState icon="search" title="Nothing matches" action={<Button onClick={() => setFilter('')}>Clear the filter</Button>}>
              No assignment mentions “{filter}”.
            </EmptyState>
          )}
        </>
      )}
      {granting ? <GrantRoleDialog existing={rows} onClose={() => setGranting(false)} onGranted={(t) => toast(t)} /> : null}
      {revoking ? (
        <ConfirmDialog
          title="Remove this role?"
          confirmLabel="Remove role"
          describe={(e) => describeError(e, 'remove roles')}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await revoke.mutateAsync({ projectId: revoking.scope.id, userId: revoking.actor.id, roleId: revoking.role.id })
            toast(`Removed ${revoking.role.name} from ${revoking.actor.name} on ${revoking.scope.name}.`)
          }}
        >
          <p>
            <strong>{revoking.actor.name}</strong> loses the role <strong>{revoking.role.name}</strong> on project <strong>{revoking.scope.name}</strong>. Tokens
            it already holds for that project stop working.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
