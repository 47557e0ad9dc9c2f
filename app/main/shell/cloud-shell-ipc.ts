import type { ShellIdentity, ShellSession, ShellSize } from '../cloud/services/cloud-shell/pty-sessions'
import type { StacklingEvent, StacklingEvents } from '../../shared/desktop/stackling-bridge'
import { IpcArgumentError, type Disposable, type ValidatedIpcMain } from './ipc'

/** What the cloud shell channels need: the pty sessions (plain Node), the token check, and the way to the window. */
export interface CloudShellDeps {
  sessions: { open(who: ShellIdentity, size: ShellSize): ShellSession }
  /** @throws when the token is not valid (the cloud says why). */
  resolve(token: string): Promise<ShellIdentity>
  /** webContents.send to the main window (nothing while there is none). */
  send<E extends StacklingEvent>(event: E, ...args: StacklingEvents[E]): void
}

/**
 * The cloud shell over IPC: `stackling:shell-open/-input/-resize/-close` and the `shell-output`/`shell-exit`
 * events. Shells belong to the window: `closeAll` (the window reloads or closes) and disposing (quit) end them all.
 */
export function registerCloudShellHandlers(ipc: ValidatedIpcMain, deps: CloudShellDeps): Disposable & { closeAll(): void } {
  const shells = new Map<string, ShellSession>()
  const get = (id: string) => {
    const s = shells.get(id)
    if (!s) throw new Error('This shell has ended: open a new one.')
    return s
  }
  const registered = [
    ipc.handle('stackling:shell-open', parseOpen, async (token, cols, rows) => {
      const who = await deps.resolve(token)
      const session = deps.sessions.open(who, { cols, rows })
      shells.set(session.id, session)
      session.onData((d) => deps.send('stackling:shell-output', session.id, d.toString('utf8')))
      session.onExit((code) => {
        shells.delete(session.id)
        deps.send('stackling:shell-exit', session.id, code)
      })
      return session.id
    }),
    ipc.handle('stackling:shell-input', parseInput, (id, data) => get(id).write(data)),
    ipc.handle('stackling:shell-resize', parseResize, (id, cols, rows) => get(id).resize({ cols, rows })),
    ipc.handle('stackling:shell-close', parseId, (id) => {
      shells.get(id)?.close()
      shells.delete(id)
    }),
  ]
  return {
    closeAll,
    dispose: () => {
      registered.forEach((d) => d.dispose())
      closeAll()
    },
  }
  function closeAll() {
    for (const s of shells.values()) s.close()
    shells.clear()
  }
}

function str(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new IpcArgumentError(`${name} must be a string of 1 to ${max} characters`)
  return v
}
function dim(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) throw new IpcArgumentError(`${name} must be an integer from 1 to 1000`)
  return v
}
function count(args: readonly unknown[], n: number): void {
  if (args.length !== n) throw new IpcArgumentError(`expected ${n} arguments, got ${args.length}`)
}
export function parseOpen(args: readonly unknown[]): [string, number, number] {
  count(args, 3)
  return [str(args[0], 'token', 4096), dim(args[1], 'cols'), dim(args[2], 'rows')]
}
export function parseInput(args: readonly unknown[]): [string, string] {
  count(args, 2)
  return [str(args[0], 'id', 64), str(args[1], 'data', 1 << 20)]
}
export function parseResize(args: readonly unknown[]): [string, number, number] {
  count(args, 3)
  return [str(args[0], 'id', 64), dim(args[1], 'cols'), dim(args[2], 'rows')]
}
export function parseId(args: readonly unknown[]): [string] {
  count(args, 1)
  return [str(args[0], 'id', 64)]
}
