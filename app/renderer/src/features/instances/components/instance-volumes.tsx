import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { Card } from '../../../components/ui/page'
import { Spinner } from '../../../components/ui/spinner'
import { IdText } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useClient, useSession } from '../../../lib/openstack/client-provider'
import type { Server } from '../../../lib/openstack/compute'
import { computeKeys } from '../../../lib/openstack/compute'
import { OpenStackError, describeError } from '../../../lib/openstack/errors'
import { detachVolume, volumeKeys } from '../../../lib/openstack/volume'
import { useQueryClient } from '../../../lib/query'
import { Link } from '../../../lib/router'
import { useServerVolumes } from '../api/get-server-volumes'

/** A guest's first disk: the root of a boot-from-volume instance, which Nova refuses to detach. */
const isRoot = (device: string | null) => /^\/dev\/(x?v|s|h)da$/.test(device ?? '')

/** The instance's volumes: device, name, size, status, and a Detach button (confirmed). */
export function InstanceVolumes({ server }: { server: Server }) {
  const client = useClient()
  const canAct = useSession().roles.some((r) => r !== 'reader')
  const qc = useQueryClient()
  const toast = useToast()
  const { attachments, volumes, hasVolume } = useServerVolumes(server.id)
  const [detaching, setDetaching] = useState<string | null>(null)
  const rows = [...(attachments.data ?? [])].sort((a, b) => (a.device ?? '').localeCompare(b.device ?? ''))
  const vol = (id: string) => volumes.data?.find((v) => v.id === id)
  const name = (id: string) => vol(id)?.name || id
  const target = detaching ? rows.find((a) => a.volumeId === detaching) : undefined
  return (
    <Card title="Volumes" data-testid="instance-volumes" actions={hasVolume ? <Link to="/storage/volumes">Volumes →</Link> : undefined}>
      {attachments.status === 'pending' ? (
        <Spinner size="sm" label="Loading volumes…" />
      ) : attachments.status === 'error' && !attachments.data ? (
        <Alert tone={attachments.error instanceof OpenStackError && attachments.error.status === 501 ? 'info' : 'danger'}>{describeError(attachments.error, 'list its volumes')}</Alert>
      ) : rows.length === 0 ? (
        <p className="muted" data-testid="instance-volumes-empty">
          No volume attached. Attach one from Storage → Volumes (<code>openstack server add volume {shellQuote(server.name || server.id)} v1</code>).
        </p>
      ) : (
        <ul className="instance-volume-list">
          {rows.map((a) => {
            const v = vol(a.volumeId)
            return (
              <li key={a.volumeId} className="instance-volume" data-testid="instance-volume" data-volume-id={a.volumeId} data-name={v?.name ?? ''} data-device={a.device ?? ''}>
                <code className="instance-volume-device" data-testid="instance-volume-device">
                  {a.device ?? '—'}
                </code>
                <span className="instance-volume-name">
                  <strong>{v?.name || <IdText id={a.volumeId} />}</strong>
                  {v ? <span className="muted small">{v.size} GB</span> : null}
                  {v ? (
                    <Badge tone={v.status === 'in-use' ? 'info' : 'warning'} dot>
                      {v.status}
                    </Badge>
                  ) : null}
                </span>
                {canAct ? (
                  <Button
                    size="sm"
                    icon="close"
                    onClick={() => setDetaching(a.volumeId)}
                    disabled={v?.status === 'detaching' || isRoot(a.device)}
                    title={isRoot(a.device) ? "The boot disk: Nova cannot detach it (delete the instance instead)." : undefined}
                    data-testid="instance-volume-detach"
                  >
                    Detach
                  </Button>
                ) : null}
              </li>
            )
          })}
        </ul>
      )}
      {target ? (
        <ConfirmDialog
          title={`Detach ${name(target.volumeId)}?`}
          confirmLabel="Detach"
          describe={(e) => describeError(e, 'detach volumes')}
          onClose={() => setDetaching(null)}
          onConfirm={async () => {
            const cli = `openstack server remove volume ${shellQuote(server.name || server.id)} ${shellQuote(name(target.volumeId))}`
            await detachVolume(client, server.id, target.volumeId, { cli })
            toast(`${name(target.volumeId)} is detaching from ${server.name || server.id}.`, 'info')
            await Promise.all([qc.invalidate(volumeKeys.all), qc.invalidate(computeKeys.server(server.id))])
          }}
        >
          <p>
            <code>{target.device}</code> is unplugged from the guest. Unmount it inside first: writes still in the guest's cache are lost.
          </p>
        </ConfirmDialog>
      ) : null}
    </Card>
  )
}
