import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, TextField } from '../../../components/ui/field'
import { describeError } from '../../../lib/openstack/errors'
import type { Project } from '../../../lib/openstack/identity'
import { useCreateProject, validateCreateProject, type CreateProjectErrors, type CreateProjectInput } from '../api/create-project'

export function CreateProjectDialog({ existing, onClose, onCreated }: { existing: readonly Project[]; onClose: () => void; onCreated: (p: Project) => void }) {
  const [input, setInput] = useState<CreateProjectInput>({ name: '', description: '', enabled: true })
  const [errors, setErrors] = useState<CreateProjectErrors>({})
  const create = useCreateProject()
  const set = <K extends keyof CreateProjectInput>(k: K, v: CreateProjectInput[K]) => {
    setInput((i) => ({ ...i, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const submit = () => {
    const found = validateCreateProject(input, existing)
    setErrors(found)
    if (Object.values(found).some(Boolean)) return
    void create.mutateAsync(input).then(
      (p) => {
        onCreated(p)
        onClose()
      },
      () => undefined,
    )
  }
  return (
    <Dialog
      title="Create project"
      description="A project (tenant) owns instances, volumes, networks and images. Users work in a project through the roles they have on it."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="create-project-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="create-project-submit">
            Create project
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'create projects')}
        </Alert>
      ) : null}
      <TextField
        label="Name"
        autoFocus
        value={input.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        hint="Unique in domain Default, at most 64 characters."
        maxLength={200}
        data-testid="project-name"
      />
      <TextField
        label="Description"
        optional
        value={input.description}
        onChange={(e) => set('description', e.target.value)}
        error={errors.description}
        data-testid="project-description"
      />
      <CheckboxField
        label="Enabled"
        hint="Users can log in to an enabled project only."
        checked={input.enabled}
        onChange={(e) => set('enabled', e.target.checked)}
      />
    </Dialog>
  )
}
