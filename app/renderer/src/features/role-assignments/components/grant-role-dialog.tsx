import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField } from '../../../components/ui/field'
import { describeError } from '../../../lib/openstack/errors'
import type { AssignmentRow } from '../api/get-role-assignments'
import { useAssignmentChoices } from '../api/get-role-assignments'
import { useGrantRole, validateGrantRole, type GrantRoleErrors, type GrantRoleInput } from '../api/grant-role'

export function GrantRoleDialog({ existing, onClose, onGranted }: { existing: readonly AssignmentRow[]; onClose: () => void; onGranted: (text: string) => void }) {
  const { projects, users, roles } = useAssignmentChoices()
  const [input, setInput] = useState<GrantRoleInput>({ projectId: '', userId: '', roleId: '' })
  const [errors, setErrors] = useState<GrantRoleErrors>({})
  const grant = useGrantRole()
  const set = (k: keyof GrantRoleInput, v: string) => {
    setInput((i) => ({ ...i, [k]: v }))
    setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const loadError = [projects, users, roles].find((q) => q.status === 'error')?.error
  const submit = () => {
    const found = validateGrantRole(input, existing)
    setErrors(found)
    if (Object.values(found).some(Boolean)) return
    const text = `Gave ${roles.data?.find((r) => r.id === input.roleId)?.name ?? 'the role'} to ${users.data?.find((u) => u.id === input.userId)?.name ?? 'the user'} on ${projects.data?.find((p) => p.id === input.projectId)?.name ?? 'the project'}.`
    void grant.mutateAsync(input).then(
      () => {
        onGranted(text)
        onClose()
      },
      () => undefined,
    )
  }
  const placeholder = (q: { status: string }, what: string) => (q.status === 'pending' ? 'Loading…' : `Choose a ${what}`)
  return (
    <Dialog
      title="Give a role"
      description="A role assignment lets a user work in a project: reader can look, member can create and change resources, admin can do anything."
      onClose={onClose}
      busy={grant.isPending}
      onSubmit={submit}
      data-testid="grant-role-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={grant.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={grant.isPending} data-testid="grant-role-submit">
            Give role
          </Button>
        </>
      }
    >
      {grant.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(grant.error, 'give roles')}
        </Alert>
      ) : loadError ? (
        <Alert tone="danger">{describeError(loadError, 'list users, projects and roles')}</Alert>
      ) : null}
      <SelectField label="User" value={input.userId} onChange={(e) => set('userId', e.target.value)} error={errors.userId} data-testid="grant-user">
        <option value="">{placeholder(users, 'user')}</option>
        {users.data?.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Project" value={input.projectId} onChange={(e) => set('projectId', e.target.value)} error={errors.projectId} data-testid="grant-project">
        <option value="">{placeholder(projects, 'project')}</option>
        {projects.data?.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Role" value={input.roleId} onChange={(e) => set('roleId', e.target.value)} error={errors.roleId} data-testid="grant-role">
        <option value="">{placeholder(roles, 'role')}</option>
        {roles.data?.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </SelectField>
    </Dialog>
  )
}
