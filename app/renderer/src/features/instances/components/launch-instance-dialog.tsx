import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { CheckboxField, SelectField, TextField } from '../../../components/ui/field'
import { Icon } from '../../../components/ui/icons'
import { SecretDownload } from '../../../components/ui/secret-download'
import { LoadingState } from '../../../components/ui/spinner'
import { UsageBar } from '../../../components/ui/usage-bar'
import { formatBytes } from '../../../lib/format'
import { notifier } from '../../../lib/notifications'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import { useClient, useSession } from '../../../lib/openstack/client-provider'
import { KEYPAIR_NAME_MAX, KEYPAIR_NAME_PATTERN, type CreatedServer, type Flavor, type Keypair, type KeyType } from '../../../lib/openstack/compute'
import type { Image } from '../../../lib/openstack/image'
import type { Network, SecurityGroup, Subnet } from '../../../lib/openstack/network'
import { useCreateKeypair } from '../api/create-keypair'
import { useCreateServer } from '../api/create-server'
import { useFlavors } from '../api/get-flavors'
import { useHypervisors } from '../api/get-hypervisors'
import { useImages } from '../api/get-images'
import { useKeypairs } from '../api/get-keypairs'
import { useLaunchNetworks } from '../api/get-launch-networks'
import { useLimits } from '../api/get-limits'
import { describeComputeError } from '../utils/compute-errors'
import { ephemeralOf, flavorFit, formatRamMb, maxCount, type FlavorFit, type Gauge } from '../utils/flavor-fit'
import {
  bootVolumeMinimum,
  buildCreateServerBody,
  defaultNetworkIds,
  emptyLaunchForm,
  FIELD_STEP,
  firstStepWithError,
  hasErrors,
  LAUNCH_STEPS,
  launchableGroups,
  launchableImages,
  launchableNetworks,
  launchedNames,
  validateLaunchForm,
  withNetworkNames,
  type LaunchErrors,
  type LaunchForm,
  type LaunchStep,
} from '../utils/launch-form'
import { checkUserData } from '../utils/user-data'

/**
 * Launch instance: a wizard in one dialog (Details, Source, Flavor, Networks, Key pair, Configuration, Review), as
 * Horizon's. Everything is checked before POST /servers: the image can boot, the flavor holds the image and fits the
 * project's quota (and, for admins, the host), at least one network and security group, the user data is small
 * enough once base64-encoded.
 */
