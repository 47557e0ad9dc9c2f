import { SERVER_NAME_MAX, type AbsoluteLimits, type CreateServerBody, type Flavor, type Hypervisor } from '../../../lib/openstack/compute'
import type { Image } from '../../../lib/openstack/image'
import { flavorFit, maxCount } from './flavor-fit'
import { checkUserData, encodeUserData } from './user-data'

/** The launch wizard's fields, as typed; validated and turned into POST /servers by the functions below. */
export interface LaunchForm {
  name: string
  count: string
  imageId: string
  flavorId: string
  /** '' for none. */
  keyName: string
  userData: string
}

export type LaunchStep = 'details' | 'source' | 'flavor' | 'keypair' | 'configuration'

export const LAUNCH_STEPS: { id: LaunchStep; label: string }[] = [
  { id: 'details', label: 'Details' },
  { id: 'source', label: 'Source' },
  { id: 'flavor', label: 'Flavor' },
  { id: 'keypair', label: 'Key pair' },
  { id: 'configuration', label: 'Configuration' },
]

export type LaunchErrors = Partial<Record<keyof LaunchForm, string>>

/** Which step shows each field (the wizard jumps to the first step with an error). */
export const FIELD_STEP: Record<keyof LaunchForm, LaunchStep> = {
  name: 'details',
  count: 'details',
  imageId: 'source',
  flavorId: 'flavor',
  keyName: 'keypair',
  userData: 'configuration',
}

export const emptyLaunchForm = (imageId = ''): LaunchForm => ({ name: '', count: '1', imageId, flavorId: '', keyName: '', userData: '' })

export interface LaunchContext {
  images: readonly Image[]
  flavors: readonly Flavor[]
  keypairNames: readonly string[]
  limits?: AbsoluteLimits
  hypervisor?: Hypervisor
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

/** POST /servers for a valid form. Nova 2.1 takes networks as a list; Stackling gives every instance its user network. */
export function buildCreateServerBody(form: LaunchForm): CreateServerBody {
  const count = Number(form.count) || 1
  const server: CreateServerBody['server'] = { name: form.name.trim(), imageRef: form.imageId, flavorRef: form.flavorId }
  if (form.keyName) server.key_name = form.keyName
  if (form.userData.trim()) server.user_data = encodeUserData(form.userData)
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
