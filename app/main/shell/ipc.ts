import type { IpcMain, IpcMainInvokeEvent } from 'electron'
import type { IpcEnvelope, StacklingChannel, StacklingChannels } from '../../shared/desktop/stackling-bridge'

// Only types come from 'electron' here: the real ipcMain is passed in, so the checks below run in unit tests
// under plain Node.

export interface Disposable {
  dispose(): void
}

/** Who may call the `stackling:` channels. */
export interface TrustedSender {
  /** The id of the main window's webContents; `undefined` while there is no window. */
  webContentsId(): number | undefined
  /** The cloud's origin, e.g. `http://127.0.0.1:8799`. */
  readonly origin: string
}

/** Raised by an argument parser; the message reaches the renderer. */
export class IpcArgumentError extends Error {}

type Args<C extends StacklingChannel> = StacklingChannels[C]['args']
type Result<C extends StacklingChannel> = StacklingChannels[C]['result']

/** The part of an invoke event the sender check reads. */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/**
 * A drop-in for `ipcMain.handle` that validates the sender. A call is served only when it comes from the main
 * window's webContents, from its top frame, while that frame shows a page of the cloud's origin; anything else
 * (another window, an iframe, a page navigated elsewhere) gets an error reply and a log line. The raw arguments go
 * through the channel's parser before the handler sees them. Replies are always an `IpcEnvelope`: the handler's
 * value as `{result}`, any thrown error as `{error: {message}}`; nothing is thrown across IPC.
 */
export class ValidatedIpcMain {
  constructor(
    private readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
    private readonly trusted: TrustedSender,
    private readonly log: (message: string) => void = (m) => console.warn(m),
  ) {}

  /** Registers the handler for `channel` (Electron throws if it already has one); disposing removes it. */
  handle<C extends StacklingChannel>(
    channel: C,
    parseArgs: (args: readonly unknown[]) => Args<C>,
    handler: (...args: Args<C>) => Promise<Result<C>> | Result<C>,
  ): Disposable {
    if (!channel.startsWith('stackling:')) throw new Error(`IPC channel '${channel}' must start with 'stackling:'`)
    this.ipcMain.handle(channel, async (event, ...raw: unknown[]): Promise<IpcEnvelope<Result<C>>> => {
      if (!this.isTrusted(event)) {
        this.log(`stackling: refused IPC '${channel}' from ${describeSender(event)}`)
        return { error: { message: 'Refused: this request did not come from the Stackling window.' } }
      }
      try {
        return { result: await handler(...parseArgs(raw)) }
      } catch (err) {
        return { error: { message: err instanceof Error ? err.message : String(err) } }
      }
    })
    return { dispose: () => this.ipcMain.removeHandler(channel) }
  }

  isTrusted(event: SenderEvent): boolean {
    const id = this.trusted.webContentsId()
    if (id === undefined || event.sender.id !== id) return false
    const frame = event.senderFrame
    // null once the frame has navigated away or gone; a parent means an iframe.
    if (!frame || frame.parent !== null) return false
    try {
      return new URL(frame.url).origin === this.trusted.origin
    } catch {
      return false
    }
  }
}

/** Parser for channels that take no arguments. */
export function noArgs(args: readonly unknown[]): [] {
  if (args.length !== 0) throw new IpcArgumentError(`expected no arguments, got ${args.length}`)
  return []
}

/** Parser for one file-system path: a non-empty string without NUL bytes, at most 4096 characters. */
export function onePath(args: readonly unknown[]): [path: string] {
  if (args.length !== 1) throw new IpcArgumentError(`expected 1 argument (a path), got ${args.length}`)
  const [p] = args
  if (typeof p !== 'string') throw new IpcArgumentError(`expected a path string, got ${p === null ? 'null' : typeof p}`)
  if (p.length === 0 || p.length > 4096) throw new IpcArgumentError('the path must be 1 to 4096 characters long')
  if (p.includes('\0')) throw new IpcArgumentError('the path contains a NUL byte')
  return [p]
}

function describeSender(event: SenderEvent): string {
  let url = '(no frame)'
  try {
    url = event.senderFrame?.url ?? url
  } catch {
    // a destroyed frame throws on access
  }
  return `webContents ${event.sender.id}, frame ${url}`
}