export function LaunchInstanceDialog({
  initialImageId,
  onClose,
  onLaunched,
}: {
  initialImageId?: string
  onClose: () => void
  onLaunched: (server: CreatedServer, names: string[]) => void
}) {
  const session = useSession()
  const images = useImages()
  const flavors = useFlavors()
  const keypairs = useKeypairs()
  const limits = useLimits()
  const hypervisors = useHypervisors(session.isAdmin)
  const net = useLaunchNetworks()
  const create = useCreateServer()
  const [form, setForm] = useState<LaunchForm>(() => emptyLaunchForm(initialImageId ?? ''))
  const projectId = session.project?.id
  const offeredNetworks = useMemo(() => (net.networks.data ? launchableNetworks(net.networks.data, projectId, session.isAdmin) : undefined), [net.networks.data, projectId, session.isAdmin])
  const offeredGroups = useMemo(() => (net.groups.data ? launchableGroups(net.groups.data, projectId) : undefined), [net.groups.data, projectId])
  // The defaults (the project's private network, the default group) arrive with the lists, once.
  const defaulted = useRef({ networks: false, groups: false })
  useEffect(() => {
    if (offeredNetworks && !defaulted.current.networks) {
      defaulted.current.networks = true
      setForm((f) => (f.networkIds.length ? f : { ...f, networkIds: defaultNetworkIds(offeredNetworks, projectId) }))
    }
    if (offeredGroups && !defaulted.current.groups) {
      defaulted.current.groups = true
      setForm((f) => (f.securityGroups.length || !offeredGroups.some((g) => g.name === 'default') ? f : { ...f, securityGroups: ['default'] }))
    }
  }, [offeredNetworks, offeredGroups, projectId])
  const [step, setStep] = useState<LaunchStep>('details')
  /** Steps the person has tried to leave or submit: their errors are shown. */
  const [checked, setChecked] = useState<Set<LaunchStep>>(new Set())

  const ctx = useMemo(
    () => ({
      images: images.data ?? [],
      flavors: flavors.data ?? [],
      keypairNames: (keypairs.data ?? []).map((k) => k.name),
      limits: limits.data,
      hypervisor: hypervisors.data?.[0],
      networks: offeredNetworks,
      securityGroupNames: offeredGroups?.map((g) => g.name),
    }),
    [images.data, flavors.data, keypairs.data, limits.data, hypervisors.data, offeredNetworks, offeredGroups],
  )
  const errors = validateLaunchForm(form, ctx)
  const shown: LaunchErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => checked.has(FIELD_STEP[k as keyof LaunchForm])))
  const set = <K extends keyof LaunchForm>(k: K, v: LaunchForm[K]) => setForm((f) => ({ ...f, [k]: v }))
  const stepIndex = LAUNCH_STEPS.findIndex((s) => s.id === step)
  const stepHasError = (s: LaunchStep) => (Object.keys(errors) as (keyof LaunchForm)[]).some((k) => errors[k] && FIELD_STEP[k] === s)

  const go = (to: LaunchStep) => {
    setChecked((c) => new Set(c).add(step))
    setStep(to)
  }
  const launch = () => {
    setChecked(new Set(LAUNCH_STEPS.map((s) => s.id)))
    if (hasErrors(errors)) {
      setStep(firstStepWithError(errors) ?? step)
      return
    }
    // Still inside the click: the one moment a browser lets the page ask to notify when the build ends.
    notifier.askPermission()
    void create.mutateAsync({ body: buildCreateServerBody(form), cli: cliFor(buildCreateServerBody(form)) }).then(
      (server) => onLaunched(server, launchedNames(form)),
      () => undefined,
    )
  }

  const image = ctx.images.find((i) => i.id === form.imageId)
  const flavor = ctx.flavors.find((f) => f.id === form.flavorId)
  const count = Math.max(1, Number(form.count) || 1)
  /** The command with network names for IDs: the wizard's preview and the API drawer show the same. */
  function cliFor(body: ReturnType<typeof buildCreateServerBody>) {
    return cliEquivalent({ service: 'compute', method: 'POST', path: '/servers', body: withNetworkNames(body, offeredNetworks ?? []) })
  }
  const cli = form.name.trim() && form.imageId && form.flavorId ? cliFor(buildCreateServerBody(form)) : null

  return (
    <Dialog
      title="Launch instance"
      description="A virtual machine booted from an image, sized by a flavor. Nova copies the image onto its disk and starts it."
      size="lg"
      onClose={onClose}
      busy={create.isPending}
      onSubmit={() => (stepIndex < LAUNCH_STEPS.length - 1 ? go(LAUNCH_STEPS[stepIndex + 1]!.id) : launch())}
      data-testid="launch-dialog"
      footer={
        <>
          <span className="dialog-footer-note muted small">
            Step {stepIndex + 1} of {LAUNCH_STEPS.length}
          </span>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button icon="arrowLeft" onClick={() => go(LAUNCH_STEPS[stepIndex - 1]!.id)} disabled={stepIndex === 0 || create.isPending} data-testid="launch-back">
            Back
          </Button>
          {stepIndex < LAUNCH_STEPS.length - 1 ? (
            <Button type="submit" disabled={create.isPending} data-testid="launch-next">
              Next
            </Button>
          ) : null}
          <Button variant="primary" icon="rocket" loading={create.isPending} onClick={launch} data-testid="launch-submit">
            Launch instance
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" title="Nova refused to launch the instance" data-testid="dialog-error">
          {describeComputeError(create.error, 'launch instances')}
        </Alert>
      ) : null}
      <div className="wizard">
        <ol className="wizard-steps" aria-label="Steps">
          {LAUNCH_STEPS.map((s, i) => {
            const bad = checked.has(s.id) && stepHasError(s.id)
            return (
              <li key={s.id}>
                <button
                  type="button"
                  className={['wizard-step', s.id === step && 'wizard-step-current', bad && 'wizard-step-invalid'].filter(Boolean).join(' ')}
                  aria-current={s.id === step ? 'step' : undefined}
                  onClick={() => go(s.id)}
                  data-testid={`launch-step-${s.id}`}
                  data-invalid={bad || undefined}
                >
                  <span className="wizard-step-number" aria-hidden="true">
                    {bad ? '!' : i + 1}
                  </span>
                  <span>{s.label}</span>
                  {s.required ? <span className="wizard-required" title="Required" aria-label="required">*</span> : null}
                </button>
              </li>
            )
          })}
        </ol>
        <div className="wizard-body" data-testid={`launch-panel-${step}`}>
          {step === 'details' ? (
            <DetailsStep form={form} errors={shown} set={set} flavor={flavor} limitsLeft={maxCount(flavor, ctx.limits)} />
          ) : step === 'source' ? (
            <>
              <SourceStep query={images} selected={form.imageId} error={shown.imageId} onSelect={(id) => set('imageId', id)} />
              <BootVolumeOptions form={form} image={image} error={shown.volumeSize} set={set} />
            </>
          ) : step === 'flavor' ? (
            <FlavorStep
              query={flavors}
              selected={form.flavorId}
              error={shown.flavorId}
              onSelect={(id) => set('flavorId', id)}
              image={image}
              count={count}
              ctx={ctx}
              isAdmin={session.isAdmin}
              limitsError={limits.error}
            />
          ) : step === 'networks' ? (
            <NetworksStep
              enabled={net.enabled}
              networks={net.networks}
              offered={offeredNetworks}
              subnets={net.subnets.data ?? []}
              groups={offeredGroups}
              groupsQuery={net.groups}
              form={form}
              errors={shown}
              projectId={projectId}
              isAdmin={session.isAdmin}
              set={set}
            />
          ) : step === 'keypair' ? (
            <KeypairStep query={keypairs} selected={form.keyName} error={shown.keyName} onSelect={(n) => set('keyName', n)} />
          ) : step === 'configuration' ? (
            <ConfigurationStep value={form.userData} error={shown.userData} onChange={(v) => set('userData', v)} />
          ) : (
            <ReviewStep form={form} errors={errors} image={image} flavor={flavor} networks={offeredNetworks ?? []} subnets={net.subnets.data ?? []} onGo={go} />
          )}
        </div>
      </div>
      {cli ? (
        <div className="launch-cli" data-testid="launch-cli">
          <span className="muted small">The same from a terminal:</span>
          <span className="cli-line">
            <code>{`$ ${cli}`}</code>
            <CopyButton text={cli} label="Copy the command" />
          </span>
        </div>
      ) : null}
    </Dialog>
  )
}

