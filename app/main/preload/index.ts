/**
 * The preload of the dashboard window. It runs sandboxed, where `require` knows only 'electron' (and a few Node
 * built-ins), so this file must stay self-contained: anything else may be imported for its types only.
 *
 * It exposes `window.stackling` (StacklingBridge) and nothing more: no raw ipcRenderer, no generic invoke.
 */
import { contextBridge, ipcRenderer } from 'electron'
import type { StacklingBridge, StacklingChannel, StacklingChannels, StacklingEvent, StacklingEvents } from '../../shared/desktop/stackling-bridge'

const CHANNELS: ReadonlySet<string> = new Set<StacklingChannel>([
  'stackling:get-session',
  'stackling:show-data-folder',
  'stackling:show-item-in-folder',
  'stackling:shell-open',
  'stackling:shell-input',
  'stackling:shell-resize',
  'stackling:shell-close',
])

const EVENTS: ReadonlySet<string> = new Set<StacklingEvent>(['stackling:shell-output', 'stackling:shell-exit'])

/** Subscribes to an allow-listed event from main; the listener never sees the IpcRendererEvent (nor its sender). */
function listen<E extends StacklingEvent>(event: E, listener: (...args: StacklingEvents[E]) => void): () => void {
  if (!EVENTS.has(event)) throw new Error(`Unsupported IPC event '${event}'`)
  if (typeof listener !== 'function') throw new TypeError('the listener must be a function')
  const wrapped = (_e: unknown, ...args: unknown[]) => listener(...(args as StacklingEvents[E]))
  ipcRenderer.on(event, wrapped)
  return () => void ipcRenderer.removeListener(event, wrapped)
}

const str = (name: string, v: unknown): string => {
  if (typeof v !== 'string') throw new TypeError(`${name} must be a string`)
  return v
}
const int = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TypeError(`${name} must be a positive integer`)
  return v
}

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
  shell: {
    open: async (token, cols, rows) => invoke('stackling:shell-open', str('token', token), int('cols', cols), int('rows', rows)),
    write: async (id, data) => invoke('stackling:shell-input', str('id', id), str('data', data)),
    resize: async (id, cols, rows) => invoke('stackling:shell-resize', str('id', id), int('cols', cols), int('rows', rows)),
    close: async (id) => invoke('stackling:shell-close', str('id', id)),
    onOutput: (listener) => listen('stackling:shell-output', listener),
    onExit: (listener) => listen('stackling:shell-exit', listener),
  },
}

contextBridge.exposeInMainWorld('stackling', bridge)
