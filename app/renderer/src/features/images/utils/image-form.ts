import { IMAGE_CORE_ATTRIBUTES } from '../../../lib/openstack/cli-equivalent'
import { IMAGE_NAME_MAX, PROPERTY_MAX, type CreateImageBody, type Image, type ImagePatchOp, type ImageVisibility } from '../../../lib/openstack/image'

/**
 * The image forms (upload, create from URL, edit) as plain data: validation with words that say how to fix
 * the input, the POST body, and the JSON-patch of an edit. Pure: no DOM, no I/O.
 */

export interface PropertyRow {
  /** A stable key for React; never sent. */
  rowId: number
  key: string
  value: string
}

export interface ImageEditForm {
  name: string
  visibility: ImageVisibility | string
  protected: boolean
  minDisk: string
  minRam: string
  properties: PropertyRow[]
}

export interface PropertyErrors {
  key?: string
  value?: string
}

export interface ImageEditErrors {
  name?: string
  minDisk?: string
  minRam?: string
  /** By rowId. */
  properties?: Record<number, PropertyErrors>
}

/** Properties Glance writes itself (os_glance_import_task, os_glance_failed_import, …): shown, never edited. */
export const isSystemProperty = (key: string) => key.startsWith('os_glance')

/** The image's custom properties (every key that is not a Glance attribute), sorted, values as text. */
export function customProperties(image: Image): [string, string][] {
  return Object.keys(image)
    .filter((k) => !IMAGE_CORE_ATTRIBUTES.has(k))
    .sort()
    .map((k) => {
      const v = image[k]
      return [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]
    })
}

let nextRowId = 1
export const newPropertyRow = (key = '', value = ''): PropertyRow => ({ rowId: nextRowId++, key, value })

export function formFromImage(image: Image): ImageEditForm {
  return {
    name: image.name ?? '',
    visibility: image.visibility,
    protected: image.protected,
    minDisk: String(image.min_disk ?? 0),
    minRam: String(image.min_ram ?? 0),
    properties: customProperties(image)
      .filter(([k]) => !isSystemProperty(k))
      .map(([k, v]) => newPropertyRow(k, v)),
  }
}

