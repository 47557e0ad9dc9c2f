import { useEffect, useRef, useState, type ReactNode } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { Dialog } from '../../../components/ui/dialog'
import { TextField } from '../../../components/ui/field'
import type { IconName } from '../../../components/ui/icons'
import { Menu } from '../../../components/ui/menu'
import { useToast } from '../../../components/ui/toast'
import type { Server, ServerActionBody } from '../../../lib/openstack/compute'
import { Link } from '../../../lib/router'
import { useDeleteServer } from '../api/delete-server'
import { useServerAction } from '../api/server-action'
import { describeComputeError } from '../utils/compute-errors'
import { ACTION_RULES, allowed, availableActions, type ServerActionKind } from '../utils/server-status'

export type InstanceAction = { kind: ServerActionKind; server: Server }

const label = (s: Server) => s.name || s.id

export const ACTION_ICONS: Record<ServerActionKind, IconName> = {
  start: 'play',
  stop: 'stop',
  reboot: 'refresh',
  'reboot-hard': 'power',
  pause: 'pause',
  unpause: 'play',
  suspend: 'moon',
  resume: 'play',
  snapshot: 'camera',
  rebuild: 'refresh',
  console: 'terminal',
  delete: 'trash',
}

/** The request body of each action that is one POST /servers/{id}/action without options. */
const BODIES: Partial<Record<ServerActionKind, ServerActionBody>> = {
  start: { 'os-start': null },
  stop: { 'os-stop': null },
  reboot: { reboot: { type: 'SOFT' } },
  'reboot-hard': { reboot: { type: 'HARD' } },
  pause: { pause: null },
  unpause: { unpause: null },
  suspend: { suspend: null },
  resume: { resume: null },
}

/** What a successful request starts, for the toast. */
const STARTED: Partial<Record<ServerActionKind, string>> = {
  start: 'Starting',
  stop: 'Stopping',
  reboot: 'Rebooting',
  'reboot-hard': 'Hard-rebooting',
  pause: 'Pausing',
  unpause: 'Unpausing',
  suspend: 'Suspending',
  resume: 'Resuming',
}

/** Verbs for "You are not allowed to …". */
const VERB: Record<ServerActionKind, string> = {
  start: 'start instances',
  stop: 'stop instances',
  reboot: 'reboot instances',
  'reboot-hard': 'reboot instances',
  pause: 'pause instances',
  unpause: 'unpause instances',
  suspend: 'suspend instances',
  resume: 'resume instances',
  snapshot: 'snapshot instances',
  rebuild: 'rebuild instances',
  console: 'open consoles',
  delete: 'delete instances',
}

/** Actions that need a confirmation first: they interrupt what the guest is doing or destroy it. */
const CONFIRM = new Set<ServerActionKind>(['stop', 'reboot', 'reboot-hard', 'delete'])

/** A table row's actions: Start or Stop in view, the rest in a menu; each disabled with the reason when its state forbids it. */
export function InstanceRowActions({ server, onAction }: { server: Server; onAction: (a: InstanceAction) => void }) {
  const actions = availableActions(server)
  const power = actions[0]!
  return (
    <span className="instance-actions">
      <Button
        size="sm"
        variant="ghost"
        icon={ACTION_ICONS[power.kind]}
        disabled={!power.ok}
        title={power.ok ? `${ACTION_RULES[power.kind].label} ${label(server)}` : power.reason}
        onClick={() => onAction({ kind: power.kind, server })}
        data-testid={`action-${power.kind}`}
      >
        {ACTION_RULES[power.kind].label}
      </Button>
      <Menu
        compact
        label={`More actions for ${label(server)}`}
        data-testid="instance-menu"
        items={actions.slice(1).map((a) => ({
          key: a.kind,
          label: ACTION_RULES[a.kind].label,
          icon: ACTION_ICONS[a.kind],
          disabled: !a.ok,
          title: a.reason,
          danger: a.kind === 'delete',
          onSelect: () => onAction({ kind: a.kind, server }),
          'data-testid': `menu-action-${a.kind}`,
        }))}
      />
    </span>
  )
}

