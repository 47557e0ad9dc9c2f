import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys } from '../../../lib/openstack/compute'
import {
  attachVolume,
  createSnapshot,
  createVolume,
  deleteSnapshot,
  deleteVolume,
  detachVolume,
  extendVolume,
  volumeKeys,
  type CreateSnapshotBody,
  type CreateVolumeBody,
} from '../../../lib/openstack/volume'
import { useMutation, useQueryClient } from '../../../lib/query'

type Cli = { cli?: string | null }

export function useCreateVolume() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ body, cli }: { body: CreateVolumeBody } & Cli) => createVolume(client, body, { cli }),
    onSuccess: () => qc.invalidate(volumeKeys.all),
  })
}

export function useExtendVolume() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, size, cli }: { id: string; size: number } & Cli) => extendVolume(client, id, size, { cli }),
    onSuccess: () => qc.invalidate(volumeKeys.all),
  })
}

export function useDeleteVolume() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, cli }: { id: string } & Cli) => deleteVolume(client, id, { cli }),
    onSuccess: () => qc.invalidate(volumeKeys.all),
  })
}

export function useCreateSnapshot() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ body, cli }: { body: CreateSnapshotBody } & Cli) => createSnapshot(client, body, { cli }),
    onSuccess: () => qc.invalidate(volumeKeys.all),
  })
}

export function useDeleteSnapshot() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, cli }: { id: string } & Cli) => deleteSnapshot(client, id, { cli }),
    onSuccess: () => qc.invalidate(volumeKeys.all),
  })
}

/** Nova attaches (os-volume_attachments); both the volume and the instance lists change. */
export function useAttachVolume() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ serverId, volumeId, cli }: { serverId: string; volumeId: string } & Cli) => attachVolume(client, serverId, volumeId, { cli }),
    onSuccess: () => Promise.all([qc.invalidate(volumeKeys.all), qc.invalidate(computeKeys.servers)]),
  })
}

export function useDetachVolume() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ serverId, volumeId, cli }: { serverId: string; volumeId: string } & Cli) => detachVolume(client, serverId, volumeId, { cli }),
    onSuccess: () => Promise.all([qc.invalidate(volumeKeys.all), qc.invalidate(computeKeys.servers)]),
  })
}