type Query<T> = { status: 'pending' | 'success' | 'error'; data?: T; error?: unknown; refetch: () => Promise<void> }

function Loading<T>({ query, what, children }: { query: Query<T>; what: string; children: (data: T) => ReactNode }) {
  if (query.status === 'pending') return <LoadingState label={`Loading ${what}…`} />
  if (query.status === 'error' || query.data === undefined) {
    return (
      <Alert tone="danger" title={`Could not list ${what}`} action={<Button onClick={() => void query.refetch()}>Try again</Button>}>
        {describeComputeError(query.error, `list ${what}`)}
      </Alert>
    )
  }
  return <>{children(query.data)}</>
}

function DetailsStep({
  form,
  errors,
  set,
  flavor,
  limitsLeft,
}: {
  form: LaunchForm
  errors: LaunchErrors
  set: <K extends keyof LaunchForm>(k: K, v: LaunchForm[K]) => void
  flavor?: Flavor
  limitsLeft: number
}) {
  const names = launchedNames(form)
  return (
    <>
      <TextField
        label="Instance name"
        autoFocus
        value={form.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        hint="Also the guest's hostname (lower-cased, other characters become -)."
        data-testid="launch-name"
        maxLength={255}
      />
      <TextField
        label="Count"
        type="number"
        min={1}
        step={1}
        value={form.count}
        onChange={(e) => set('count', e.target.value)}
        error={errors.count}
        hint={
          Number(form.count) > 1 && form.name.trim()
            ? `Nova names them ${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''}.`
            : Number.isFinite(limitsLeft)
              ? `The project's quota allows ${limitsLeft} more${flavor ? ` of ${flavor.name}` : ' instances'}.`
              : 'How many identical instances to launch.'
        }
        data-testid="launch-count"
      />
    </>
  )
}

function SourceStep({ query, selected, error, onSelect }: { query: Query<Image[]>; selected: string; error?: string; onSelect: (id: string) => void }) {
  return (
    <Loading query={query} what="images">
      {(all) => {
        const images = launchableImages(all)
        return (
          <fieldset className="choice-fieldset">
            <legend className="field-label">Image to boot from</legend>
            {error ? (
              <div className="field-error" data-testid="field-error">
                {error}
              </div>
            ) : null}
            {images.length === 0 ? (
              <Alert tone="warning" title="No active image">
                Upload an image in Compute → Images first (a small qcow2 such as CirrOS boots fast).
              </Alert>
            ) : (
              <div className="choice-table-wrap">
                <table className="table choice-table" aria-label="Images">
                  <thead>
                    <tr>
                      <th scope="col" className="col-choice">
                        <span className="visually-hidden">Chosen</span>
                      </th>
                      <th scope="col">Name</th>
                      <th scope="col">Format</th>
                      <th scope="col" className="col-num">
                        Size
                      </th>
                      <th scope="col" className="col-num">
                        Min disk / RAM
                      </th>
                      <th scope="col">Visibility</th>
                    </tr>
                  </thead>
                  <tbody>
                    {images.map((i) => (
                      <tr
                        key={i.id}
                        className={i.id === selected ? 'choice-selected' : undefined}
                        onClick={() => onSelect(i.id)}
                        data-testid="launch-image-row"
                        data-name={i.name ?? ''}
                        data-id={i.id}
                      >
                        <td className="col-choice">
                          <input type="radio" name="launch-image" id={`launch-image-${i.id}`} checked={i.id === selected} onChange={() => onSelect(i.id)} aria-label={i.name ?? i.id} />
                        </td>
                        <td>
                          <label htmlFor={`launch-image-${i.id}`} className="choice-name">
                            {i.name || i.id}
                          </label>
                        </td>
                        <td>{i.disk_format ? <code className="format">{i.disk_format}</code> : '—'}</td>
                        <td className="col-num">{formatBytes(i.size)}</td>
                        <td className="col-num muted">
                          {i.min_disk ? `${i.min_disk} GB` : '—'} / {i.min_ram ? `${i.min_ram} MB` : '—'}
                        </td>
                        <td className="muted">{i.visibility}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </fieldset>
        )
      }}
    </Loading>
  )
}

function fitBadge(fit: FlavorFit) {
  if (fit.ok) {
    return (
      <Badge tone="success" dot>
        Fits
      </Badge>
    )
  }
  const first = fit.problems[0]!
  const text = first.kind === 'image' ? 'Too small for image' : first.kind === 'quota' ? 'Over quota' : first.resource === 'host' ? 'Hypervisor down' : 'Host too full'
  return (
    <Badge tone={first.kind === 'host' ? 'warning' : 'danger'} title={fit.problems.map((p) => p.message).join('\n')}>
      {text}
    </Badge>
  )
}

function FlavorStep({
  query,
  selected,
  error,
  onSelect,
  image,
  count,
  ctx,
  isAdmin,
  limitsError,
}: {
  query: Query<Flavor[]>
  selected: string
  error?: string
  onSelect: (id: string) => void
  image?: Image
  count: number
  ctx: { limits?: Parameters<typeof flavorFit>[1]['limits']; hypervisor?: Parameters<typeof flavorFit>[1]['hypervisor'] }
  isAdmin: boolean
  limitsError: unknown
}) {
  return (
    <Loading query={query} what="flavors">
      {(flavors) => {
        const sorted = [...flavors].sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram || a.disk - b.disk || a.name.localeCompare(b.name))
        const chosen = sorted.find((f) => f.id === selected)
        const fit = chosen ? flavorFit(chosen, { count, image, limits: ctx.limits, hypervisor: ctx.hypervisor }) : undefined
        return (
          <fieldset className="choice-fieldset">
            <legend className="field-label">Flavor: the instance's vCPUs, RAM and disk</legend>
            {!image ? <p className="field-hint">Choose the image first to see which flavors can hold it.</p> : null}
            {error ? (
              <div className="field-error" data-testid="field-error">
                {error}
              </div>
            ) : null}
            <div className="choice-table-wrap">
              <table className="table choice-table" aria-label="Flavors">
                <thead>
                  <tr>
                    <th scope="col" className="col-choice">
                      <span className="visually-hidden">Chosen</span>
                    </th>
                    <th scope="col">Name</th>
                    <th scope="col" className="col-num">
                      vCPUs
                    </th>
                    <th scope="col" className="col-num">
                      RAM
                    </th>
                    <th scope="col" className="col-num">
                      Root disk
                    </th>
                    <th scope="col" className="col-num">
                      Ephemeral
                    </th>
                    <th scope="col" title={isAdmin ? 'Against the image, the quota and the host' : 'Against the image and the quota'}>
                      Fit
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((f) => {
                    const rowFit = flavorFit(f, { count, image, limits: ctx.limits, hypervisor: ctx.hypervisor })
                    return (
                      <tr
                        key={f.id}
                        className={f.id === selected ? 'choice-selected' : undefined}
                        onClick={() => onSelect(f.id)}
                        data-testid="launch-flavor-row"
                        data-name={f.name}
                        data-id={f.id}
                        data-fits={rowFit.ok ? 'yes' : 'no'}
                      >
                        <td className="col-choice">
                          <input type="radio" name="launch-flavor" id={`launch-flavor-${f.id}`} checked={f.id === selected} onChange={() => onSelect(f.id)} aria-label={f.name} />
                        </td>
                        <td>
                          <label htmlFor={`launch-flavor-${f.id}`} className="choice-name">
                            {f.name}
                          </label>
                          {f['os-flavor-access:is_public'] === false ? <Badge tone="accent">private</Badge> : null}
                        </td>
                        <td className="col-num">{f.vcpus}</td>
                        <td className="col-num">{formatRamMb(f.ram)}</td>
                        <td className="col-num">{f.disk ? `${f.disk} GB` : 'image size'}</td>
                        <td className="col-num">{ephemeralOf(f) ? `${ephemeralOf(f)} GB` : '—'}</td>
                        <td>{fitBadge(rowFit)}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
            {limitsError ? <Alert tone="warning">The project's quota could not be read ({describeComputeError(limitsError, 'read the quota')}); Nova still checks it.</Alert> : null}
            {chosen && fit ? (
              <div className="fit-panels" data-testid="flavor-fit">
                {fit.problems.length ? (
                  <Alert
                    tone={fit.problems.some((p) => p.kind !== 'host') ? 'danger' : 'warning'}
                    title={fit.problems.some((p) => p.kind !== 'host') ? `${chosen.name} does not fit` : `The scheduler will probably refuse ${chosen.name}`}
                    data-testid="flavor-fit-problems"
                  >
                    <ul className="fit-problems">
                      {fit.problems.map((p) => (
                        <li key={`${p.kind}-${p.resource}`}>{p.message}</li>
                      ))}
                    </ul>
                  </Alert>
                ) : null}
                {fit.quota ? <Gauges title={`Project quota with ${count > 1 ? `${count} × ` : ''}${chosen.name}`} gauges={fit.quota} testId="quota-fit" /> : null}
                {fit.host ? <Gauges title={`This host (${ctx.hypervisor?.hypervisor_hostname ?? 'hypervisor'}) with it`} gauges={fit.host} testId="host-fit" /> : null}
                {!isAdmin ? <p className="muted small">The host's free capacity is for admins to see; Nova's scheduler checks it when the instance starts.</p> : null}
              </div>
            ) : null}
          </fieldset>
        )
      }}
    </Loading>
  )
}

function Gauges({ title, gauges, testId }: { title: string; gauges: Gauge[]; testId: string }) {
  return (
    <div className="fit-gauges" data-testid={testId}>
      <div className="fit-gauges-title">{title}</div>
      {gauges.map((g) => (
        <UsageBar
          key={g.label}
          label={g.label}
          used={g.used}
          requested={g.requested}
          limit={g.limit}
          format={(n) => (g.unit === 'MB' ? formatRamMb(n) : g.unit ? `${n.toLocaleString('en-US')} ${g.unit}` : n.toLocaleString('en-US'))}
          data-testid={`gauge-${g.label.toLowerCase()}`}
        />
      ))}
    </div>
  )
}

function KeypairStep({ query, selected, error, onSelect }: { query: Query<Keypair[]>; selected: string; error?: string; onSelect: (name: string) => void }) {
  const [creating, setCreating] = useState(false)
  return (
    <Loading query={query} what="key pairs">
      {(keypairs) => (
        <fieldset className="choice-fieldset">
          <legend className="field-label">Key pair</legend>
          <p className="field-hint">
            Its public key goes into the instance (cloud-init adds it to the default user's <code>authorized_keys</code>), so the matching private key can log in
            with SSH. Optional: the serial console works without one.
          </p>
          {error ? (
            <div className="field-error" data-testid="field-error">
              {error}
            </div>
          ) : null}
          <div className="choice-list" role="radiogroup" aria-label="Key pair">
            <label className={['choice-item', selected === '' && 'choice-selected'].filter(Boolean).join(' ')}>
              <input type="radio" name="launch-keypair" checked={selected === ''} onChange={() => onSelect('')} data-testid="launch-keypair-none" />
              <span>No key pair</span>
            </label>
            {keypairs.map((k) => (
              <label key={k.name} className={['choice-item', selected === k.name && 'choice-selected'].filter(Boolean).join(' ')} data-testid="launch-keypair-row" data-name={k.name}>
                <input type="radio" name="launch-keypair" checked={selected === k.name} onChange={() => onSelect(k.name)} />
                <span className="choice-name">{k.name}</span>
                <code className="id-text" title="Fingerprint">
                  {k.fingerprint}
                </code>
              </label>
            ))}
          </div>
          {creating ? (
            <CreateKeypairInline onCreated={(k) => onSelect(k.name)} onCancel={() => setCreating(false)} />
          ) : (
            <div>
              <Button size="sm" icon="plus" onClick={() => setCreating(true)} data-testid="launch-create-keypair">
                Create key pair
              </Button>
            </div>
          )}
        </fieldset>
      )}
    </Loading>
  )
}

/** Generates a key pair without leaving the wizard; its private key can be downloaded once. */
function CreateKeypairInline({ onCreated, onCancel }: { onCreated: (k: Keypair) => void; onCancel: () => void }) {
  const create = useCreateKeypair()
  const [name, setName] = useState('')
  const [type, setType] = useState<KeyType>('ed25519')
  const [nameError, setNameError] = useState<string>()
  const [made, setMade] = useState<Keypair | null>(null)
  if (made?.private_key) {
    return (
      <div className="inline-panel">
        <SecretDownload fileName={`${made.name}.pem`} text={made.private_key} what="private key">
          {' '}
          Then <code>chmod 600 {made.name}.pem</code> and <code>ssh -i {made.name}.pem &lt;user&gt;@&lt;address&gt;</code>.
        </SecretDownload>
        <div>
          <Button size="sm" onClick={onCancel}>
            Done
          </Button>
        </div>
      </div>
    )
  }
  const submit = () => {
    const n = name.trim()
    if (!n) return setNameError('Give the key pair a name.')
    if (n.length > KEYPAIR_NAME_MAX || !KEYPAIR_NAME_PATTERN.test(n)) return setNameError('Letters, digits, spaces, _ and - only.')
    void create.mutateAsync({ keypair: { name: n, key_type: type } }).then(
      (k) => {
        setMade(k)
        onCreated(k)
      },
      () => undefined,
    )
  }
  return (
    <div className="inline-panel" data-testid="launch-keypair-form">
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeComputeError(create.error, 'create key pairs')}
        </Alert>
      ) : null}
      <div className="field-row">
        <TextField
          label="New key pair name"
          value={name}
          error={nameError}
          onChange={(e) => {
            setName(e.target.value)
            setNameError(undefined)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              submit()
            }
          }}
          data-testid="launch-keypair-name"
        />
        <SelectField label="Key type" value={type} onChange={(e) => setType(e.target.value as KeyType)}>
          <option value="ed25519">Ed25519 (short, modern)</option>
          <option value="rsa">RSA 2048 (older systems)</option>
        </SelectField>
      </div>
      <div className="inline-actions">
        <Button size="sm" variant="primary" icon="key" loading={create.isPending} onClick={submit} data-testid="launch-keypair-submit">
          Generate key pair
        </Button>
        <Button size="sm" variant="ghost" onClick={onCancel} disabled={create.isPending}>
          Cancel
        </Button>
      </div>
    </div>
  )
}

function ConfigurationStep({ value, error, onChange }: { value: string; error?: string; onChange: (v: string) => void }) {
  const check = checkUserData(value)
  return (
    <div className="field">
      <label className="field-label" htmlFor="launch-user-data">
        User data <span className="field-optional">optional</span>
      </label>
      <textarea
        id="launch-user-data"
        className="input textarea code-input"
        rows={10}
        spellCheck={false}
        placeholder={'#!/bin/sh\necho "hello from $(hostname)" > /tmp/hello'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        data-testid="launch-user-data"
      />
      {error ? (
        <div className="field-error" data-testid="field-error">
          {error}
        </div>
      ) : (
        <div className="field-hint" data-testid="user-data-size">
          {check.bytes.toLocaleString('en-US')} bytes → {check.encoded.toLocaleString('en-US')} of 65,535 characters once base64-encoded. {check.hint ?? 'A script or cloud-config document run by cloud-init at first boot.'}
        </div>
      )}
      <p className="muted small">
        <Icon name="info" className="inline-icon" /> The dashboard sends it base64-encoded in <code>user_data</code>; Nova puts it on the config drive, where
        cloud-init reads it.
      </p>
    </div>
  )
}

function NetworksStep({
  enabled,
  networks,
  offered,
  subnets,
  groups,
  groupsQuery,
  form,
  errors,
  projectId,
  isAdmin,
  set,
}: {
  enabled: boolean
  networks: Query<Network[]>
  offered?: Network[]
  subnets: readonly Subnet[]
  groups?: SecurityGroup[]
  groupsQuery: Query<SecurityGroup[]>
  form: LaunchForm
  errors: LaunchErrors
  projectId?: string
  isAdmin: boolean
  set: <K extends keyof LaunchForm>(k: K, v: LaunchForm[K]) => void
}) {
  if (!enabled) {
    return (
      <Alert tone="info" title="No network service">
        This cloud's catalog has no network endpoint: Nova gives the instance its own default network.
      </Alert>
    )
  }
  const toggle = <K extends 'networkIds' | 'securityGroups'>(k: K, value: string, on: boolean) =>
    set(k, (on ? [...form[k].filter((v) => v !== value), value] : form[k].filter((v) => v !== value)) as LaunchForm[K])
  const cidrs = (n: Network) => subnets.filter((s) => s.network_id === n.id).map((s) => s.cidr)
  return (
    <>
      <Loading query={networks} what="networks">
        {() => (
          <fieldset className="choice-fieldset" data-testid="launch-networks">
            <legend className="field-label">Networks: the instance gets a port (an address) on each, in this order</legend>
            {errors.networkIds ? (
              <div className="field-error" data-testid="field-error">
                {errors.networkIds}
              </div>
            ) : null}
            {!offered?.length ? (
              <Alert tone="warning" title="No network to attach">
                Create a network with a subnet in Network → Networks first.
              </Alert>
            ) : (
              <div className="choice-table-wrap">
                <table className="table choice-table" aria-label="Networks">
                  <thead>
                    <tr>
                      <th scope="col" className="col-choice">
                        <span className="visually-hidden">Chosen</span>
                      </th>
                      <th scope="col">Name</th>
                      <th scope="col">Subnets</th>
                      <th scope="col">
                        <span className="visually-hidden">Kind</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {offered.map((n) => {
                      const chosen = form.networkIds.includes(n.id)
                      const order = form.networkIds.indexOf(n.id)
                      const ranges = cidrs(n)
                      return (
                        <tr key={n.id} className={chosen ? 'choice-selected' : undefined} data-testid="launch-network-row" data-name={n.name} data-id={n.id} data-chosen={chosen ? 'yes' : 'no'}>
                          <td className="col-choice">
                            <input type="checkbox" id={`launch-net-${n.id}`} checked={chosen} onChange={(e) => toggle('networkIds', n.id, e.target.checked)} aria-label={n.name} />
                          </td>
                          <td>
                            <label htmlFor={`launch-net-${n.id}`} className="choice-name">
                              {n.name || n.id}
                            </label>
                            {chosen && form.networkIds.length > 1 ? <span className="muted small"> NIC {order + 1}</span> : null}
                          </td>
                          <td>{ranges.length ? <code>{ranges.join(', ')}</code> : <span className="muted">no subnet: no address</span>}</td>
                          <td>
                            {n['router:external'] ? <Badge tone="info">external</Badge> : null}
                            {n.shared ? <Badge tone="accent">shared</Badge> : null}
                            {isAdmin && n.project_id !== projectId && !n.shared && !n['router:external'] ? <Badge>another project's</Badge> : null}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </div>
            )}
            {!isAdmin ? <p className="field-hint">External networks are not offered: reach the instance through a router and a floating IP.</p> : null}
          </fieldset>
        )}
      </Loading>
      <Loading query={groupsQuery} what="security groups">
        {() => (
          <fieldset className="choice-fieldset" data-testid="launch-security-groups">
            <legend className="field-label">Security groups: their rules decide what reaches the instance</legend>
            {errors.securityGroups ? (
              <div className="field-error" data-testid="field-error">
                {errors.securityGroups}
              </div>
            ) : null}
            <div className="choice-list">
              {(groups ?? []).map((g) => {
                const chosen = form.securityGroups.includes(g.name)
                return (
                  <label key={g.id} className={['choice-item', chosen && 'choice-selected'].filter(Boolean).join(' ')} data-testid="launch-group-row" data-name={g.name}>
                    <input type="checkbox" checked={chosen} onChange={(e) => toggle('securityGroups', g.name, e.target.checked)} />
                    <span className="choice-name">{g.name}</span>
                    <span className="muted small">{g.description || `${g.security_group_rules?.length ?? 0} rules`}</span>
                  </label>
                )
              })}
            </div>
          </fieldset>
        )}
      </Loading>
    </>
  )
}

function ReviewStep({
  form,
  errors,
  image,
  flavor,
  networks,
  subnets,
  onGo,
}: {
  form: LaunchForm
  errors: LaunchErrors
  image?: Image
  flavor?: Flavor
  networks: readonly Network[]
  subnets: readonly Subnet[]
  onGo: (step: LaunchStep) => void
}) {
  const names = launchedNames(form)
  const rows: { step: LaunchStep; label: string; value: ReactNode; testId: string }[] = [
    { step: 'details', label: 'Name', value: names.join(', ') || '—', testId: 'review-name' },
    { step: 'source', label: 'Image', value: image?.name ?? '—', testId: 'review-image' },
    ...(form.bootFromVolume
      ? [{ step: 'source' as const, label: 'Boot disk', value: `a new ${form.volumeSize ?? '?'} GB volume from the image${form.deleteVolumeOnTermination ? ', deleted with the instance' : ', kept after the instance'}`, testId: 'review-boot-volume' }]
      : []),
    { step: 'flavor', label: 'Flavor', value: flavor ? `${flavor.name} (${flavor.vcpus} vCPU, ${formatRamMb(flavor.ram)})` : '—', testId: 'review-flavor' },
    {
      step: 'networks',
      label: 'Networks',
      value: form.networkIds.length
        ? form.networkIds
            .map((id) => {
              const n = networks.find((x) => x.id === id)
              const ranges = subnets.filter((s) => s.network_id === id).map((s) => s.cidr)
              return `${n?.name ?? id}${ranges.length ? ` (${ranges.join(', ')})` : ''}`
            })
            .join(', ')
        : 'none',
      testId: 'review-networks',
    },
    { step: 'networks', label: 'Security groups', value: form.securityGroups.join(', ') || 'none', testId: 'review-groups' },
    { step: 'keypair', label: 'Key pair', value: form.keyName || 'none', testId: 'review-keypair' },
    { step: 'configuration', label: 'User data', value: form.userData.trim() ? `${checkUserData(form.userData).bytes.toLocaleString('en-US')} bytes` : 'none', testId: 'review-user-data' },
  ]
  const problems = Object.values(errors).filter(Boolean)
  return (
    <div className="launch-review" data-testid="launch-review">
      {problems.length ? (
        <Alert tone="danger" title="Not ready yet">
          {problems.length === 1 ? problems[0] : `${problems.length} things to fix; the steps marked ! say what.`}
        </Alert>
      ) : null}
      <dl className="detail-list">
        {rows.map((r) => (
          <div key={r.label} className="detail-row">
            <dt>
              <button type="button" className="link-button" onClick={() => onGo(r.step)}>
                {r.label}
              </button>
            </dt>
            <dd data-testid={r.testId}>{r.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}

/**
 * "Boot from a new volume": Nova asks Cinder for a volume made from the image (block_device_mapping_v2 image →
 * volume) and boots from it; offered when the cloud has block storage.
 */
function BootVolumeOptions({ form, image, error, set }: { form: LaunchForm; image?: Image; error?: string; set: <K extends keyof LaunchForm>(k: K, v: LaunchForm[K]) => void }) {
  const client = useClient()
  if (!client.endpoint('volumev3')) return null
  const min = bootVolumeMinimum(image)
  return (
    <fieldset className="choice-fieldset boot-volume" data-testid="launch-boot-volume">
      <legend className="field-label">Boot disk</legend>
      <CheckboxField
        label="Boot from a new volume"
        hint="Cinder copies the image into a volume and the instance boots from it: the disk survives the instance if you keep it."
        checked={Boolean(form.bootFromVolume)}
        onChange={(e) => {
          set('bootFromVolume', e.target.checked)
          if (e.target.checked && !form.volumeSize) set('volumeSize', String(min))
        }}
        data-testid="launch-boot-volume-toggle"
      />
      {form.bootFromVolume ? (
        <>
          <TextField label="Volume size (GB)" type="number" min={min} step={1} value={form.volumeSize ?? ''} onChange={(e) => set('volumeSize', e.target.value)} error={error} hint={`At least ${min} GB for this image.`} data-testid="launch-volume-size" />
          <CheckboxField
            label="Delete the volume when the instance is deleted"
            hint="Otherwise it stays, available, in Storage → Volumes."
            checked={Boolean(form.deleteVolumeOnTermination)}
            onChange={(e) => set('deleteVolumeOnTermination', e.target.checked)}
            data-testid="launch-volume-delete-on-termination"
          />
        </>
      ) : null}
    </fieldset>
  )
}
