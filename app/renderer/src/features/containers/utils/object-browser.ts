import type { ListingEntry } from '../../../lib/openstack/object-store'

/**
 * The pure logic of the object browser: folder levels from a delimiter listing, breadcrumbs, names a container
 * or object may take. No I/O.
 */

export interface FolderRow {
  kind: 'folder'
  /** Full prefix, ending with '/'. */
  prefix: string
  /** Shown name (the last part, with its slash). */
  label: string
}
export interface ObjectRow {
  kind: 'object'
  name: string
  label: string
  bytes: number
  lastModified: string
  contentType: string
}
export type BrowserRow = FolderRow | ObjectRow

/** Folders first, then objects, each by name; `prefix` is stripped from the labels. */
export function browserRows(entries: readonly ListingEntry[], prefix: string): BrowserRow[] {
  const folders: FolderRow[] = []
  const objects: ObjectRow[] = []
  for (const e of entries) {
    if ('subdir' in e) folders.push({ kind: 'folder', prefix: e.subdir, label: e.subdir.slice(prefix.length) })
    else if (e.name !== prefix) objects.push({ kind: 'object', name: e.name, label: e.name.slice(prefix.length), bytes: e.bytes, lastModified: e.last_modified, contentType: e.content_type })
  }
  folders.sort((a, b) => a.prefix.localeCompare(b.prefix))
  objects.sort((a, b) => a.name.localeCompare(b.name))
  return [...folders, ...objects]
}

/** `a/b/` → [{label:'a', prefix:'a/'}, {label:'b', prefix:'a/b/'}]. */
export function breadcrumbs(prefix: string): { label: string; prefix: string }[] {
  const parts = prefix.split('/').filter(Boolean)
  return parts.map((label, i) => ({ label, prefix: `${parts.slice(0, i + 1).join('/')}/` }))
}

/** Swift's rules: 1–256 bytes, no '/'. Returns what is wrong, or undefined. */
export function containerNameError(name: string): string | undefined {
  if (!name) return 'Give the container a name.'
  if (name.includes('/')) return 'A container name cannot contain “/” (use pseudo-folders inside it instead).'
  if (new TextEncoder().encode(name).length > 256) return 'At most 256 bytes.'
  if (name.endsWith('_segments')) return 'Names ending in “_segments” hold the parts of large uploads; choose another.'
  return undefined
}

/** Object names: 1–1024 bytes; no leading '/', no '//' (an empty pseudo-folder level). */
export function objectNameError(name: string): string | undefined {
  if (!name) return 'Give the object a name.'
  if (name.startsWith('/')) return 'An object name cannot start with “/”.'
  if (name.includes('//')) return 'Two slashes in a row would make an empty folder name.'
  if (new TextEncoder().encode(name).length > 1024) return 'At most 1024 bytes.'
  return undefined
}

/** A folder name the user types becomes a prefix under the current one (`photos` in `a/` → `a/photos/`). */
export function folderPrefix(current: string, name: string): string {
  return `${current}${name.replace(/^\/+|\/+$/g, '')}/`
}

/** The CLI to upload `file` as `object` (the `--name` only when they differ). */
export function uploadCli(container: string, object: string, fileName: string, large: boolean, q: (s: string) => string): string {
  if (large) return `swift upload --use-slo --segment-size 64M ${object !== fileName ? `--object-name ${q(object)} ` : ''}${q(container)} ${q(fileName)}`
  return object === fileName ? `openstack object create ${q(container)} ${q(fileName)}` : `openstack object create --name ${q(object)} ${q(container)} ${q(fileName)}`
}