/** '' → 0; "12" → 12; anything else (negative, fractional, words) → undefined. */
export function parseCount(s: string): number | undefined {
  const t = s.trim()
  if (t === '') return 0
  if (!/^\d+$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

function checkName(name: string): string | undefined {
  const n = name.trim()
  if (!n) return 'Give the image a name: instances and the CLI refer to it by name.'
  if (n.length > IMAGE_NAME_MAX) return `Use at most ${IMAGE_NAME_MAX} characters (this one has ${n.length}).`
  return undefined
}

const checkCount = (s: string, unit: string) => (parseCount(s) === undefined ? `Enter a whole number of ${unit}, 0 or more.` : undefined)

export function validateEditForm(form: ImageEditForm): ImageEditErrors {
  const errors: ImageEditErrors = {}
  const name = checkName(form.name)
  if (name) errors.name = name
  const minDisk = checkCount(form.minDisk, 'gigabytes')
  if (minDisk) errors.minDisk = minDisk
  const minRam = checkCount(form.minRam, 'megabytes')
  if (minRam) errors.minRam = minRam
  const props: Record<number, PropertyErrors> = {}
  const seen = new Map<string, number>()
  for (const row of form.properties) {
    const key = row.key.trim()
    const e: PropertyErrors = {}
    if (!key && !row.value) continue // an empty row is ignored
    if (!key) e.key = 'Give the property a key, or remove the row.'
    else if (IMAGE_CORE_ATTRIBUTES.has(key)) e.key = `"${key}" is a Glance attribute, not a custom property: choose another key.`
    else if (isSystemProperty(key)) e.key = 'Keys starting with os_glance are reserved for Glance itself.'
    else if (key.length > PROPERTY_MAX) e.key = `Use at most ${PROPERTY_MAX} characters.`
    else if (seen.has(key)) e.key = `"${key}" appears twice: keep one row.`
    if (row.value.length > PROPERTY_MAX) e.value = `Use at most ${PROPERTY_MAX} characters.`
    if (key) seen.set(key, row.rowId)
    if (e.key || e.value) props[row.rowId] = e
  }
  if (Object.keys(props).length) errors.properties = props
  return errors
}

export const hasErrors = (errors: object): boolean =>
  Object.values(errors).some((v) => (v && typeof v === 'object' ? Object.keys(v as object).length > 0 : Boolean(v)))

/** A JSON pointer to a top-level key (RFC 6901): "~" → "~0", "/" → "~1". */
export const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`

/**
 * The JSON-patch that turns `image` into what the form says: replace for changed attributes, add/replace for
 * custom properties set, remove for those deleted. Empty when nothing changed. Call after validateEditForm().
 */
export function buildImagePatch(image: Image, form: ImageEditForm): ImagePatchOp[] {
  const ops: ImagePatchOp[] = []
  const name = form.name.trim()
  if (name !== (image.name ?? '')) ops.push({ op: 'replace', path: '/name', value: name })
  if (form.visibility !== image.visibility) ops.push({ op: 'replace', path: '/visibility', value: form.visibility })
  if (form.protected !== image.protected) ops.push({ op: 'replace', path: '/protected', value: form.protected })
  const minDisk = parseCount(form.minDisk)
  if (minDisk !== undefined && minDisk !== (image.min_disk ?? 0)) ops.push({ op: 'replace', path: '/min_disk', value: minDisk })
  const minRam = parseCount(form.minRam)
  if (minRam !== undefined && minRam !== (image.min_ram ?? 0)) ops.push({ op: 'replace', path: '/min_ram', value: minRam })

  const before = new Map(customProperties(image).filter(([k]) => !isSystemProperty(k)))
  const after = new Map<string, string>()
  for (const row of form.properties) {
    const key = row.key.trim()
    if (key) after.set(key, row.value)
  }
  for (const key of before.keys()) if (!after.has(key)) ops.push({ op: 'remove', path: pointer(key) })
  for (const [key, value] of after) {
    if (!before.has(key)) ops.push({ op: 'add', path: pointer(key), value })
    else if (before.get(key) !== value) ops.push({ op: 'replace', path: pointer(key), value })
  }
  return ops
}

// Upload and create-from-URL

export interface NewImageForm {
  name: string
  diskFormat: string
  visibility: ImageVisibility
  minDisk: string
  minRam: string
}

export interface NewImageErrors {
  file?: string
  url?: string
  name?: string
  diskFormat?: string
  minDisk?: string
  minRam?: string
}

function validateNewImage(form: NewImageForm): NewImageErrors {
  const errors: NewImageErrors = {}
  const name = checkName(form.name)
  if (name) errors.name = name
  if (!form.diskFormat) errors.diskFormat = 'Choose the disk format of the file (qemu-img info <file> tells you).'
  const minDisk = checkCount(form.minDisk, 'gigabytes')
  if (minDisk) errors.minDisk = minDisk
  const minRam = checkCount(form.minRam, 'megabytes')
  if (minRam) errors.minRam = minRam
  return errors
}

export function validateUploadForm(form: NewImageForm, file: { name: string; size: number } | null): NewImageErrors {
  const errors = validateNewImage(form)
  if (!file) errors.file = 'Choose the image file to upload.'
  else if (file.size === 0) errors.file = 'This file is empty: choose the image file itself.'
  return errors
}

export function validateImportForm(form: NewImageForm, url: string): NewImageErrors {
  const errors = validateNewImage(form)
  const u = url.trim()
  if (!u) errors.url = 'Enter the address Glance should download the image from.'
  else {
    let parsed: URL | undefined
    try {
      parsed = new URL(u)
    } catch {
      parsed = undefined
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) errors.url = 'Enter an http:// or https:// address, e.g. https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img'
  }
  return errors
}

/** The POST /v2/images body of a new image; Glance's container_format is "bare" for every disk image here. */
export function createImageBody(form: NewImageForm): CreateImageBody {
  return {
    name: form.name.trim(),
    disk_format: form.diskFormat,
    container_format: 'bare',
    visibility: form.visibility,
    min_disk: parseCount(form.minDisk) ?? 0,
    min_ram: parseCount(form.minRam) ?? 0,
  }
}