/** The detail page's buttons: every action that applies, disabled with the reason when its state forbids it. */
export function InstanceActionButtons({ server, onAction }: { server: Server; onAction: (a: InstanceAction) => void }) {
  return (
    <span className="instance-actions instance-actions-wide">
      {availableActions(server).map((a) => (
        <Button
          key={a.kind}
          size="sm"
          variant={a.kind === 'delete' ? 'ghost' : 'secondary'}
          className={a.kind === 'delete' ? 'btn-danger-ghost' : undefined}
          icon={ACTION_ICONS[a.kind]}
          disabled={!a.ok}
          title={a.ok ? `${ACTION_RULES[a.kind].label} ${label(server)}` : a.reason}
          onClick={() => onAction({ kind: a.kind, server })}
          data-testid={`action-${a.kind}`}
        >
          {ACTION_RULES[a.kind].label}
        </Button>
      ))}
    </span>
  )
}

/**
 * Runs the chosen action: a confirmation for the ones that interrupt or destroy, a name for a snapshot, none for
 * the others. A refusal stays on screen with what to do until dismissed.
 */
export function InstanceActionDialogs({ action, onClose, onDeleted }: { action: InstanceAction | null; onClose: () => void; onDeleted?: (s: Server) => void }) {
  if (!action) return null
  // A new element per action, so each runs (and shows its error) on its own.
  return <ActionRunner key={`${action.kind}:${action.server.id}`} action={action} onClose={onClose} onDeleted={onDeleted} />
}

function ActionRunner({ action, onClose, onDeleted }: { action: InstanceAction; onClose: () => void; onDeleted?: (s: Server) => void }) {
  const { kind, server } = action
  const toast = useToast()
  const run = useServerAction()
  const remove = useDeleteServer()
  const describe = (e: unknown) => describeComputeError(e, VERB[kind])

  const send = async () => {
    const body = BODIES[kind]
    if (!body) return
    await run.mutateAsync({ id: server.id, body })
    toast(`${STARTED[kind]} ${label(server)}…`, 'info')
  }

  if (kind === 'snapshot') return <SnapshotDialog server={server} onClose={onClose} />

  if (kind === 'delete') {
    return (
      <ConfirmDialog
        title={`Delete instance ${label(server)}?`}
        confirmLabel="Delete instance"
        describe={describe}
        onClose={onClose}
        onConfirm={async () => {
          await remove.mutateAsync(server.id)
          toast(`Deleting ${label(server)}…`, 'info')
          onDeleted?.(server)
        }}
      >
        <p>
          The instance <strong>{label(server)}</strong> is powered off and its disk is destroyed; what it stored is lost. Snapshots made from it stay in Images.
          This cannot be undone.
        </p>
      </ConfirmDialog>
    )
  }

  if (CONFIRM.has(kind)) {
    const texts: Record<string, { title: string; confirm: string; body: ReactNode }> = {
      stop: {
        title: `Stop instance ${label(server)}?`,
        confirm: 'Stop instance',
        body: (
          <p>
            Nova asks the guest to shut down (ACPI), and powers it off if it has not after a while. Its disk is kept: start it again later. Programs running in it
            end.
          </p>
        ),
      },
      reboot: {
        title: `Reboot instance ${label(server)}?`,
        confirm: 'Soft reboot',
        body: <p>The guest's operating system restarts itself (ACPI reboot). Programs running in it end; its disk is kept.</p>,
      },
      'reboot-hard': {
        title: `Hard reboot instance ${label(server)}?`,
        confirm: 'Hard reboot',
        body: (
          <p>
            The virtual machine is power-cycled, like pulling the plug: the guest gets no chance to save anything. Use it when a soft reboot does not work.
          </p>
        ),
      },
    }
    const t = texts[kind]!
    return (
      <ConfirmDialog title={t.title} confirmLabel={t.confirm} tone={kind === 'reboot' ? 'primary' : 'danger'} describe={describe} onClose={onClose} onConfirm={send}>
        {t.body}
      </ConfirmDialog>
    )
  }

  // Start, pause, unpause, suspend, resume: no confirmation, sent at once.
  return <ImmediateAction kind={kind} server={server} send={send} describe={describe} onClose={onClose} />
}

