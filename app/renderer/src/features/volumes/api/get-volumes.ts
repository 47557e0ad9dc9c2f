import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listServers, type Server } from '../../../lib/openstack/compute'
import { imageKeys, listImages, type Image } from '../../../lib/openstack/image'
import { listSnapshots, listVolumeTypes, listVolumes, volumeKeys, type Volume, type VolumeSnapshot, type VolumeType } from '../../../lib/openstack/volume'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import { needsPolling } from '../utils/volume-status'

/** While something is creating, attaching, extending…: every 2 s; otherwise every 10 s (another client may act). */
export const VOLUME_FAST_POLL_MS = 2000
export const VOLUME_SLOW_POLL_MS = 10_000

/** GET /volume/v3/{project_id}/volumes/detail. */
export const getVolumesQueryOptions = (client: OpenStackClient): QueryOptions<Volume[]> => ({
  queryKey: volumeKeys.volumes,
  queryFn: ({ signal }) => listVolumes(client, signal),
})

/** GET /volume/v3/{project_id}/snapshots/detail. */
export const getSnapshotsQueryOptions = (client: OpenStackClient): QueryOptions<VolumeSnapshot[]> => ({
  queryKey: volumeKeys.snapshots,
  queryFn: ({ signal }) => listSnapshots(client, signal),
})

/** Volumes and snapshots together, refreshed while on screen: fast while any of them is in transition. */
export function useVolumesAndSnapshots() {
  const client = useClient()
  const visible = usePageVisible()
  const volumes = useQuery(getVolumesQueryOptions(client))
  const snapshots = useQuery(getSnapshotsQueryOptions(client))
  const fast = needsPolling(volumes.data, snapshots.data)
  const ms = fast ? VOLUME_FAST_POLL_MS : VOLUME_SLOW_POLL_MS
  usePolling(visible && volumes.status !== 'pending', volumes.isFetching, volumes.refetch, ms)
  usePolling(visible && snapshots.status !== 'pending', snapshots.isFetching, snapshots.refetch, ms)
  return { volumes, snapshots, live: visible, fast }
}

/** GET /types: the choices of the create dialog. */
export function useVolumeTypes() {
  const client = useClient()
  return useQuery<VolumeType[]>({ queryKey: volumeKeys.types, queryFn: ({ signal }) => listVolumeTypes(client, signal) })
}

/** The project's instances (names in the list, choices of the attach dialog). */
export function useServers() {
  const client = useClient()
  return useQuery<Server[]>({ queryKey: computeKeys.serverList, queryFn: ({ signal }) => listServers(client, signal), enabled: Boolean(client.endpoint('compute')) })
}

/** Active images, for "create from an image". */
export function useImages(enabled: boolean) {
  const client = useClient()
  return useQuery<Image[]>({ queryKey: imageKeys.list, queryFn: ({ signal }) => listImages(client, { signal, sort: 'name:asc' }), enabled: enabled && Boolean(client.endpoint('image')) })
}
