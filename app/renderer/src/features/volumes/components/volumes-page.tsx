import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { EmptyState } from '../../../components/ui/empty-state'
import { Icon } from '../../../components/ui/icons'
import { Menu } from '../../../components/ui/menu'
import { PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, IdText, type Column } from '../../../components/ui/table'
import { TabPanel, Tabs } from '../../../components/ui/tabs'
import { useToast } from '../../../components/ui/toast'
import { formatDateTime } from '../../../lib/format'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import type { Volume, VolumeSnapshot } from '../../../lib/openstack/volume'
import { Link, navigate, usePath } from '../../../lib/router'
import { VOLUME_FAST_POLL_MS, VOLUME_SLOW_POLL_MS, useServers, useVolumesAndSnapshots } from '../api/get-volumes'
import { actionBlocker } from '../utils/volume-status'
import { CreateVolumeDialog } from './create-volume-dialog'
import { VolumeActionDialogs, type VolumeDialogAction } from './volume-dialogs'
import { VolumeStatusBadge } from './volume-status-badge'
import './volumes.css'

/** Storage → Volumes: volumes at `basePath`, their snapshots at `basePath/snapshots`. */
export function VolumesPage({ basePath }: { basePath: string }) {
  const path = usePath()
  const tab = path === `${basePath}/snapshots` ? 'snapshots' : 'volumes'
  const session = useSession()
  const toast = useToast()
  const { volumes, snapshots, live, fast } = useVolumesAndSnapshots()
  const servers = useServers()
  const [creating, setCreating] = useState<{ snapshot?: VolumeSnapshot } | null>(null)
  const [action, setAction] = useState<VolumeDialogAction | null>(null)
  const canWrite = session.roles.some((r) => r !== 'reader')
  const vols = [...(volumes.data ?? [])].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id))
  const snaps = [...(snapshots.data ?? [])].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id))
  const serverName = (id: string) => servers.data?.find((s) => s.id === id)?.name
  const volumeName = (id: string) => {
    const v = volumes.data?.find((x) => x.id === id)
    return v ? v.name || v.id : undefined
  }

  const volumeColumns: Column<Volume>[] = [
    {
      key: 'name',
      header: 'Name',
      render: (v) => (
        <span className="volume-name">
          <strong data-testid="volume-name-cell">{v.name || <span className="muted">(no name)</span>}</strong>
          <IdText id={v.id} />
        </span>
      ),
    },
    { key: 'status', header: 'Status', render: (v) => <VolumeStatusBadge status={v.status} /> },
    { key: 'size', header: 'Size', className: 'col-num', render: (v) => `${v.size} GB` },
    { key: 'type', header: 'Type', render: (v) => v.volume_type ?? <span className="muted">—</span> },
    {
      key: 'attached',
      header: 'Attached to',
      render: (v) =>
        v.attachments.length ? (
          <span className="volume-attachments" data-testid="volume-attachments">
            {v.attachments.map((a) => (
              <span key={a.server_id} className="volume-attachment">
                <Link to={`/compute/instances/${encodeURIComponent(a.server_id)}`} data-testid="volume-attached-server">
                  {serverName(a.server_id) ?? `${a.server_id.slice(0, 8)}…`}
                </Link>
                {a.device ? <code data-testid="volume-device">{a.device}</code> : null}
              </span>
            ))}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      key: 'source',
      header: 'Source',
      render: (v) =>
        v.snapshot_id ? (
          <span className="small">snapshot {snaps.find((s) => s.id === v.snapshot_id)?.name || <IdText id={v.snapshot_id} />}</span>
        ) : v.volume_image_metadata?.image_name ? (
          <span className="small">image {v.volume_image_metadata.image_name}</span>
        ) : (
          <span className="muted small">empty</span>
        ),
    },
    { key: 'created', header: 'Created', render: (v) => <span className="small">{formatDateTime(v.created_at)}</span> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (v) => (canWrite ? <VolumeRowActions volume={v} snapshots={snaps} onAction={setAction} /> : null),
    },
  ]

  const snapshotColumns: Column<VolumeSnapshot>[] = [
    {
      key: 'name',
      header: 'Name',
      render: (s) => (
        <span className="volume-name">
          <strong>{s.name || <span className="muted">(no name)</span>}</strong>
          <IdText id={s.id} />
        </span>
      ),
    },
    { key: 'status', header: 'Status', render: (s) => <VolumeStatusBadge status={s.status} /> },
    { key: 'size', header: 'Size', className: 'col-num', render: (s) => `${s.size} GB` },
    { key: 'volume', header: 'Of volume', render: (s) => volumeName(s.volume_id) ?? <IdText id={s.volume_id} /> },
    { key: 'created', header: 'Created', render: (s) => <span className="small">{formatDateTime(s.created_at)}</span> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      className: 'col-actions',
      render: (s) =>
        canWrite ? (
          <span className="volume-actions">
            <Button size="sm" icon="plus" disabled={s.status !== 'available'} title={s.status !== 'available' ? 'Wait until the snapshot is available.' : undefined} onClick={() => setCreating({ snapshot: s })} data-testid="snapshot-create-volume">
              Create volume
            </Button>
            <Button
              size="sm"
              variant="ghost"
              icon="trash"
              className="btn-danger-ghost"
              aria-label={`Delete snapshot ${s.name || s.id}`}
              title={`Delete snapshot ${s.name || s.id}`}
              disabled={s.status === 'creating' || s.status === 'deleting'}
              onClick={() => setAction({ kind: 'delete-snapshot', snapshot: s })}
              data-testid="snapshot-delete"
            />
          </span>
        ) : null,
    },
  ]

  const createButton = (testId: string) =>
    canWrite ? (
      <Button variant="primary" icon="plus" onClick={() => setCreating({})} data-testid={testId}>
        Create volume
      </Button>
    ) : null

  const list = tab === 'volumes' ? volumes : snapshots
  return (
    <div className="page page-volumes" data-testid="volumes-page">
      <PageHeader
        title="Volumes"
        description="Persistent disks (Cinder). Attach one to an instance as an extra disk; it keeps its data when the instance is deleted."
        api={tab === 'volumes' ? 'GET /volume/v3/{project_id}/volumes/detail' : 'GET /volume/v3/{project_id}/snapshots/detail'}
        actions={
          <>
            <Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void Promise.all([volumes.refetch(), snapshots.refetch()])} loading={list.isFetching && list.status !== 'pending'} />
            {createButton('create-volume')}
          </>
        }
      />
      <Tabs
        label="Volumes"
        current={tab}
        onSelect={(t) => navigate(t === 'volumes' ? basePath : `${basePath}/snapshots`)}
        tabs={[
          { id: 'volumes', label: <><Icon name="volume" /> Volumes {volumes.data ? <span className="tab-count">{volumes.data.length}</span> : null}</> },
          { id: 'snapshots', label: <><Icon name="camera" /> Snapshots {snapshots.data ? <span className="tab-count">{snapshots.data.length}</span> : null}</> },
        ]}
      />
      <TabPanel id={tab}>
        {list.status === 'pending' ? (
          <LoadingState label={tab === 'volumes' ? 'Loading volumes…' : 'Loading snapshots…'} />
        ) : list.status === 'error' && !list.data ? (
          <Alert tone="danger" title={`Could not list the ${tab}`} data-testid="page-error" action={<Button onClick={() => void list.refetch()}>Try again</Button>}>
            {describeError(list.error, `list ${tab}`)}
          </Alert>
        ) : tab === 'volumes' ? (
          vols.length === 0 ? (
            <EmptyState icon="volume" title="No volumes" action={createButton('create-volume-empty') ?? undefined}>
              Create an empty disk, or one with an image on it (<code>openstack volume create --size 1 v1</code>).
            </EmptyState>
          ) : (
            <>
              <Summary live={live} fast={fast} text={`${vols.length} volume${vols.length === 1 ? '' : 's'} · ${vols.reduce((n, v) => n + v.size, 0)} GB · ${vols.filter((v) => v.status === 'in-use').length} attached`} />
              <DataTable
                label="Volumes"
                columns={volumeColumns}
                rows={vols}
                rowKey={(v) => v.id}
                rowTestId="volume-row"
                rowProps={(v) => ({ 'data-name': v.name ?? '', 'data-id': v.id, 'data-status': v.status })}
              />
            </>
          )
        ) : snaps.length === 0 ? (
          <EmptyState icon="camera" title="No snapshots">
            Snapshot a volume from its row's menu (<code>openstack volume snapshot create --volume v1 s1</code>); new volumes can then start from it.
          </EmptyState>
        ) : (
          <>
            <Summary live={live} fast={fast} text={`${snaps.length} snapshot${snaps.length === 1 ? '' : 's'}`} />
            <DataTable label="Snapshots" columns={snapshotColumns} rows={snaps} rowKey={(s) => s.id} rowTestId="snapshot-row" rowProps={(s) => ({ 'data-name': s.name ?? '', 'data-id': s.id, 'data-status': s.status })} />
          </>
        )}
      </TabPanel>
      {creating ? (
        <CreateVolumeDialog
          snapshots={snaps}
          initialSnapshot={creating.snapshot}
          onClose={() => setCreating(null)}
          onCreated={(v) => {
            toast(`Creating ${v.name || v.id}: the list follows it until it is available.`, 'info')
            if (tab !== 'volumes') navigate(basePath)
          }}
        />
      ) : null}
      <VolumeActionDialogs action={action} servers={servers.data ?? []} onClose={() => setAction(null)} onDone={(m) => toast(m, 'info')} />
    </div>
  )
}

