/**
 * Numbers and dates for people. Pure: no DOM, no I/O. Sizes use binary units (KiB = 1024 bytes), as
 * `qemu-img info` and Glance's quotas do.
 */

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/** 0 → "0 bytes", 1536 → "1.5 KiB", 16 777 216 → "16 MiB", 1 288 490 189 → "1.2 GiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${Math.round(bytes)} bytes`
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  // Three significant digits at most, and no trailing ".0": 1.5 KiB, 15.3 MiB, 153 MiB.
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  const text = value.toFixed(digits).replace(/\.?0+$/, '')
  return `${text} ${UNITS[unit]}`
}

/** The exact count with thousands separators: 16 777 216 → "16,777,216 bytes". */
export function formatByteCount(bytes: number): string {
  return `${Math.round(bytes).toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'}`
}

/** A transfer rate: 3 355 443 → "3.2 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—'
  return `${formatBytes(bytesPerSecond)}/s`
}

/** Seconds left, rounded for reading: 4 → "4 s", 75 → "1 min 15 s", 4000 → "1 h 6 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
}

/** An ISO date as the reader's locale shows it ("12 Mar 2025, 14:03"); the input itself when unparsable. */
export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** The percentage of a transfer, 0–100, floored so that 100 means done. */
export function percent(loaded: number, total: number): number {
  if (!(total > 0)) return 0
  return Math.max(0, Math.min(100, Math.floor((loaded / total) * 100)))
}
