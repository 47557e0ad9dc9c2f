import { SERVER_NAME_MAX, type AbsoluteLimits, type CreateServerBody, type Flavor, type Hypervisor } from '../../../lib/openstack/compute'
import type { Image } from '../../../lib/openstack/image'
import type { Network, SecurityGroup } from '../../../lib/openstack/network'
import { flavorFit, maxCount } from './flavor-fit'
import { checkUserData, encodeUserData } from './user-data'

/** The launch wizard's fields, as typed; validated and turned into POST /servers by the functions below. */
export interface LaunchForm {
  name: string
  count: string
  imageId: string
  flavorId: string
  /** Neutron networks (IDs), one port on each, in the order chosen. */
  networkIds: string[]
  /** Security groups by name (Nova's spelling), applied to every port. */
  securityGroups: string[]
  /** '' for none. */
  keyName: string
  userData: string
  /** Boot from a new volume made from the image (block_device_mapping_v2 image → volume) instead of a local disk. */
  bootFromVolume?: boolean
  /** GB of that volume, as typed. */
  volumeSize?: string
  /** Delete that volume with the instance (else it stays, available, in Storage → Volumes). */
  deleteVolumeOnTermination?: boolean
}

export type LaunchStep = 'details' | 'source' | 'flavor' | 'networks' | 'keypair' | 'configuration' | 'review'

export const LAUNCH_STEPS: { id: LaunchStep; label: string; required?: boolean }[] = [
  { id: 'details', label: 'Details', required: true },
  { id: 'source', label: 'Source', required: true },
  { id: 'flavor', label: 'Flavor', required: true },
  { id: 'networks', label: 'Networks', required: true },
  { id: 'keypair', label: 'Key pair' },
  { id: 'configuration', label: 'Configuration' },
  { id: 'review', label: 'Review' },
]

export type LaunchErrors = Partial<Record<keyof LaunchForm, string>>

/** Which step shows each field (the wizard jumps to the first step with an error). */
export const FIELD_STEP: Record<keyof LaunchForm, LaunchStep> = {
  name: 'details',
  count: 'details',
  imageId: 'source',
  flavorId: 'flavor',
  networkIds: 'networks',
  securityGroups: 'networks',
  keyName: 'keypair',
  userData: 'configuration',
  bootFromVolume: 'source',
  volumeSize: 'source',
  deleteVolumeOnTermination: 'source',
}

export const emptyLaunchForm = (imageId = ''): LaunchForm => ({ name: '', count: '1', imageId, flavorId: '', networkIds: [], securityGroups: [], keyName: '', userData: '' })

export interface LaunchContext {
  images: readonly Image[]
  flavors: readonly Flavor[]
  keypairNames: readonly string[]
  limits?: AbsoluteLimits
  hypervisor?: Hypervisor
  /** The networks the wizard offers (launchableNetworks); undefined while they load. */
  networks?: readonly Network[]
  /** Names of the project's security groups; undefined while they load. */
  securityGroupNames?: readonly string[]
}

/**
 * The networks an instance may be put on: the project's own and shared ones; external networks only for admins
 * (a member's instance belongs behind a router, with a floating IP). Admins also see other projects' networks.
 */
export function launchableNetworks(networks: readonly Network[], projectId: string | undefined, isAdmin: boolean): Network[] {
  return networks
    .filter((n) => (n['router:external'] ? isAdmin : isAdmin || n.shared || n.project_id === projectId))
    .sort((a, b) => Number(a['router:external']) - Number(b['router:external']) || Number(b.project_id === projectId) - Number(a.project_id === projectId) || a.name.localeCompare(b.name))
}

/** DevStack's habit: the project's `private` network; else a visible `private`; else the project's only network. */
export function defaultNetworkIds(offered: readonly Network[], projectId: string | undefined): string[] {
  const internal = offered.filter((n) => !n['router:external'])
  const pick = internal.find((n) => n.name === 'private' && n.project_id === projectId) ?? internal.find((n) => n.name === 'private')
  if (pick) return [pick.id]
  const own = internal.filter((n) => n.project_id === projectId)
  return own.length === 1 ? [own[0]!.id] : []
}

/** The project's security groups that Nova can find by name (names shared by two groups are ambiguous to it). */
export function launchableGroups(groups: readonly SecurityGroup[], projectId: string | undefined): SecurityGroup[] {
  const own = groups.filter((g) => g.project_id === projectId)
  return own.filter((g) => own.filter((x) => x.name === g.name).length === 1).sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)))
}

export const launchableImages = (images: readonly Image[]): Image[] => images.filter((i) => i.status === 'active')

