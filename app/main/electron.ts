/**
 * Desktop entry point (package.json "main"; `npm start`). Starts the same cloud as serve.ts inside Electron's main
 * process and shows the dashboard in a window. Settings: `--data-dir=DIR`, `--port=PORT` or STACKLING_DATA_DIR,
 * STACKLING_PORT; the defaults are the headless server's. Everything that touches Electron is in shell/.
 */
import path from 'node:path'
import { PortInUseError, startCloud } from './cloud/start-cloud'
import { DEFAULT_PORT, defaultDataDir } from './cloud/platform/paths'
import { runDesktopApp } from './shell/desktop-app'

runDesktopApp({
  preloadPath: path.join(__dirname, 'preload', 'index.js'),
  defaultDataDir: defaultDataDir(),
  defaultPort: DEFAULT_PORT,
  async startCloud({ dataDir, port, portChosen }) {
    try {
      return await startCloud({ dataDir, port })
    } catch (err) {
      // The window follows whatever URL the cloud reports, so when something else holds the usual port any free
      // one will do (clouds.yaml is rewritten with it). A port the user asked for is kept, and its error shown.
      if (err instanceof PortInUseError && !portChosen) return startCloud({ dataDir, port: 0 })
      throw err
    }
  },
})
