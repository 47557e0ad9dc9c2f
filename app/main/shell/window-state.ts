import { promises as fs } from 'node:fs'
import path from 'node:path'
import { atomicWriteFile } from '../cloud/platform/fs/atomic-write'

// Plain Node on purpose (no 'electron' import): the window remembers its place through this file, and the tests
// run without Electron.

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** What is remembered between runs. `bounds` are the normal (not maximized, not full-screen) bounds. */
export interface WindowState {
  bounds: Rect
  maximized: boolean
  fullScreen: boolean
}

/** Where and how big to open the window. Without x/y the window is centred on the primary display. */
export interface WindowPlacement {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
  fullScreen: boolean
}

export const MIN_SIZE = { width: 800, height: 560 } as const
export const DEFAULT_SIZE = { width: 1280, height: 820 } as const

/** The least of the saved window that must lie on a display for the saved position to be reused. */
const MIN_VISIBLE = { width: 160, height: 80 } as const

/** Reads a saved state; anything unreadable (no file, bad JSON, wrong shape) is `undefined`, never an error. */
export function parseWindowState(text: string): WindowState | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(raw) || !isObject(raw.bounds)) return undefined
  const { x, y, width, height } = raw.bounds
  if (![x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined
  if ((width as number) <= 0 || (height as number) <= 0) return undefined
  return {
    bounds: { x: x as number, y: y as number, width: width as number, height: height as number },
    maximized: raw.maximized === true,
    fullScreen: raw.fullScreen === true,
  }
}

/**
 * Decides where to open the window, given the saved state and the work areas of the connected displays (primary
 * first). A saved position is reused only if enough of the window would land on a display that is still connected;
 * the window is then moved and shrunk as needed to lie wholly inside that display. Otherwise it is centred on the
 * primary display.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[]): WindowPlacement {
  const primary = workAreas[0]
  const fit = (size: { width: number; height: number }, area: Rect | undefined) => ({
    width: Math.round(area ? Math.max(Math.min(size.width, area.width), Math.min(MIN_SIZE.width, area.width)) : size.width),
    height: Math.round(
      area ? Math.max(Math.min(size.height, area.height), Math.min(MIN_SIZE.height, area.height)) : size.height,
    ),
  })
  if (!saved) return { ...fit(DEFAULT_SIZE, primary), maximized: false, fullScreen: false }

  const flags = { maximized: saved.maximized, fullScreen: saved.fullScreen }
  let best: Rect | undefined
  let bestOverlap = { width: 0, height: 0 }
  for (const area of workAreas) {
    const o = overlap(saved.bounds, area)
    if (o.width * o.height > bestOverlap.width * bestOverlap.height) {
      best = area
      bestOverlap = o
    }
  }
  if (!best || bestOverlap.width < MIN_VISIBLE.width || bestOverlap.height < MIN_VISIBLE.height) {
    return { ...fit(saved.bounds, primary), ...flags }
  }
  const size = fit(saved.bounds, best)
  return {
    x: Math.round(clamp(saved.bounds.x, best.x, best.x + best.width - size.width)),
    y: Math.round(clamp(saved.bounds.y, best.y, best.y + best.height - size.height)),
    ...size,
    ...flags,
  }
}

/**
 * The window-state file. `save` writes atomically (temp file, then rename), so a crash leaves the old state or the
 * new one, never half of one; saves run one at a time and `flush` waits for the last. The folder is created if
 * needed. A failure (full disk, unwritable folder) makes `save` reject; callers log it and carry on, since losing
 * the window size is harmless.
 */
export class WindowStateFile {
  private pending: Promise<void> = Promise.resolve()

  constructor(readonly file: string) {}

  async load(): Promise<WindowState | undefined> {
    const text = await fs.readFile(this.file, 'utf8').catch(() => undefined)
    return text === undefined ? undefined : parseWindowState(text)
  }

  save(state: WindowState): Promise<void> {
    const data = JSON.stringify(state, null, 2) + '\n'
    const write = this.pending.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true })
      await atomicWriteFile(this.file, data)
    })
    this.pending = write.catch(() => undefined)
    return write
  }

  flush(): Promise<void> {
    return this.pending
  }
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return width > 0 && height > 0 ? { width, height } : { width: 0, height: 0 }
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(n, max))
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