function ImmediateAction({
  kind,
  server,
  send,
  describe,
  onClose,
}: {
  kind: ServerActionKind
  server: Server
  send: () => Promise<void>
  describe: (e: unknown) => string
  onClose: () => void
}) {
  const [error, setError] = useState<string>()
  const sent = useRef(false)
  const latest = useRef({ send, describe, onClose })
  latest.current = { send, describe, onClose }
  useEffect(() => {
    if (sent.current) return
    sent.current = true
    latest.current.send().then(
      () => latest.current.onClose(),
      (e: unknown) => setError(latest.current.describe(e)),
    )
  }, [])
  if (!error) return null
  return (
    <Dialog
      title={`Could not ${ACTION_RULES[kind].label.toLowerCase()} ${label(server)}`}
      size="sm"
      onClose={onClose}
      data-testid="action-error-dialog"
      footer={
        <Button variant="primary" onClick={onClose}>
          OK
        </Button>
      }
    >
      <Alert tone="danger" data-testid="dialog-error">
        {error}
      </Alert>
    </Dialog>
  )
}

/** createImage: a name, then a link to the new image (from the Location header) in the Images panel. */
function SnapshotDialog({ server, onClose }: { server: Server; onClose: () => void }) {
  const run = useServerAction()
  const [name, setName] = useState(() => `${label(server)}-snapshot`)
  const [nameError, setNameError] = useState<string>()
  const [imageId, setImageId] = useState<string | null>(null)
  const check = allowed('snapshot', server)
  const submit = () => {
    const n = name.trim()
    if (!n) return setNameError('Give the snapshot a name.')
    if (n.length > 255) return setNameError('At most 255 characters.')
    void run.mutateAsync({ id: server.id, body: { createImage: { name: n } } }).then(
      (r) => setImageId(r.imageId ?? ''),
      () => undefined,
    )
  }
  if (imageId !== null) {
    return (
      <Dialog
        title="Snapshot requested"
        size="sm"
        onClose={onClose}
        data-testid="snapshot-dialog"
        footer={
          <Button variant="primary" onClick={onClose} data-testid="snapshot-close">
            Close
          </Button>
        }
      >
        <Alert tone="success" title={`Nova is saving ${label(server)}'s disk as image “${name.trim()}”`}>
          The image is queued, then saving, then active: you can launch new instances from it then.{' '}
          {imageId ? (
            <Link to={`/compute/images/${encodeURIComponent(imageId)}`} data-testid="snapshot-image-link" onClick={onClose}>
              Open the image
            </Link>
          ) : null}
        </Alert>
      </Dialog>
    )
  }
  return (
    <Dialog
      title={`Create a snapshot of ${label(server)}`}
      description="Copies the instance's disk into a new image (Glance), to launch copies of it or keep it."
      size="sm"
      onClose={onClose}
      busy={run.isPending}
      onSubmit={submit}
      data-testid="snapshot-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={run.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={run.isPending} disabled={!check.ok} data-testid="snapshot-submit">
            Create snapshot
          </Button>
        </>
      }
    >
      {run.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeComputeError(run.error, 'snapshot instances')}
        </Alert>
      ) : null}
      <TextField
        label="Snapshot name"
        autoFocus
        value={name}
        error={nameError}
        onChange={(e) => {
          setName(e.target.value)
          setNameError(undefined)
        }}
        hint="The name of the new image."
        data-testid="snapshot-name"
      />
    </Dialog>
  )
}
