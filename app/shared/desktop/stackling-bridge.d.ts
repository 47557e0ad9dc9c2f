/**
 * The desktop bridge: what the Electron preload exposes to the dashboard as `window.stackling`, and the IPC
 * contract behind it. Only the desktop shell provides it; in a plain browser `window.stackling` is absent and the
 * dashboard shows the Keystone login instead.
 *
 * This is a declaration file on purpose: the preload, the shell and the renderer each compile it into their own
 * program, and no project emits a copy of it.
 */

/** A token for the bootstrap admin that the shell hands to its own window, so the machine's owner needs no login. */
export interface DesktopSession {
  /** The Keystone v3 endpoint of the embedded cloud. */
  endpoint: string
  token: string
  /** ISO 8601. */
  expiresAt: string
  userName: string
  projectName: string
}

/** `window.stackling`. Every method rejects with an `Error` whose message is fit to show to the user. */
export interface StacklingBridge {
  getSession(): Promise<DesktopSession>
  /** Opens the cloud's data folder in the OS file manager. */
  showDataFolder(): Promise<void>
  /** Reveals a file in the OS file manager. `path` is absolute or relative to the data folder and must be inside it. */
  showItemInFolder(path: string): Promise<void>
  /** The cloud shell over IPC (the browser uses the /cloud-shell websocket instead). */
  shell: CloudShellBridge
}

/**
 * A terminal in the dashboard: main starts the user's shell in a pty, acting as the owner of `token` (the
 * dashboard's own session token, checked by the cloud). Output and the exit arrive as events for the shell's id.
 */
export interface CloudShellBridge {
  /** Resolves to the new shell's id. Rejects when the token is refused or the pty cannot start. */
  open(token: string, cols: number, rows: number): Promise<string>
  write(id: string, data: string): Promise<void>
  resize(id: string, cols: number, rows: number): Promise<void>
  /** Ends the shell and its processes. Idempotent. */
  close(id: string): Promise<void>
  /** Output of every shell of this window; returns the unsubscribe function. */
  onOutput(listener: (id: string, data: string) => void): () => void
  onExit(listener: (id: string, exitCode: number) => void): () => void
}

/** Each IPC channel with the arguments it takes and what it resolves to. Channels are prefixed `stackling:`. */
export interface StacklingChannels {
  'stackling:get-session': { args: []; result: DesktopSession }
  'stackling:show-data-folder': { args: []; result: void }
  'stackling:show-item-in-folder': { args: [path: string]; result: void }
  'stackling:shell-open': { args: [token: string, cols: number, rows: number]; result: string }
  'stackling:shell-input': { args: [id: string, data: string]; result: void }
  'stackling:shell-resize': { args: [id: string, cols: number, rows: number]; result: void }
  'stackling:shell-close': { args: [id: string]; result: void }
}

/** Events main sends to the window (webContents.send), with their arguments. */
export interface StacklingEvents {
  'stackling:shell-output': [id: string, data: string]
  'stackling:shell-exit': [id: string, exitCode: number]
}

export type StacklingEvent = keyof StacklingEvents

export type StacklingChannel = keyof StacklingChannels

/**
 * What every `stackling:` handler replies. Errors travel as data because Electron rewrites the message of an
 * error thrown across `invoke` ("Error invoking remote method …").
 */
export type IpcEnvelope<T> = { result: T } | { error: { message: string } }
