import { useClient } from '../../../lib/openstack/client-provider'
import { listServerVolumes, listVolumes, volumeKeys, type ServerVolumeAttachment, type Volume } from '../../../lib/openstack/volume'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery } from '../../../lib/query'

/**
 * GET /servers/{id}/os-volume_attachments (Nova's view: devices) and, when the cloud has block storage, the
 * volumes (names, sizes, status). Refreshed every 5 s while on screen: an attach or detach finishes later.
 */
export function useServerVolumes(serverId: string) {
  const client = useClient()
  const visible = usePageVisible()
  const hasVolume = Boolean(client.endpoint('volumev3'))
  const attachments = useQuery<ServerVolumeAttachment[]>({ queryKey: volumeKeys.serverAttachments(serverId), queryFn: ({ signal }) => listServerVolumes(client, serverId, signal) })
  const volumes = useQuery<Volume[]>({ queryKey: volumeKeys.volumes, queryFn: ({ signal }) => listVolumes(client, signal), enabled: hasVolume })
  usePolling(visible && attachments.status !== 'pending', attachments.isFetching, attachments.refetch, 5000)
  return { attachments, volumes, hasVolume }
}