/** Everything wrong with the form, by field; empty when it can be sent. */
export function validateLaunchForm(form: LaunchForm, ctx: LaunchContext): LaunchErrors {
  const errors: LaunchErrors = {}
  const name = form.name.trim()
  if (!name) errors.name = 'Give the instance a name.'
  else if (name.length > SERVER_NAME_MAX) errors.name = `At most ${SERVER_NAME_MAX} characters.`

  const flavor = ctx.flavors.find((f) => f.id === form.flavorId)
  const count = Number(form.count)
  if (!/^\d+$/.test(form.count.trim()) || count < 1) errors.count = 'A whole number, 1 or more.'
  else {
    const max = maxCount(flavor, ctx.limits)
    if (count > max) {
      errors.count = max === 0 ? "The project's quota has no room left for another instance of this size." : `The project's quota allows ${max} more${flavor ? ` of ${flavor.name}` : ''}.`
    }
  }

  const image = ctx.images.find((i) => i.id === form.imageId)
  if (!form.imageId) errors.imageId = 'Choose the image to boot from.'
  else if (!image) errors.imageId = 'That image is no longer available: choose another.'
  else if (image.status !== 'active') errors.imageId = `The image is ${image.status}: only active images can boot.`
  if (form.bootFromVolume) {
    const size = Number(form.volumeSize ?? '')
    const min = bootVolumeMinimum(image)
    if (!/^\d+$/.test((form.volumeSize ?? '').trim()) || size < 1) errors.volumeSize = 'The boot volume needs a whole number of GB, at least 1.'
    else if (size < min) errors.volumeSize = `At least ${min} GB: the image needs that much room.`
  }

  if (!form.flavorId) errors.flavorId = 'Choose a flavor: it sets the vCPUs, RAM and disk.'
  else if (!flavor) errors.flavorId = 'That flavor is no longer available: choose another.'
  else {
    const fit = flavorFit(flavor, { count: Number.isFinite(count) && count > 0 ? count : 1, image, limits: ctx.limits, hypervisor: ctx.hypervisor })
    // Nova refuses what the image or the quota forbid. The host's capacity is the scheduler's call (the dashboard's
    // view of it may be stale): shown as a warning, not a reason to refuse. The count's own error already says the
    // quota is short.
    const blocking = fit.problems.filter((p) => p.kind !== 'host' && !(errors.count && p.kind === 'quota'))
    if (blocking.length) errors.flavorId = blocking[0]!.message
  }

  if (ctx.networks) {
    const gone = form.networkIds.filter((id) => !ctx.networks!.some((n) => n.id === id))
    if (ctx.networks.length && form.networkIds.length === 0) errors.networkIds = 'Choose at least one network: the instance gets a port (an address) on each.'
    else if (gone.length) errors.networkIds = 'A chosen network is no longer offered: choose again.'
  }
  if (ctx.securityGroupNames) {
    const unknown = form.securityGroups.find((g) => !ctx.securityGroupNames!.includes(g))
    if (form.securityGroups.length === 0 && ctx.securityGroupNames.length) errors.securityGroups = 'Choose at least one security group (default lets the instance reach out, and answers its group).'
    else if (unknown) errors.securityGroups = `The security group ${unknown} no longer exists: choose again.`
  }

  if (form.keyName && !ctx.keypairNames.includes(form.keyName)) errors.keyName = 'That key pair no longer exists: choose another or none.'

  const ud = checkUserData(form.userData)
  if (ud.error) errors.userData = ud.error
  return errors
}

export const hasErrors = (e: LaunchErrors): boolean => Object.values(e).some(Boolean)

/** The first step that has an error, in wizard order. */
export function firstStepWithError(e: LaunchErrors): LaunchStep | undefined {
  return LAUNCH_STEPS.find((s) => (Object.keys(e) as (keyof LaunchForm)[]).some((k) => e[k] && FIELD_STEP[k] === s.id))?.id
}

/**
 * POST /servers for a valid form, in Nova 2.1's shape: `networks: [{uuid}]` (a port on each) and
 * `security_groups: [{name}]`. What is not chosen is not sent (Nova's own default).
 */
export function buildCreateServerBody(form: LaunchForm): CreateServerBody {
  const count = Number(form.count) || 1
  const server: CreateServerBody['server'] = { name: form.name.trim(), imageRef: form.imageId, flavorRef: form.flavorId }
  if (form.networkIds.length) server.networks = form.networkIds.map((uuid) => ({ uuid }))
  if (form.securityGroups.length) server.security_groups = form.securityGroups.map((name) => ({ name }))
  if (form.keyName) server.key_name = form.keyName
  if (form.userData.trim()) server.user_data = encodeUserData(form.userData)
  if (form.bootFromVolume) {
    // Nova boots from the mapping: imageRef stays empty, as the CLI's --boot-from-volume sends it.
    server.imageRef = ''
    server.block_device_mapping_v2 = [
      {
        boot_index: 0,
        uuid: form.imageId,
        source_type: 'image',
        destination_type: 'volume',
        volume_size: Number(form.volumeSize),
        delete_on_termination: Boolean(form.deleteVolumeOnTermination),
      },
    ]
  }
  if (count > 1) {
    server.min_count = count
    server.max_count = count
  }
  return { server }
}

/** The names Nova gives a multi-create: "web-1", "web-2", … (one server keeps the name as typed). */
export function launchedNames(form: Pick<LaunchForm, 'name' | 'count'>): string[] {
  const count = Number(form.count) || 1
  const name = form.name.trim()
  return count > 1 ? Array.from({ length: count }, (_, i) => `${name}-${i + 1}`) : [name]
}

/**
 * The CLI form of the request with network names for IDs where the name is unambiguous, as a person types it
 * (`openstack server create --network private --security-group default …`).
 */
export function withNetworkNames(body: CreateServerBody, networks: readonly Network[]): CreateServerBody {
  const nets = body.server.networks
  if (!Array.isArray(nets)) return body
  const named = nets.map((n) => {
    if (!('uuid' in n)) return n
    const net = networks.find((x) => x.id === n.uuid)
    const unique = net && net.name && networks.filter((x) => x.name === net.name).length === 1
    return { uuid: unique ? net.name : n.uuid }
  })
  return { server: { ...body.server, networks: named as { uuid: string }[] } }
}

/** The smallest boot volume for an image, in GB: its min_disk, and room for its (virtual) size. */
export function bootVolumeMinimum(image: Pick<Image, 'min_disk' | 'size' | 'virtual_size'> | undefined): number {
  if (!image) return 1
  const bytes = Math.max(image.virtual_size ?? 0, image.size ?? 0)
  return Math.max(1, image.min_disk ?? 0, Math.ceil(bytes / 1024 ** 3))
}
