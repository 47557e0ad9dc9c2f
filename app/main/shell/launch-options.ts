import path from 'node:path'

export interface LaunchOptions {
  /** The cloud's data folder (absolute). */
  dataDir: string
  port: number
  /** True when the user chose the port; then a busy port is an error instead of a reason to take any free one. */
  portChosen: boolean
}

export interface LaunchInputs {
  env: NodeJS.ProcessEnv
  /** A command-line switch's value (`--data-dir=DIR`), or '' / undefined when absent (Electron's `getSwitchValue`). */
  switchValue(name: string): string | undefined
  defaultDataDir: string
  defaultPort: number
}

/**
 * The desktop app's settings, from `--data-dir=DIR` / `--port=PORT` (Chromium-style switches, so `=` is required),
 * then STACKLING_DATA_DIR / STACKLING_PORT, then the defaults shared with the headless server, so both open the
 * same cloud.
 */
export function resolveLaunchOptions(input: LaunchInputs): LaunchOptions | { error: string } {
  const dataDir = input.switchValue('data-dir') || input.env.STACKLING_DATA_DIR || input.defaultDataDir
  const portText = input.switchValue('port') || input.env.STACKLING_PORT || ''
  if (portText === '') return { dataDir: path.resolve(dataDir), port: input.defaultPort, portChosen: false }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return { error: `The port must be a number from 0 to 65535, not '${portText}'.` }
  }
  return { dataDir: path.resolve(dataDir), port: Number(portText), portChosen: true }
}
