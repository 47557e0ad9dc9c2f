import type { IpcMain, IpcMainInvokeEvent } from 'electron'

// Test doubles for the IPC tests (types only from 'electron'; runs under plain Node).

export const ORIGIN = 'http://127.0.0.1:8799'
export const WINDOW_ID = 7

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown

/** Stands in for Electron's ipcMain: keeps the handlers so a test can invoke them with a made-up event. */
export class FakeIpcMain {
  readonly handlers = new Map<string, Listener>()
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  asIpcMain(): Pick<IpcMain, 'handle' | 'removeHandler'> {
    return this as unknown as Pick<IpcMain, 'handle' | 'removeHandler'>
  }
  invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel)
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`))
    return Promise.resolve(h(event, ...args))
  }
}

export function fakeEvent(opts: { webContentsId?: number; url?: string; topFrame?: boolean; frame?: null } = {}): IpcMainInvokeEvent {
  const frame =
    opts.frame === null
      ? null
      : { url: opts.url ?? `${ORIGIN}/compute/servers`, parent: opts.topFrame === false ? { url: ORIGIN } : null }
  return { sender: { id: opts.webContentsId ?? WINDOW_ID }, senderFrame: frame } as unknown as IpcMainInvokeEvent
}
