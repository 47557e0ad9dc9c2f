import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/page'
import { Spinner } from '../../../components/ui/spinner'
import { consoleSocketUrl, type Server } from '../../../lib/openstack/compute'
import { useSerialConsoleUrl } from '../api/get-serial-console'
import { describeComputeError } from '../utils/compute-errors'
import { allowed } from '../utils/server-status'
import { keyToBytes, pasteToBytes, TerminalScreen } from '../utils/terminal-screen'

type State = { kind: 'idle' } | { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; reason: string } | { kind: 'error'; message: string }

/**
 * The instance's serial port, live: os-getSerialConsole gives a websocket URL with a single-use token; bytes go
 * both ways over it. The screen is a small VT100 emulation (TerminalScreen) drawn in a <pre>; key presses and
 * pastes are sent as the bytes a terminal would send.
 */
export function SerialConsole({ server }: { server: Server }) {
  const getUrl = useSerialConsoleUrl()
  const [state, setState] = useState<State>({ kind: 'idle' })
  const [, redraw] = useReducer((n: number) => n + 1, 0)
  const socket = useRef<WebSocket | null>(null)
  const screenEl = useRef<HTMLPreElement>(null)
  const stick = useRef(true)
  const frame = useRef(0)
  const encoder = useRef(new TextEncoder())
  const send = useCallback((text: string) => {
    const ws = socket.current
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(encoder.current.encode(text))
  }, [])
  const term = useRef<TerminalScreen | null>(null)
  term.current ??= new TerminalScreen({ cols: 80, rows: 24, scrollback: 2000, onReply: (r) => send(r) })
  const can = allowed('console', server)
  const { mutateAsync: requestUrl } = getUrl

  const scheduleDraw = useCallback(() => {
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      redraw()
    })
  }, [])

  const connect = useCallback(async () => {
    socket.current?.close()
    setState({ kind: 'connecting' })
    let url: string
    try {
      const c = await requestUrl(server.id)
      url = consoleSocketUrl(c.url, window.location.origin)
    } catch (err) {
      setState({ kind: 'error', message: describeComputeError(err, 'open consoles') })
      return
    }
    const ws = new WebSocket(url, ['binary'])
    ws.binaryType = 'arraybuffer'
    socket.current = ws
    const decoder = new TextDecoder('utf-8')
    ws.onopen = () => {
      if (socket.current !== ws) return
      setState({ kind: 'open' })
      term.current!.write('\r\n[connected to the serial console: press Enter for a shell]\r\n')
      scheduleDraw()
      screenEl.current?.focus()
    }
    ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
      term.current!.write(typeof e.data === 'string' ? e.data : decoder.decode(new Uint8Array(e.data), { stream: true }))
      scheduleDraw()
    }
    ws.onclose = (e) => {
      if (socket.current !== ws) return
      socket.current = null
      const reason = e.reason || (e.code === 1006 ? 'the connection was refused or lost (the token may have expired: connect again)' : `code ${e.code}`)
      setState({ kind: 'closed', reason })
      term.current!.write(`\r\n[disconnected: ${reason}]\r\n`)
      scheduleDraw()
    }
  }, [requestUrl, server.id, scheduleDraw])

  // Connect when the tab opens on a running instance; close the socket when leaving.
  const autoConnected = useRef(false)
  useEffect(() => {
    if (!autoConnected.current && can.ok) {
      autoConnected.current = true
      void connect()
    }
  }, [can.ok, connect])
  useEffect(
    () => () => {
      const ws = socket.current
      socket.current = null
      ws?.close()
      if (frame.current) cancelAnimationFrame(frame.current)
    },
    [],
  )
  // The guest stopped: the socket ends on its own, but say why at once.
  useEffect(() => {
    if (!can.ok && socket.current) {
      const ws = socket.current
      socket.current = null
      ws.close()
      setState({ kind: 'closed', reason: `the instance is ${server.status.toLowerCase()}` })
    }
  }, [can.ok, server.status])

  useLayoutEffect(() => {
    const el = screenEl.current
    if (el && stick.current) el.scrollTop = el.scrollHeight
  })

  const view = term.current.view()
  const open = state.kind === 'open'
  return (
    <Card
      title="Serial console"
      data-testid="serial-console"
      actions={
        <div className="console-controls">
          <span data-testid="serial-state" data-state={state.kind}>
            {state.kind === 'open' ? (
              <Badge tone="success" dot>
                Connected
              </Badge>
            ) : state.kind === 'connecting' ? (
              <Badge tone="info">
                <Spinner size="sm" /> Connecting
              </Badge>
            ) : (
              <Badge tone="neutral">Not connected</Badge>
            )}
          </span>
          {open ? (
            <Button size="sm" icon="close" onClick={() => socket.current?.close()} data-testid="serial-disconnect">
              Disconnect
            </Button>
          ) : (
            <Button size="sm" icon="terminal" onClick={() => void connect()} disabled={!can.ok || state.kind === 'connecting'} title={can.reason} data-testid="serial-connect">
              {state.kind === 'idle' ? 'Connect' : 'Reconnect'}
            </Button>
          )}
          <Button size="sm" variant="ghost" onClick={() => {
              term.current!.reset()
              redraw()
            }} title="Clear the screen (the guest is not told)">
            Clear
          </Button>
        </div>
      }
    >
      {!can.ok && state.kind !== 'open' ? (
        <Alert tone="info" data-testid="serial-unavailable">
          The serial console works while the instance runs; this one is {server.status.toLowerCase()}. Its log stays readable in the Console log tab.
        </Alert>
      ) : null}
      {state.kind === 'error' ? (
        <Alert tone="danger" title="Could not open the console" data-testid="serial-error">
          {state.message}
        </Alert>
      ) : null}
      {state.kind === 'closed' ? (
        <Alert tone="warning" data-testid="serial-closed">
          Disconnected: {state.reason}.
        </Alert>
      ) : null}
      <pre
        ref={screenEl}
        className={['terminal-screen', open && 'terminal-open'].filter(Boolean).join(' ')}
        tabIndex={0}
        role="textbox"
        aria-multiline="true"
        aria-label={`Serial console of ${server.name}${open ? ': type to send keys' : ''}`}
        data-testid="serial-screen"
        onScroll={(e) => {
          const el = e.currentTarget
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4
        }}
        onKeyDown={(e) => {
          if (!open) return
          const bytes = keyToBytes(e)
          if (bytes === undefined) return
          // Copy stays a copy when text is selected.
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && window.getSelection()?.toString()) return
          e.preventDefault()
          stick.current = true
          send(bytes)
        }}
        onPaste={(e) => {
          if (!open) return
          e.preventDefault()
          send(pasteToBytes(e.clipboardData.getData('text')))
        }}
      >
        {view.before}
        <span className={['terminal-cursor', !term.current.cursorVisible && 'terminal-cursor-hidden'].filter(Boolean).join(' ')}>{view.cursor}</span>
        {view.after}
      </pre>
      <p className="muted small">
        Click the screen and type: keys go to the guest's <code>ttyS0</code>. The token in the URL works once; <strong>Reconnect</strong> asks for a new one. In a
        terminal: <code>openstack console url show --serial {server.id}</code>
      </p>
    </Card>
  )
}
