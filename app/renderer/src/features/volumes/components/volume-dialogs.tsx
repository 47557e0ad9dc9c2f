import { useState } from 'react'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import type { Server } from '../../../lib/openstack/compute'
import type { Volume, VolumeSnapshot } from '../../../lib/openstack/volume'
import { useAttachVolume, useCreateSnapshot, useDeleteSnapshot, useDeleteVolume, useDetachVolume, useExtendVolume } from '../api/volume-mutations'
import { attachCli, buildSnapshotBody, deleteCli, describeVolumeError, detachCli, extendCli, snapshotCli, validateExtend } from '../utils/volume-form'

export type VolumeDialogAction =
  | { kind: 'extend' | 'attach' | 'snapshot' | 'delete'; volume: Volume }
  | { kind: 'detach'; volume: Volume; serverId: string }
  | { kind: 'delete-snapshot'; snapshot: VolumeSnapshot }

const label = (v: Volume) => v.name || v.id

function Cli({ cmd, testId }: { cmd: string; testId: string }) {
  return (
    <div className="cli-line" data-testid={testId}>
      <code>{`$ ${cmd}`}</code>
      <CopyButton text={cmd} label="Copy the command" />
    </div>
  )
}

/** The dialog of the action chosen in a row (none when `action` is null). */
export function VolumeActionDialogs({
  action,
  servers,
  onClose,
  onDone,
}: {
  action: VolumeDialogAction | null
  servers: readonly Server[]
  onClose: () => void
  onDone: (message: string) => void
}) {
  if (!action) return null
  switch (action.kind) {
    case 'extend':
      return <ExtendDialog volume={action.volume} onClose={onClose} onDone={onDone} />
    case 'attach':
      return <AttachDialog volume={action.volume} servers={servers} onClose={onClose} onDone={onDone} />
    case 'snapshot':
      return <SnapshotDialog volume={action.volume} onClose={onClose} onDone={onDone} />
    case 'detach':
      return <DetachConfirm volume={action.volume} server={servers.find((s) => s.id === action.serverId)} serverId={action.serverId} onClose={onClose} onDone={onDone} />
    case 'delete':
      return <DeleteConfirm volume={action.volume} onClose={onClose} onDone={onDone} />
    case 'delete-snapshot':
      return <DeleteSnapshotConfirm snapshot={action.snapshot} onClose={onClose} onDone={onDone} />
  }
}

function ExtendDialog({ volume, onClose, onDone }: { volume: Volume; onClose: () => void; onDone: (m: string) => void }) {
  const [size, setSize] = useState(String(volume.size + 1))
  const [touched, setTouched] = useState(false)
  const extend = useExtendVolume()
  const error = validateExtend(volume, size)
  const cli = extendCli(volume, size)
  return (
    <Dialog
      title={`Extend ${label(volume)}`}
      description="Grows the disk (Cinder never shrinks one). The guest sees the new size after it rescans the disk; grow its partition and file system yourself."
      onClose={onClose}
      busy={extend.isPending}
      data-testid="extend-volume-dialog"
      onSubmit={() => {
        setTouched(true)
        if (error) return
        void extend.mutateAsync({ id: volume.id, size: Number(size), cli }).then(() => {
          onDone(`Extending ${label(volume)} to ${size} GB.`)
          onClose()
        }, () => undefined)
      }}
      footer={
        <>
          <Button onClick={onClose} disabled={extend.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={extend.isPending} data-testid="extend-volume-submit">
            Extend
          </Button>
        </>
      }
    >
      {extend.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeVolumeError(extend.error, 'extend volumes')}
        </Alert>
      ) : null}
      <TextField label={`New size (GB), now ${volume.size} GB`} type="number" min={volume.size + 1} step={1} value={size} onChange={(e) => setSize(e.target.value)} error={touched ? error : undefined} autoFocus data-testid="extend-volume-size" />
      <Cli cmd={cli} testId="extend-volume-cli" />
    </Dialog>
  )
}

function AttachDialog({ volume, servers, onClose, onDone }: { volume: Volume; servers: readonly Server[]; onClose: () => void; onDone: (m: string) => void }) {
  // Nova attaches to an active or shut-off instance with no task running (its @check_instance_state).
  const usable = servers.filter((s) => (s.status === 'ACTIVE' || s.status === 'SHUTOFF') && !s['OS-EXT-STS:task_state'])
  const [serverId, setServerId] = useState(usable[0]?.id ?? '')
  const attach = useAttachVolume()
  const server = servers.find((s) => s.id === serverId)
  const cli = attachCli(server?.name || serverId || '<instance>', volume)
  return (
    <Dialog
      title={`Attach ${label(volume)}`}
      description="Nova plugs the volume into the instance as its next virtio disk (/dev/vdb, /dev/vdc…). Inside the guest, make a file system on it the first time (mkfs), then mount it."
      onClose={onClose}
      busy={attach.isPending}
      data-testid="attach-volume-dialog"
      onSubmit={() =>
        serverId &&
        void attach.mutateAsync({ serverId, volumeId: volume.id, cli }).then((a) => {
          onDone(`${label(volume)} is attaching to ${server?.name ?? serverId}${a?.device ? ` as ${a.device}` : ''}.`)
          onClose()
        }, () => undefined)
      }
      footer={
        <>
          <Button onClick={onClose} disabled={attach.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="link" loading={attach.isPending} disabled={!serverId} data-testid="attach-volume-submit">
            Attach
          </Button>
        </>
      }
    >
      {attach.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeVolumeError(attach.error, 'attach volumes')}
        </Alert>
      ) : null}
      {usable.length === 0 ? (
        <Alert tone="warning" title="No instance to attach to">
          Volumes attach to an active or shut-off instance of this project. Launch one (Compute → Instances), then come back.
        </Alert>
      ) : (
        <SelectField label="Instance" value={serverId} onChange={(e) => setServerId(e.target.value)} data-testid="attach-volume-server">
          {usable.map((s) => (
            <option key={s.id} value={s.id}>
              {`${s.name || s.id} (${s.status.toLowerCase()})`}
            </option>
          ))}
        </SelectField>
      )}
      <Cli cmd={cli} testId="attach-volume-cli" />
    </Dialog>
  )
}

