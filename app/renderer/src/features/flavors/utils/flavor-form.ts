import type { CreateFlavorBody, Flavor } from '../../../lib/openstack/compute'

/** The create-flavor form as typed, its checks (Nova's schema) and the POST /flavors body. Pure: no DOM, no I/O. */
export interface FlavorForm {
  name: string
  /** '' lets Nova pick a UUID. */
  id: string
  vcpus: string
  ramMb: string
  diskGb: string
  ephemeralGb: string
  swapMb: string
  isPublic: boolean
}

export type FlavorErrors = Partial<Record<keyof FlavorForm, string>>

export const emptyFlavorForm = (): FlavorForm => ({ name: '', id: '', vcpus: '1', ramMb: '512', diskGb: '1', ephemeralGb: '0', swapMb: '0', isPublic: true })

const whole = (s: string) => /^\d+$/.test(s.trim())

export function validateFlavorForm(f: FlavorForm, existing: readonly Pick<Flavor, 'id' | 'name'>[] = []): FlavorErrors {
  const e: FlavorErrors = {}
  const name = f.name
  if (!name.trim()) e.name = 'Give the flavor a name.'
  else if (name !== name.trim()) e.name = 'No spaces at the start or the end.'
  else if (/[\x00-\x1f]/.test(name)) e.name = 'No control characters.'
  else if (name.length > 255) e.name = 'At most 255 characters.'
  else if (existing.some((x) => x.name === name)) e.name = 'A flavor has this name already.'
  if (f.id) {
    if (f.id !== f.id.trim() || !/^[a-zA-Z0-9. _-]+$/.test(f.id)) e.id = 'Letters, digits, ., _, - and inner spaces only.'
    else if (f.id.length > 255) e.id = 'At most 255 characters.'
    else if (existing.some((x) => x.id === f.id)) e.id = 'A flavor has this ID already.'
  }
  if (!whole(f.vcpus) || Number(f.vcpus) < 1) e.vcpus = 'A whole number, 1 or more.'
  if (!whole(f.ramMb) || Number(f.ramMb) < 1) e.ramMb = 'Megabytes, 1 or more (the stackling-tiny image needs 128).'
  if (!whole(f.diskGb)) e.diskGb = 'Gigabytes, 0 or more (0: the size of the image).'
  if (!whole(f.ephemeralGb)) e.ephemeralGb = 'Gigabytes, 0 or more.'
  if (!whole(f.swapMb)) e.swapMb = 'Megabytes, 0 or more.'
  return e
}

export const hasErrors = (e: FlavorErrors): boolean => Object.values(e).some(Boolean)

export function buildCreateFlavorBody(f: FlavorForm): CreateFlavorBody {
  const flavor: CreateFlavorBody['flavor'] = {
    name: f.name,
    ram: Number(f.ramMb),
    vcpus: Number(f.vcpus),
    disk: Number(f.diskGb),
  }
  if (f.id.trim()) flavor.id = f.id.trim()
  if (Number(f.ephemeralGb) > 0) flavor['OS-FLV-EXT-DATA:ephemeral'] = Number(f.ephemeralGb)
  if (Number(f.swapMb) > 0) flavor.swap = Number(f.swapMb)
  if (!f.isPublic) flavor['os-flavor-access:is_public'] = false
  return { flavor }
}
