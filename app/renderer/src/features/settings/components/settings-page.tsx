import { useEffect, useState, type FormEvent } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { SelectField, TextField } from '../../../components/ui/field'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { useToast } from '../../../components/ui/toast'
import { desktopBridge } from '../../../lib/desktop'
import { describeError } from '../../../lib/openstack/errors'
import { fieldOfError, useSettings, useUpdateSettings, type SettingKey, type SettingsView } from '../api/settings'
import { formOf as toForm, patchOf, type SettingsForm as Form } from '../utils/settings-form'
import './settings.css'

/**
 * Settings (admin): stored in settings.json in the data folder. The environment (STACKLING_*) wins over them; each
 * field says where its value comes from and whether a change applies now or at the next start.
 */
export function SettingsPage() {
  const settings = useSettings()
  return (
    <div className="page" data-testid="settings-page">
      <PageHeader
        title="Settings"
        description="How this cloud runs on your computer. Stored in settings.json in the data folder; STACKLING_* environment variables win over them."
        api="GET /stackling/v1/settings"
      />
      {settings.status === 'pending' ? (
        <LoadingState label="Loading the settings…" />
      ) : settings.status === 'error' ? (
        <Alert tone="danger" title="The settings could not be loaded">
          {describeError(settings.error, 'read the settings')}
        </Alert>
      ) : settings.data ? (
        <>
          <SettingsForm view={settings.data} />
          <DataFolder view={settings.data} />
        </>
      ) : null}
    </div>
  )
}

function SettingsForm({ view }: { view: SettingsView }) {
  const [saved, setSaved] = useState<Form>(() => toForm(view))
  const [form, setForm] = useState<Form>(saved)
  const [fieldError, setFieldError] = useState<{ key?: SettingKey; message: string } | undefined>()
  const update = useUpdateSettings()
  const toast = useToast()
  useEffect(() => {
    const next = toForm(view)
    setSaved(next)
    setForm(next)
  }, [view])

  const set = (k: SettingKey) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [k]: e.target.value }))
    if (fieldError?.key === k) setFieldError(undefined)
  }
  const patch = patchOf(saved, form)
  const dirty = Object.keys(patch).length > 0

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setFieldError(undefined)
    try {
      const result = await update.mutateAsync(patch)
      const later = (Object.keys(patch) as SettingKey[]).filter((k) => result.settings[k].applies === 'next-start')
      toast(later.length ? `Settings saved. ${later.map((k) => view.meta[k].label).join(', ')}: at the next start.` : 'Settings saved and applied.', 'success')
    } catch (err) {
      const message = describeError(err, 'save the settings')
      setFieldError({ key: fieldOfError(err instanceof Error ? err.message : ''), message })
    }
  }

  const field = (k: SettingKey) => {
    const s = view.settings[k]
    const fromEnv = s.source === 'env'
    const hint = (
      <>
        {view.meta[k].help}{' '}
        <Badge tone={s.applies === 'live' ? 'success' : 'info'} data-testid={`applies-${k}`}>
          {s.applies === 'live' ? 'applies now' : 'next start'}
        </Badge>
        {fromEnv ? (
          <span data-testid={`env-${k}`}>
            {' '}
            In effect: <code>{String(s.value)}</code> from <code>{s.env}</code>, which wins over this setting.
          </span>
        ) : null}
      </>
    )
    return { hint, error: fieldError?.key === k ? fieldError.message : undefined, name: k, 'data-testid': `setting-${k}` }
  }

  return (
    <Card title="Cloud">
      <form onSubmit={(e) => void onSubmit(e)} className="settings-form" noValidate>
        <SelectField label={view.meta.accelerator.label} value={form.accelerator} onChange={set('accelerator')} {...field('accelerator')}>
          <option value="auto">auto (probe; TCG if no hardware acceleration works)</option>
          <option value="kvm">kvm (Linux)</option>
          <option value="hvf">hvf (macOS)</option>
          <option value="whpx">whpx (Windows)</option>
          <option value="tcg">tcg (emulation, always works)</option>
        </SelectField>
        <SelectField label={view.meta.onQuit.label} value={form.onQuit} onChange={set('onQuit')} {...field('onQuit')}>
          <option value="stop">Stop running instances gracefully</option>
          <option value="keep">Keep them running (the next start re-adopts them)</option>
        </SelectField>
        <SelectField label={view.meta.imageStore.label} value={form.imageStore} onChange={set('imageStore')} {...field('imageStore')}>
          <option value="file">Files in the data folder</option>
          <option value="object-store">The object store (Swift), with a local copy for booting</option>
        </SelectField>
        <TextField label={view.meta.port.label} inputMode="numeric" placeholder={String(view.settings.port.default)} value={form.port} onChange={set('port')} optional {...field('port')} />
        <TextField label={view.meta.vmMemoryCapMb.label} inputMode="numeric" placeholder="no cap" value={form.vmMemoryCapMb} onChange={set('vmMemoryCapMb')} optional {...field('vmMemoryCapMb')} />
        <TextField label={view.meta.vmDiskCapGb.label} inputMode="numeric" placeholder="no cap" value={form.vmDiskCapGb} onChange={set('vmDiskCapGb')} optional {...field('vmDiskCapGb')} />
        {fieldError && !fieldError.key ? <Alert tone="danger">{fieldError.message}</Alert> : null}
        <div className="settings-actions">
          <Button type="button" variant="ghost" disabled={!dirty || update.isPending} onClick={() => setForm(saved)}>
            Discard changes
          </Button>
          <Button type="submit" variant="primary" disabled={!dirty} loading={update.isPending} data-testid="settings-save">
            Save
          </Button>
        </div>
      </form>
    </Card>
  )
}

function DataFolder({ view }: { view: SettingsView }) {
  const bridge = desktopBridge()
  const toast = useToast()
  return (
    <Card title="Data folder" data-testid="settings-data-dir">
      <p>
        <code data-testid="data-dir-path">{view.data_dir}</code> <CopyButton text={view.data_dir} label="Copy path" />
      </p>
      <p className="muted">
        Everything the cloud stores: the database, images, instance disks, clouds.yaml, logs and settings.json. To use another folder, start
        Stackling with <code>--data-dir DIR</code> (or <code>STACKLING_DATA_DIR</code>); the folder cannot move while the cloud runs.
      </p>
      {bridge?.showDataFolder ? (
        <Button icon="project" onClick={() => void bridge.showDataFolder!().catch((err: unknown) => toast(describeError(err), 'danger'))} data-testid="open-data-folder">
          Open folder
        </Button>
      ) : null}
    </Card>
  )
}