function Summary({ live, fast, text }: { live: boolean; fast: boolean; text: string }) {
  return (
    <div className="toolbar">
      <span className="muted toolbar-summary" data-testid="volume-summary">
        {live ? (
          <span className="live" title={`Refreshing every ${(fast ? VOLUME_FAST_POLL_MS : VOLUME_SLOW_POLL_MS) / 1000} seconds${fast ? ' while Cinder works' : ''}`}>
            <span className="live-dot" aria-hidden="true" /> live
          </span>
        ) : null}
        {text}
      </span>
    </div>
  )
}

/** Attach or Detach as the main button (what the status allows), the rest in a menu; disabled items say why. */
function VolumeRowActions({ volume: v, snapshots, onAction }: { volume: Volume; snapshots: readonly VolumeSnapshot[]; onAction: (a: VolumeDialogAction) => void }) {
  const attached = v.attachments[0]
  const block = (a: Parameters<typeof actionBlocker>[0]) => actionBlocker(a, v, snapshots)
  return (
    <span className="volume-actions">
      {attached ? (
        <Button size="sm" icon="close" disabled={Boolean(block('detach'))} title={block('detach')} onClick={() => onAction({ kind: 'detach', volume: v, serverId: attached.server_id })} data-testid="volume-detach">
          Detach
        </Button>
      ) : (
        <Button size="sm" icon="link" disabled={Boolean(block('attach'))} title={block('attach')} onClick={() => onAction({ kind: 'attach', volume: v })} data-testid="volume-attach">
          Attach
        </Button>
      )}
      <Menu
        label={`More actions for ${v.name || v.id}`}
        compact
        data-testid="volume-menu"
        items={[
          { key: 'extend', label: 'Extend…', icon: 'plus', disabled: Boolean(block('extend')), title: block('extend'), onSelect: () => onAction({ kind: 'extend', volume: v }), 'data-testid': 'volume-extend' },
          { key: 'snapshot', label: 'Create snapshot…', icon: 'camera', disabled: Boolean(block('snapshot')), title: block('snapshot'), onSelect: () => onAction({ kind: 'snapshot', volume: v }), 'data-testid': 'volume-snapshot' },
          { key: 'delete', label: 'Delete…', icon: 'trash', danger: true, disabled: Boolean(block('delete')), title: block('delete'), onSelect: () => onAction({ kind: 'delete', volume: v }), 'data-testid': 'volume-delete' },
        ]}
      />
    </span>
  )
}
