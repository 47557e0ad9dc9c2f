import type { Cloud } from '../cloud/start-cloud'
import { resolveInsideDataDir } from './data-folder'
import { noArgs, onePath, type Disposable, type ValidatedIpcMain } from './ipc'

/** The OS actions the handlers need; desktop-app.ts passes Electron's `shell`. */
export interface DesktopActions {
  /** Resolves to '' on success, otherwise to an error message (Electron's `shell.openPath`). */
  openPath(path: string): Promise<string>
  showItemInFolder(path: string): void
}

export interface HandlerDeps {
  cloud: Pick<Cloud, 'localAdminSession'>
  /** The cloud's data folder; `showItemInFolder` reveals nothing outside it. */
  dataDir: string
  desktop: DesktopActions
}

/** Registers every `stackling:` channel the preload exposes; disposing removes them all. */
export function registerStacklingHandlers(ipc: ValidatedIpcMain, deps: HandlerDeps): Disposable {
  const registered = [
    ipc.handle('stackling:get-session', noArgs, () => deps.cloud.localAdminSession()),
    ipc.handle('stackling:show-data-folder', noArgs, async () => {
      const failure = await deps.desktop.openPath(deps.dataDir)
      if (failure) throw new Error(`Could not open the data folder: ${failure}`)
    }),
    ipc.handle('stackling:show-item-in-folder', onePath, async (p) => {
      deps.desktop.showItemInFolder(await resolveInsideDataDir(deps.dataDir, p))
    }),
  ]
  return { dispose: () => registered.forEach((d) => d.dispose()) }
}
