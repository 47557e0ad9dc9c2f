/** What the Electron preload exposes as `window.stackling` (absent in an ordinary browser). */
export interface DesktopSession {
  /** The cloud's base URL or its identity endpoint, e.g. http://127.0.0.1:8799 */
  endpoint: string
  token: string
  expiresAt: string
  userName: string
  projectName: string
}

export interface StacklingBridge {
  getSession(): Promise<DesktopSession>
  openConsole?(serverId: string): Promise<void>
  showItemInFolder?(path: string): Promise<void>
  /** Opens the cloud's data folder in the OS file manager. */
  showDataFolder?(): Promise<void>
  chooseFile?(): Promise<string | null>
}

declare global {
  interface Window {
    stackling?: StacklingBridge
  }
}

export function desktopBridge(): StacklingBridge | undefined {
  return typeof window !== 'undefined' && window.stackling && typeof window.stackling.getSession === 'function' ? window.stackling : undefined
}

/** The identity root named by a desktop session's endpoint (which may be the bare cloud URL). */
export function identityUrlOf(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '')
  return /\/identity(\/v3)?$/.test(trimmed) ? trimmed : `${trimmed}/identity`
}