function SnapshotDialog({ volume, onClose, onDone }: { volume: Volume; onClose: () => void; onDone: (m: string) => void }) {
  const [name, setName] = useState(`${label(volume)}-snap`)
  const [description, setDescription] = useState('')
  const create = useCreateSnapshot()
  const cli = snapshotCli(volume, name)
  return (
    <Dialog
      title={`Snapshot ${label(volume)}`}
      description="A point-in-time copy you can make new volumes from. While a volume has snapshots, it cannot be deleted."
      onClose={onClose}
      busy={create.isPending}
      data-testid="snapshot-volume-dialog"
      onSubmit={() =>
        name.trim() &&
        void create.mutateAsync({ body: buildSnapshotBody(volume, name, description), cli }).then(() => {
          onDone(`Snapshot ${name.trim()} of ${label(volume)} is being made.`)
          onClose()
        }, () => undefined)
      }
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" icon="camera" loading={create.isPending} disabled={!name.trim()} data-testid="snapshot-volume-submit">
            Create snapshot
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeVolumeError(create.error, 'create snapshots')}
        </Alert>
      ) : null}
      {volume.status === 'in-use' ? (
        <Alert tone="warning" title="The volume is attached">
          The snapshot is taken while the guest may be writing (crash-consistent, like pulling the plug; sent with force). Run <code>sync</code> in the guest first, or detach it.
        </Alert>
      ) : null}
      <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={255} autoFocus data-testid="snapshot-name" />
      <TextField label="Description" optional value={description} onChange={(e) => setDescription(e.target.value)} maxLength={255} />
      <Cli cmd={cli} testId="snapshot-volume-cli" />
    </Dialog>
  )
}

function DetachConfirm({ volume, server, serverId, onClose, onDone }: { volume: Volume; server?: Server; serverId: string; onClose: () => void; onDone: (m: string) => void }) {
  const detach = useDetachVolume()
  const name = server?.name || serverId
  const att = volume.attachments.find((a) => a.server_id === serverId)
  return (
    <ConfirmDialog
      title={`Detach ${label(volume)}?`}
      confirmLabel="Detach"
      describe={(e) => describeVolumeError(e, 'detach volumes')}
      onClose={onClose}
      onConfirm={() => detach.mutateAsync({ serverId, volumeId: volume.id, cli: detachCli(name, volume) }).then(() => onDone(`${label(volume)} is detaching from ${name}.`))}
    >
      <p>
        It is unplugged from <strong>{name}</strong>
        {att?.device ? (
          <>
            {' '}
            (<code>{att.device}</code>)
          </>
        ) : null}
        . Unmount it in the guest first: writes still in the guest's cache are lost.
      </p>
      <p className="cli-line">
        <code>{`$ ${detachCli(name, volume)}`}</code>
      </p>
    </ConfirmDialog>
  )
}

function DeleteConfirm({ volume, onClose, onDone }: { volume: Volume; onClose: () => void; onDone: (m: string) => void }) {
  const del = useDeleteVolume()
  return (
    <ConfirmDialog
      title={`Delete ${label(volume)}?`}
      confirmLabel="Delete volume"
      describe={(e) => describeVolumeError(e, 'delete volumes')}
      onClose={onClose}
      onConfirm={() => del.mutateAsync({ id: volume.id, cli: deleteCli(volume) }).then(() => onDone(`${label(volume)} is being deleted.`))}
    >
      <p>
        Its {volume.size} GB of data are erased for good. Snapshots must be deleted first, and an attached volume detached.
      </p>
      <p className="cli-line">
        <code>{`$ ${deleteCli(volume)}`}</code>
      </p>
    </ConfirmDialog>
  )
}

function DeleteSnapshotConfirm({ snapshot, onClose, onDone }: { snapshot: VolumeSnapshot; onClose: () => void; onDone: (m: string) => void }) {
  const del = useDeleteSnapshot()
  const cmd = `openstack volume snapshot delete ${shellQuote(snapshot.name || snapshot.id)}`
  return (
    <ConfirmDialog
      title={`Delete snapshot ${snapshot.name || snapshot.id}?`}
      confirmLabel="Delete snapshot"
      describe={(e) => describeVolumeError(e, 'delete snapshots')}
      onClose={onClose}
      onConfirm={() => del.mutateAsync({ id: snapshot.id, cli: cmd }).then(() => onDone(`Snapshot ${snapshot.name || snapshot.id} is being deleted.`))}
    >
      <p>Volumes made from it keep their data; no new volume can be made from it afterwards.</p>
      <p className="cli-line">
        <code>{`$ ${cmd}`}</code>
      </p>
    </ConfirmDialog>
  )
}
