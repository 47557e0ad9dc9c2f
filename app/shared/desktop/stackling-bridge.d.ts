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
}

/** Each IPC channel with the arguments it takes and what it resolves to. Channels are prefixed `stackling:`. */
export interface StacklingChannels {
  'stackling:get-session': { args: []; result: DesktopSession }
  'stackling:show-data-folder': { args: []; result: void }
  'stackling:show-item-in-folder': { args: [path: string]; result: void }
}

export type StacklingChannel = keyof StacklingChannels

/**
 * What every `stackling:` handler replies. Errors travel as data because Electron rewrites the message of an
 * error thrown across `invoke` ("Error invoking remote method …").
 */
export type IpcEnvelope<T> = { result: T } | { error: { message: string } }
