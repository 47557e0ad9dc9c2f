import { PreconditionFailed, RangeNotSatisfiable } from '../errors'

export interface ByteRange {
  start: number
  /** Inclusive. */
  end: number
}

/**
 * Parses a Range header against a body of `size` bytes (RFC 9110 §14): `bytes=0-99,200-,-50`. Returns undefined
 * when the header is absent or not a bytes range Swift would honour (the whole body is then sent); throws 416 when
 * no range is satisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange[] | undefined {
  if (!header) return undefined
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header)
  if (!m) return undefined
  const ranges: ByteRange[] = []
  for (const part of m[1]!.split(',')) {
    const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(part)
    if (!r || (r[1] === '' && r[2] === '')) return undefined
    if (r[1] === '') {
      const suffix = Number(r[2])
      if (suffix === 0) continue
      ranges.push({ start: Math.max(0, size - suffix), end: size - 1 })
    } else {
      const start = Number(r[1])
      const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1)
      if (r[2] !== '' && Number(r[2]) < start) return undefined
      if (start >= size) continue
      ranges.push({ start, end })
    }
  }
  // Swift refuses a header with more than 100 ranges by ignoring it (answering the whole object).
  if (m[1]!.split(',').length > 100) return undefined
  if (!ranges.length) throw new RangeNotSatisfiable('Requested range not satisfiable')
  return ranges
}

function etagList(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
}

function httpDate(header: string | undefined): number | undefined {
  if (!header) return undefined
  const t = Date.parse(header)
  return Number.isNaN(t) ? undefined : t / 1000
}

/**
 * Evaluates If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since for an object with `etag` (hex,
 * unquoted) last modified at `lastModified` (seconds, already rounded up as Last-Modified shows it).
 * Returns 304 when the client's copy is current, throws 412 when a precondition fails, else undefined.
 */
export function checkConditions(
  headers: Record<string, string | string[] | undefined>,
  etag: string,
  lastModified: number,
  isRead: boolean,
): 304 | undefined {
  const h = (k: string) => {
    const v = headers[k]
    return Array.isArray(v) ? v[0] : v
  }
  const ifMatch = h('if-match')
  if (ifMatch !== undefined) {
    const tags = etagList(ifMatch)
    if (!tags.includes('*') && !tags.includes(etag)) throw new PreconditionFailed('A precondition for this request was not met.')
  } else {
    const since = httpDate(h('if-unmodified-since'))
    if (since !== undefined && lastModified > since) throw new PreconditionFailed('A precondition for this request was not met.')
  }
  const ifNone = h('if-none-match')
  if (ifNone !== undefined) {
    const tags = etagList(ifNone)
    if (tags.includes('*') || tags.includes(etag)) {
      if (isRead) return 304
      throw new PreconditionFailed('A precondition for this request was not met.')
    }
  } else if (isRead) {
    const since = httpDate(h('if-modified-since'))
    if (since !== undefined && lastModified <= since) return 304
  }
  return undefined
}
