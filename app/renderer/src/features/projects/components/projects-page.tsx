import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { EnabledBadge, Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, IdText, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import type { Project } from '../../../lib/openstack/identity'
import { useDeleteProject } from '../api/delete-project'
import { useMyProjects, useProjects } from '../api/get-projects'
import { CreateProjectDialog } from './create-project-dialog'

export function ProjectsPage() {
  const session = useSession()
  return session.isAdmin ? <AdminProjects currentProjectId={session.project?.id} /> : <MyProjects userName={session.user.name} />
}

function AdminProjects({ currentProjectId }: { currentProjectId?: string }) {
  const projects = useProjects()
  const [creating, setCreating] = useState(false)
  const [deleting, setDeleting] = useState<Project | null>(null)
  const remove = useDeleteProject()
  const toast = useToast()

  const columns: Column<Project>[] = [
    {
      key: 'name',
      header: 'Name',
      render: (p) => (
        <span className="cell-name">
          <strong data-testid="project-name-cell">{p.name}</strong>
          {p.id === currentProjectId ? (
            <Badge tone="accent" title="Your token is scoped to this project">
              current
            </Badge>
          ) : null}
        </span>
      ),
    },
    { key: 'description', header: 'Description', render: (p) => p.description || <span className="muted">—</span>, className: 'col-grow' },
    { key: 'id', header: 'ID', render: (p) => <IdText id={p.id} /> },
    { key: 'domain', header: 'Domain', render: (p) => <span className="muted">{p.domain_id}</span> },
    { key: 'status', header: 'Status', render: (p) => <EnabledBadge enabled={p.enabled} /> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (p) => (
        <Button
          size="sm"
          variant="ghost"
          icon="trash"
          className="btn-danger-ghost"
          onClick={() => setDeleting(p)}
          disabled={p.id === currentProjectId}
          title={p.id === currentProjectId ? 'You are logged in to this project: log in to another one to delete it' : `Delete ${p.name}`}
          data-testid="delete-project"
        >
          Delete
        </Button>
      ),
    },
  ]

  return (
    <div className="page" data-testid="projects-page">
      <PageHeader
        title="Projects"
        description="Projects (tenants) group and isolate resources. Users get access to a project through a role on it."
        api="GET /identity/v3/projects"
        actions={
          <>
            <Button icon="refresh" onClick={() => void projects.refetch()} loading={projects.isFetching && projects.status === 'success'} aria-label="Refresh" />
            <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="create-project">
              Create project
            </Button>
          </>
        }
      />
      {projects.status === 'pending' ? (
        <LoadingState label="Loading projects…" />
      ) : projects.status === 'error' ? (
        <Alert tone="danger" title="Could not list the projects" data-testid="page-error" action={<Button onClick={() => void projects.refetch()}>Try again</Button>}>
          {describeError(projects.error, 'list projects')}
        </Alert>
      ) : projects.data && projects.data.length > 0 ? (
        <DataTable label="Projects" columns={columns} rows={projects.data} rowKey={(p) => p.id} rowTestId="project-row" rowProps={(p) => ({ 'data-name': p.name })} />
      ) : (
        <EmptyState icon="project" title="No projects yet" action={<Button variant="primary" icon="plus" onClick={() => setCreating(true)}>Create project</Button>}>
          Create a project to give users a place to work.
        </EmptyState>
      )}
      {creating ? (
        <CreateProjectDialog existing={projects.data ?? []} onClose={() => setCreating(false)} onCreated={(p) => toast(`Project ${p.name} created.`)} />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete project ${deleting.name}?`}
          confirmLabel="Delete project"
          describe={(e) => describeError(e, 'delete projects')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await remove.mutateAsync(deleting.id)
            toast(`Project ${deleting.name} deleted.`)
          }}
        >
          <p>
            The project <strong>{deleting.name}</strong> and every role assignment on it will be deleted. Users lose access to it at once. This
            cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}

/** Members cannot list every project (Keystone policy); they see the ones they belong to. */
function MyProjects({ userName }: { userName: string }) {
  const projects = useMyProjects()
  const columns: Column<Project>[] = [
    { key: 'name', header: 'Name', render: (p) => <strong data-testid="project-name-cell">{p.name}</strong> },
    { key: 'description', header: 'Description', render: (p) => p.description || <span className="muted">—</span>, className: 'col-grow' },
    { key: 'id', header: 'ID', render: (p) => <IdText id={p.id} /> },
    { key: 'status', header: 'Status', render: (p) => <EnabledBadge enabled={p.enabled} /> },
  ]
  return (
    <div className="page" data-testid="projects-page">
      <PageHeader title="Projects" description={`The projects ${userName} has a role on.`} api="GET /identity/v3/auth/projects" />
      <Alert tone="warning" title="Read only" data-testid="not-admin-notice">
        Creating and deleting projects needs the admin role. Log in as an administrator to manage projects.
      </Alert>
      {projects.status === 'pending' ? (
        <LoadingState label="Loading your projects…" />
      ) : projects.status === 'error' ? (
        <Alert tone="danger" title="Could not list your projects" data-testid="page-error">
          {describeError(projects.error, 'list projects')}
        </Alert>
      ) : projects.data && projects.data.length > 0 ? (
        <DataTable label="Your projects" columns={columns} rows={projects.data} rowKey={(p) => p.id} rowTestId="project-row" rowProps={(p) => ({ 'data-name': p.name })} />
      ) : (
        <EmptyState icon="project" title="You have no projects">
          Ask an administrator to give you a role on a project.
        </EmptyState>
      )}
    </div>
  )
}
