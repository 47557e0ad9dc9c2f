import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, SelectField, TextField } from '../../../components/ui/field'
import { describeError } from '../../../lib/openstack/errors'
import type { User } from '../../../lib/openstack/identity'
import { useCreateUser, validateCreateUser, type CreateUserErrors, type CreateUserInput, type CreateUserResult } from '../api/create-user'
import { useProjectChoices, useRoleChoices } from '../api/get-users'

export function CreateUserDialog({ existing, onClose, onCreated }: { existing: readonly User[]; onClose: () => void; onCreated: (r: CreateUserResult) => void }) {
  const projects = useProjectChoices()
  const roles = useRoleChoices()
  const [input, setInput] = useState<CreateUserInput>({ name: '', password: '', confirm: '', email: '', projectId: '', roleId: '', enabled: true })
  const [errors, setErrors] = useState<CreateUserErrors>({})
  const create = useCreateUser()
  const set = <K extends keyof CreateUserInput>(k: K, v: CreateUserInput[K]) => {
    setInput((i) => {
      const next = { ...i, [k]: v }
      // Picking a project suggests the usual role; clearing it clears the role.
      if (k === 'projectId') next.roleId = v ? (i.roleId || (roles.data?.find((r) => r.name === 'member')?.id ?? '')) : ''
      return next
    })
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const submit = () => {
    const found = validateCreateUser(input, existing)
    setErrors(found)
    if (Object.values(found).some(Boolean)) return
    void create.mutateAsync(input).then(
      (r) => {
        onCreated(r)
        onClose()
      },
      () => undefined,
    )
  }
  return (
    <Dialog
      title="Create user"
      description="A user logs in with a name and password and works in the projects it has a role on."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-user-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-user-submit">
            Create user
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create users')}
        </Alert>
      ) : null}
      <TextField label="Name" autoFocus value={input.name} onChange={(e) => set('name', e.target.value)} error={errors.name} data-testid="new-user-name" />
      <div className="field-row">
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={input.password}
          onChange={(e) => set('password', e.target.value)}
          error={errors.password}
          data-testid="new-user-password"
        />
        <TextField
          label="Confirm password"
          type="password"
          autoComplete="new-password"
          value={input.confirm}
          onChange={(e) => set('confirm', e.target.value)}
          error={errors.confirm}
          data-testid="new-user-confirm"
        />
      </div>
      <TextField label="Email" optional type="email" value={input.email} onChange={(e) => set('email', e.target.value)} error={errors.email} />
      <div className="field-row">
        <SelectField
          label="Primary project"
          optional
          value={input.projectId}
          onChange={(e) => set('projectId', e.target.value)}
          error={errors.projectId}
          hint={projects.status === 'error' ? describeError(projects.error, 'list projects') : undefined}
          data-testid="new-user-project"
        >
          <option value="">{projects.status === 'pending' ? 'Loading…' : 'None'}</option>
          {projects.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Role on it"
          optional
          value={input.roleId}
          onChange={(e) => set('roleId', e.target.value)}
          disabled={!input.projectId}
          data-testid="new-user-role"
        >
          <option value="">No role</option>
          {roles.data?.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </SelectField>
      </div>
      <CheckboxField label="Enabled" hint="A disabled user cannot log in." checked={input.enabled} onChange={(e) => set('enabled', e.target.checked)} />
    </Dialog>
  )
}
