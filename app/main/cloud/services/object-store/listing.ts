import { afterPrefix } from './object-repository'
import type { ListingParams } from './models'

export type Listed<T> = { item: T } | { subdir: string }

/**
 * Swift's listing walk over a name-ordered source: limit, marker, end_marker, prefix, delimiter (names with the
 * delimiter after the prefix fold into one `subdir` entry), reverse. `fetch` returns rows strictly between
 * `after` and `before`, in order (descending when reverse). A marker inside a pseudo-folder skips past it, so a
 * client paging with the last subdir as its marker always moves on.
 */
export async function walkListing<T>(
  params: ListingParams,
  nameOf: (t: T) => string,
  fetch: (p: { after?: string; before?: string; prefix?: string; reverse?: boolean; limit: number }) => Promise<T[]>,
): Promise<Listed<T>[]> {
  const { limit, prefix = '', delimiter, reverse } = params
  const out: Listed<T>[] = []
  let marker = params.marker || undefined
  const endMarker = params.endMarker || undefined
  if (marker !== undefined && delimiter && marker.startsWith(prefix)) {
    const i = marker.indexOf(delimiter, prefix.length)
    if (i >= 0) {
      const dir = marker.slice(0, i + delimiter.length)
      // The marker's folder was already listed (as a subdir): skip all of it (reverse: everything before it).
      marker = reverse ? dir : afterPrefix(dir)
    }
  }
  let after = reverse ? endMarker : marker
  let before = reverse ? marker : endMarker
  while (out.length < limit) {
    const want = limit - out.length
    const batch = await fetch({ after, before, prefix: prefix || undefined, reverse, limit: Math.max(want, 100) })
    if (!batch.length) break
    let requery = false
    for (const item of batch) {
      const name = nameOf(item)
      if (delimiter) {
        const i = name.indexOf(delimiter, prefix.length)
        if (i >= 0) {
          const subdir = name.slice(0, i + delimiter.length)
          out.push({ subdir })
          if (reverse) before = subdir
          else after = afterPrefix(subdir)
          requery = true
          break
        }
      }
      out.push({ item })
      if (reverse) before = name
      else after = name
      if (out.length >= limit) break
    }
    if (!requery && batch.length < Math.max(want, 100)) break
  }
  return out.slice(0, limit)
}
