/**
 * The preload of the dashboard window. It runs sandboxed, where `require` knows only 'electron' (and a few Node
 * built-ins), so this file must stay self-contained: anything else may be imported for its types only.
 *
 * It exposes `window.stackling` (StacklingBridge) and nothing more: no raw ipcRenderer, no generic invoke.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { StacklingBridge, StacklingChannel, StacklingChannels } from '../../shared/desktop/stackling-bridge'

const CHANNELS: ReadonlySet<string> = new Set<StacklingChannel>([
  'stackling:get-session',
  'stackling:show-data-folder',
  'stackling:show-item-in-folder',
])

/** Throws on any channel that is not in the allow-list. */
export function validateChannel(channel: string): asserts channel is StacklingChannel {
  if (!CHANNELS.has(channel)) throw new Error(`Unsupported IPC channel '${channel}'`)
}

/**
 * Returns the result of a reply (an `IpcEnvelope` from shell/ipc.ts), or throws its error as an `Error`, so the
 * page sees an ordinary rejection. Checks the shape, since the reply crossed a process boundary.
 */
export function unwrap<T>(envelope: unknown): T {
  if (typeof envelope === 'object' && envelope !== null) {
    if ('error' in envelope) {
      const { error } = envelope as { error: unknown }
      const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : ''
      throw new Error(message || 'The Stackling app reported an error without a message.')
    }
    if ('result' in envelope) return (envelope as { result: T }).result
  }
  throw new Error('The Stackling app sent a malformed reply.')
}

async function invoke<C extends StacklingChannel>(
  channel: C,
  ...args: StacklingChannels[C]['args']
): Promise<StacklingChannels[C]['result']> {
  validateChannel(channel)
  return unwrap<StacklingChannels[C]['result']>(await ipcRenderer.invoke(channel, ...args))
}

const bridge: StacklingBridge = {
  getSession: () => invoke('stackling:get-session'),
  showDataFolder: () => invoke('stackling:show-data-folder'),
  showItemInFolder: async (path: string) => {
    if (typeof path !== 'string') throw new TypeError('showItemInFolder(path) needs a string')
    return invoke('stackling:show-item-in-folder', path)
  },
}

contextBridge.exposeInMainWorld('stackling', bridge)
