import path from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'

// The tray's words, menu and icon choice. Types only from 'electron' (no runtime import): tray.ts builds the Tray
// from them, and the tests read them under plain Node.

/**
 * What the tray shows. `running` is undefined until the first count arrives, or while the cloud cannot be asked
 * (then the tray says nothing rather than a stale or made-up number).
 */
export interface TrayState {
  running: number | undefined
}

export interface TrayActions {
  /** Shows the dashboard window (opening it again if it was closed). */
  openDashboard(): void
  quit(): void
}

/** "No instances running", "1 instance running", "3 instances running"; "Counting instances…" before the first count. */
export function runningLabel(running: number | undefined): string {
  if (running === undefined) return 'Counting instances…'
  if (running === 0) return 'No instances running'
  return `${running} instance${running === 1 ? '' : 's'} running`
}

/** The tooltip (and, on macOS, the title beside the icon's tooltip): "Stackling — 2 running". */
export function trayTooltip(running: number | undefined): string {
  return running === undefined ? 'Stackling' : `Stackling — ${running} running`
}

/**
 * The text beside the icon in the macOS menu bar: the count alone, and nothing when none run, so the menu bar
 * stays quiet. Other platforms show no title.
 */
export function trayTitle(running: number | undefined, platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' && running !== undefined && running > 0 ? String(running) : ''
}

/** Open dashboard · "N instances running" (a label, disabled) · Quit. */
export function trayMenuTemplate(state: TrayState, actions: TrayActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open Dashboard', click: () => actions.openDashboard() },
    { type: 'separator' },
    { id: 'running', label: runningLabel(state.running), enabled: false },
    { type: 'separator' },
    { id: 'quit', label: platform === 'darwin' ? 'Quit Stackling' : 'Quit', click: () => actions.quit() },
  ]
}

/**
 * The PNGs for the tray icon in resources/icons: the size each OS draws (16 pt in the macOS menu bar and the
 * Windows notification area, 24 px on Linux panels) and its double for HiDPI screens. `fallback` is the app icon,
 * which is always packaged (electron-builder.yml lists resources/icon.png).
 */
export function trayIconFiles(appRoot: string, platform: NodeJS.Platform = process.platform): { normal: string; hidpi: string; fallback: string } {
  const icons = path.join(appRoot, 'resources', 'icons')
  const size = platform === 'linux' ? 24 : 16
  return {
    normal: path.join(icons, `${size}x${size}.png`),
    hidpi: path.join(icons, `${size * 2}x${size * 2}.png`),
    fallback: path.join(appRoot, 'resources', 'icon.png'),
  }
}
