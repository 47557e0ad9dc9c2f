import { BrowserWindow, screen, shell, type Session, type WebContents } from 'electron'
import { decideNavigation, decideWindowOpen, originOf, permissionAllowed, withContentSecurityPolicy } from './security-policy'
import { MIN_SIZE, placeWindow, type WindowStateFile } from './window-state'

export interface MainWindowOptions {
  /** The cloud's base URL (http://127.0.0.1:PORT); the dashboard is at its root. */
  cloudUrl: string
  /** The compiled preload script (build/app/main/preload/index.js). */
  preloadPath: string
  state: WindowStateFile
  /** PNG for the window (Linux, Windows); macOS takes the bundle's icon. */
  icon?: string
  log(message: string): void
}

/**
 * Session-wide rules for the session that shows the dashboard. Call once, before the window loads anything:
 * every permission request and check is refused but clipboard writes and notifications from the dashboard
 * (security-policy.ts), and a second CSP is added to every page that comes from the cloud's origin.
 */
export function hardenSession(session: Session, appOrigin: string): void {
  session.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL(), appOrigin)))
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, appOrigin))
  session.setDevicePermissionHandler(() => false)
  session.webRequest.onHeadersReceived({ urls: [`${appOrigin}/*`] }, (details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') return callback({})
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) })
  })
}

/**
 * Keeps a webContents on the cloud's origin: navigations and redirects elsewhere are cancelled (web addresses open
 * in the OS browser instead), no second window is ever created, and no <webview> may attach.
 */
export function guardWebContents(contents: WebContents, appOrigin: string, log: (message: string) => void): void {
  const openExternally = (url: string) => {
    shell.openExternal(url).catch((err: unknown) => log(`stackling: could not open ${url}: ${String(err)}`))
  }
  const onNavigation = (event: Electron.Event<{ url: string; isMainFrame: boolean }>) => {
    if (!event.isMainFrame) return // subframes are held by the CSP (frame-src falls back to 'self')
    const decision = decideNavigation(event.url, appOrigin)
    if (decision === 'allow') return
    event.preventDefault()
    if (decision === 'open-externally') openExternally(event.url)
    else log(`stackling: blocked navigation to ${event.url}`)
  }
  contents.on('will-navigate', onNavigation)
  contents.on('will-redirect', onNavigation)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (decideWindowOpen(url) === 'open-externally') openExternally(url)
    else log(`stackling: blocked a new window for ${url}`)
    return { action: 'deny' }
  })
}

/**
 * Opens the dashboard window where it was last time (see window-state.ts) and remembers its place when it closes.
 * The window is shown once the page has painted, or at once if the page fails to load.
 */
export async function openMainWindow(opts: MainWindowOptions): Promise<BrowserWindow> {
  const appOrigin = originOf(opts.cloudUrl)
  const primary = screen.getPrimaryDisplay()
  const displays = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)]
  const placement = placeWindow(await opts.state.load(), displays.map((d) => d.workArea))

  const win = new BrowserWindow({
    x: placement.x,
    y: placement.y,
    width: placement.width,
    height: placement.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Stackling',
    backgroundColor: '#ffffff',
    ...(opts.icon ? { icon: opts.icon } : {}),
    // Electron's security checklist, spelled out even where it is the default. (There is no `remote` module to
    // turn off: Electron removed it in version 14.)
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  })
  guardWebContents(win.webContents, appOrigin, opts.log)

  win.once('ready-to-show', () => {
    if (placement.maximized) win.maximize()
    if (placement.fullScreen) win.setFullScreen(true)
    win.show()
  })
  win.on('close', () => {
    opts.state
      .save({ bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() })
      .catch((err: unknown) => opts.log(`stackling: could not save the window state: ${String(err)}`))
  })
  win.webContents.on('render-process-gone', (_event, details) => {
    opts.log(`stackling: the dashboard's renderer process ended (${details.reason}, exit code ${details.exitCode})`)
  })
  win.loadURL(opts.cloudUrl).catch((err: unknown) => {
    opts.log(`stackling: could not load ${opts.cloudUrl}: ${String(err)}`)
    if (!win.isDestroyed() && !win.isVisible()) win.show()
  })
  return win
}
