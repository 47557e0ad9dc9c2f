/**
 * Desktop entry point (package.json "main"; `npm start`). Starts the same cloud as serve.ts inside Electron's main
 * process and shows the dashboard in a window. Settings: `--data-dir=DIR`, `--port=PORT` or STACKLING_DATA_DIR,
 * STACKLING_PORT, then the port in settings.json (the Settings page); the defaults are the headless server's.
 * Everything that touches Electron is in shell/.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { PortInUseError, startCloud } from './cloud/start-cloud'
import { DEFAULT_PORT, defaultDataDir } from './cloud/platform/paths'
import { readSettingsSync } from './cloud/platform/settings'
import { runDesktopApp } from './shell/desktop-app'

runDesktopApp({
  preloadPath: path.join(__dirname, 'preload', 'index.js'),
  defaultDataDir: defaultDataDir(),
  defaultPort: DEFAULT_PORT,
  async startCloud({ dataDir, port: launchPort, portChosen: launchChosen }) {
    // No --port / STACKLING_PORT: the port chosen on the Settings page (settings.json), if any, else the default.
    const stored = launchChosen ? undefined : readSettingsSync(dataDir).port
    const port = stored ?? launchPort
    const portChosen = launchChosen || stored !== undefined
    // Packaged, the guest image is an extra resource beside app.asar (electron-builder.yml): QEMU needs a real file.
    const packagedImage = path.join(process.resourcesPath ?? '', 'guest-image')
    const config = !process.env.STACKLING_GUEST_IMAGE_DIR && existsSync(packagedImage) ? { guestImageDir: packagedImage } : undefined
    try {
      return await startCloud({ dataDir, port, config })
    } catch (err) {
      // The window follows whatever URL the cloud reports, so when something else holds the usual port any free
      // one will do (clouds.yaml is rewritten with it). A port the user asked for is kept, and its error shown.
      if (err instanceof PortInUseError && !portChosen) return startCloud({ dataDir, port: 0, config })
      throw err
    }
  },
})
