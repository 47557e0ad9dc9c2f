import { Menu, nativeImage, Tray, type NativeImage } from 'electron'
import type { Cloud } from '../cloud/start-cloud'
import type { Disposable } from './ipc'
import { RunningInstancesMonitor } from './running-instances'
import { trayIconFiles, trayMenuTemplate, trayTitle, trayTooltip, type TrayActions, type TrayState } from './tray-model'

export interface StacklingTrayOptions extends TrayActions {
  cloud: Pick<Cloud, 'url' | 'localAdminSession'>
  /** The app's root (app.getAppPath()): resources/icons is below it. */
  appRoot: string
  log(message: string): void
  /** How often the running instances are counted (default 5 s). */
  intervalMs?: number
}

/**
 * The tray (menu-bar) icon: "Stackling — N running" as its tooltip (and N beside the icon on macOS), and a menu
 * with Open Dashboard, the count, and Quit. The count follows the cloud every few seconds, and again whenever
 * the menu opens. Dispose before the cloud stops: it ends the polling and removes the icon.
 */
export function createStacklingTray(opts: StacklingTrayOptions): Disposable {
  const tray = new Tray(trayIcon(opts.appRoot, opts.log))
  const state: TrayState = { running: undefined }
  const render = () => {
    if (tray.isDestroyed()) return
    tray.setToolTip(trayTooltip(state.running))
    if (process.platform === 'darwin') tray.setTitle(trayTitle(state.running))
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, { openDashboard: opts.openDashboard, quit: opts.quit })))
  }
  const monitor = new RunningInstancesMonitor({
    cloudUrl: opts.cloud.url,
    session: () => opts.cloud.localAdminSession(),
    intervalMs: opts.intervalMs,
    log: opts.log,
    onChange: (running) => {
      state.running = running
      render()
    },
  })
  render()
  // Windows and Linux open the dashboard on a click (the menu is on the right button); on macOS a click opens the
  // menu, as menu-bar items do. Either way the count is refreshed as the person looks at it.
  tray.on('click', () => {
    void monitor.refresh()
    if (process.platform !== 'darwin') opts.openDashboard()
  })
  tray.on('right-click', () => void monitor.refresh())
  monitor.start()
  return {
    dispose: () => {
      monitor.dispose()
      if (!tray.isDestroyed()) tray.destroy()
    },
  }
}

function trayIcon(appRoot: string, log: (message: string) => void): NativeImage {
  const files = trayIconFiles(appRoot)
  let image = nativeImage.createFromPath(files.normal)
  if (image.isEmpty()) {
    // Not packaged (resources/icons is a source folder): scale the app icon down instead.
    image = nativeImage.createFromPath(files.fallback).resize({ width: process.platform === 'linux' ? 24 : 16 })
  } else {
    const hidpi = nativeImage.createFromPath(files.hidpi)
    if (!hidpi.isEmpty()) image.addRepresentation({ scaleFactor: 2, buffer: hidpi.toPNG() })
  }
  if (image.isEmpty()) log('stackling: no tray icon found under resources/')
  return image
}
