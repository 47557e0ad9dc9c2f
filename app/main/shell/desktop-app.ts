import path from 'node:path'
import { app, dialog, ipcMain, Menu, session, shell, type BrowserWindow } from 'electron'
import type { Cloud } from '../cloud/start-cloud'
import { ValidatedIpcMain, type Disposable } from './ipc'
import { registerStacklingHandlers } from './ipc-handlers'
import { registerCloudShellHandlers } from './cloud-shell-ipc'
import { PtySessions } from '../cloud/services/cloud-shell/pty-sessions'
import { resolveIdentityOverHttp } from '../cloud/services/cloud-shell/identity-over-http'
import { resolveLaunchOptions, type LaunchOptions } from './launch-options'
import { hardenSession, openMainWindow } from './main-window'
import { appMenuTemplate } from './menu'
import { originOf } from './security-policy'
import { createStacklingTray } from './tray'
import { WindowStateFile } from './window-state'

export interface DesktopAppOptions {
  /** The compiled preload script. */
  preloadPath: string
  /** The headless server's defaults, so both front ends open the same cloud. */
  defaultDataDir: string
  defaultPort: number
  /** Starts the embedded cloud; a rejection's message is shown to the user. */
  startCloud(options: LaunchOptions): Promise<Cloud>
}

/** How long quitting waits for the cloud to stop before leaving anyway. */
const STOP_TIMEOUT_MS = 10_000

/**
 * The desktop app's lifecycle: one instance per data folder (a second launch focuses the first window), the cloud
 * started before the window opens (an error dialog with the reason if it cannot start), and on quit the window's
 * place saved and the cloud stopped before the process exits. Closing the last window quits, except on macOS, where
 * the app stays in the Dock and reopens its window when activated.
 */
export function runDesktopApp(opts: DesktopAppOptions): void {
  const log = (message: string) => console.error(message)
  const launch = resolveLaunchOptions({
    env: process.env,
    switchValue: (name) => app.commandLine.getSwitchValue(name),
    defaultDataDir: opts.defaultDataDir,
    defaultPort: opts.defaultPort,
  })
  if ('error' in launch) {
    void app.whenReady().then(() => showStartError(launch.error, 2))
    return
  }

  // Chromium's profile (caches, local storage) goes inside the cloud's data folder, so one folder is one whole
  // installation, and the single-instance lock (which Electron keys on this path) is per data folder. Both must be
  // set before 'ready'.
  app.setPath('userData', path.join(launch.dataDir, 'desktop'))
  app.enableSandbox()
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  const windowState = new WindowStateFile(path.join(app.getPath('userData'), 'window-state.json'))
  let cloud: Cloud | undefined
  let mainWindow: BrowserWindow | undefined
  let ipcHandlers: Disposable | undefined
  let shellHandlers: (Disposable & { closeAll(): void }) | undefined
  let tray: Disposable | undefined
  let windowOpening = false
  let quitting = false
  let stopping = false

  const openWindow = async (c: Cloud) => {
    if (mainWindow || windowOpening) return
    windowOpening = true
    const win = await openMainWindow({
      cloudUrl: c.url,
      preloadPath: opts.preloadPath,
      state: windowState,
      icon: path.join(app.getAppPath(), 'resources', 'icon.png'),
      log,
    }).finally(() => {
      windowOpening = false
    })
    mainWindow = win
    // Cloud shells belong to the page: a reload or a closed window ends them (and their processes).
    win.webContents.on('did-navigate', () => shellHandlers?.closeAll())
    win.on('closed', () => {
      shellHandlers?.closeAll()
      if (mainWindow === win) mainWindow = undefined
    })
  }

  const focusWindow = () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.show()
    mainWindow.focus()
  }

  app.on('second-instance', focusWindow)

  // A floor for every webContents, the main window's included (main-window.ts then adds its own rules): no
  // <webview>, no second window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })

  const failStartup = async (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err)
    await cloud?.stop().catch(() => undefined)
    showStartError(`${message}\n\nData folder: ${launch.dataDir}`, 1)
  }

  app
    .whenReady()
    .then(async () => {
      cloud = await opts.startCloud(launch)
      const origin = originOf(cloud.url)
      hardenSession(session.defaultSession, origin)
      const ipc = new ValidatedIpcMain(ipcMain, { webContentsId: () => mainWindow?.webContents.id, origin }, log)
      ipcHandlers = registerStacklingHandlers(ipc, { cloud, dataDir: cloud.paths.root, desktop: shell })
      const cloudUrl = cloud.url
      shellHandlers = registerCloudShellHandlers(ipc, {
        sessions: new PtySessions(cloud.paths.root),
        resolve: (token) => resolveIdentityOverHttp(cloudUrl, token),
        send: (event, ...args) => mainWindow?.webContents.send(event, ...args),
      })
      const { paths } = cloud
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          appMenuTemplate({
            openDataFolder: () => void shell.openPath(paths.root).then((e) => e && log(`stackling: ${e}`)),
            showLogFile: () => shell.showItemInFolder(paths.logFile),
            // The docs ship with the app (offline users): README.md and docs/ as extra resources when packaged.
            openDocs: () => void shell.openPath(docsPath()).then((e) => e && log(`stackling: ${e}`)),
          }),
        ),
      )
      // The tray's count comes from the cloud itself; an icon that cannot be created (a Linux desktop without a
      // status area) costs nothing but the icon.
      const c = cloud
      try {
        tray = createStacklingTray({
          cloud: c,
          appRoot: app.getAppPath(),
          log,
          openDashboard: () => {
            if (mainWindow) focusWindow()
            else if (!quitting) openWindow(c).catch((err: unknown) => log(`stackling: could not open the window: ${String(err)}`))
          },
          quit: () => app.quit(),
        })
      } catch (err) {
        log(`stackling: no tray icon: ${String(err)}`)
      }
      await openWindow(cloud)
    })
    .catch(failStartup)

  app.on('activate', () => {
    if (cloud && !quitting) openWindow(cloud).catch((err: unknown) => log(`stackling: could not open the window: ${String(err)}`))
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('before-quit', () => {
    quitting = true
  })

  // 'will-quit' comes after every window has closed (and saved its place): hold the exit until the window state is
  // on disk and the cloud has stopped, then leave.
  // The process always leaves through app.exit below, so this never lets a quit through.
  app.on('will-quit', (event) => {
    event.preventDefault()
    if (stopping) return
    stopping = true
    quitting = true
    ipcHandlers?.dispose()
    shellHandlers?.dispose()
    tray?.dispose()
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref())
    void Promise.race([Promise.allSettled([windowState.flush(), cloud?.stop()]), timeout]).then((outcome) => {
      let code = 0
      if (outcome === 'timeout') {
        log(`stackling: the cloud did not stop within ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`)
        code = 1
      } else if (outcome[1].status === 'rejected') {
        log(`stackling: error while stopping the cloud: ${String(outcome[1].reason)}`)
        code = 1
      }
      app.exit(code)
    })
  })

  // Ctrl-C in the terminal that started the app: quit the same way as from the menu.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit())
}

function showStartError(message: string, exitCode: number): void {
  console.error(`stackling: could not start: ${message}`)
  dialog.showErrorBox('Stackling could not start', message)
  app.exit(exitCode)
}

function docsPath(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'docs', 'README.md') : path.join(app.getAppPath(), 'README.md')
}
