import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge, EnabledBadge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, IdText, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError, OpenStackError } from '../../../lib/openstack/errors'
import type { User } from '../../../lib/openstack/identity'
import { useDeleteUser } from '../api/delete-user'
import { useProjectChoices, useUsers } from '../api/get-users'
import { CreateUserDialog } from './create-user-dialog'

export function UsersPage() {
  const session = useSession()
  const isAdmin = session.isAdmin
  const users = useUsers()
  // Members may not list projects: do not ask (the refusal would only add noise).
  const projects = useProjectChoices({ enabled: isAdmin })
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState<User | null>(null)
  const remove = useDeleteUser()
  const toast = useToast()
  const projectName = (id?: string | null) => (id ? (projects.data?.find((p) => p.id === id)?.name ?? id) : undefined)

  const columns: Column<User>[] = [
    {
      key: 'name',
      header: 'Name',
      render: (u) => (
        <span className="cell-name">
          <strong>{u.name}</strong>
          {u.id === session.user.id ? <Badge tone="accent">you</Badge> : null}
        </span>
      ),
    },
    { key: 'email', header: 'Email', render: (u) => u.email || <span className="muted">—</span> },
    { key: 'project', header: 'Primary project', render: (u) => projectName(u.default_project_id) ?? <span className="muted">—</span>, className: 'col-grow' },
    { key: 'id', header: 'ID', render: (u) => <IdText id={u.id} /> },
    { key: 'status', header: 'Status', render: (u) => <EnabledBadge enabled={u.enabled} /> },
  ]
  if (isAdmin) {
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (u) => (
        <Button
          size="sm"
          variant="ghost"
          icon="trash"
          className="btn-danger-ghost"
          disabled={u.id === session.user.id}
          title={u.id === session.user.id ? 'You cannot delete the user you are logged in as' : `Delete ${u.name}`}
          onClick={() => setDeleting(u)}
          data-testid="delete-user"
        >
          Delete
        </Button>
      ),
    })
  }

  const forbidden = users.error instanceof OpenStackError && users.error.status === 403

  return (
    <div className="page" data-testid="users-page">
      <PageHeader
        title="Users"
        description="Accounts that can log in to this cloud. What a user may do depends on its roles in each project."
        api="GET /identity/v3/users"
        actions={
          isAdmin ? (
            <>
              <Button icon="refresh" onClick={() => void users.refetch()} aria-label="Refresh" loading={users.isFetching && users.status === 'success'} />
              <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-user">
                Create user
              </Button>
            </>
          ) : undefined
        }
      />
      {!isAdmin && !forbidden ? (
        <Alert tone="warning" title="Read only" data-testid="not-admin-notice">
          Creating and deleting users needs the admin role. You are logged in as <strong>{session.user.name}</strong>.
        </Alert>
      ) : null}
      {users.status === 'pending' ? (
        <LoadingState label="Loading users…" />
      ) : users.status === 'error' ? (
        <Alert
          tone={forbidden ? 'warning' : 'danger'}
          icon={forbidden ? 'lock' : undefined}
          title={forbidden ? 'Admin only' : 'Could not list the users'}
          data-testid="page-error"
          action={forbidden ? undefined : <Button onClick={() => void users.refetch()}>Try again</Button>}
        >
          {describeError(users.error, 'list users')}
        </Alert>
      ) : users.data && users.data.length > 0 ? (
        <DataTable label="Users" columns={columns} rows={users.data} rowKey={(u) => u.id} rowTestId="user-row" rowProps={(u) => ({ 'data-name': u.name })} />
      ) : (
        <EmptyState icon="user" title="No users">
          Create a user so that someone can log in.
        </EmptyState>
      )}
      {creating ? (
        <CreateUserDialog
          existing={users.data ?? []}
          onClose={() => setCreating(false)}
          onCreated={(r) => {
            if (r.roleError) toast(`User ${r.user.name} created, but the role was not given: ${describeError(r.roleError, 'give roles')}`, 'danger')
            else toast(`User ${r.user.name} created.`)
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete user ${deleting.name}?`}
          confirmLabel="Delete user"
          describe={(e) => describeError(e, 'delete users')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.id)
            toast(`User ${deleting.name} deleted.`)
          }}
        >
          <p>
            <strong>{deleting.name}</strong> will no longer be able to log in, and its tokens and role assignments are removed. Resources it created
            stay in their projects. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
