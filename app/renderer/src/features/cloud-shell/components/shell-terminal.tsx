import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react'
import { attrClasses, keyToBytes, pasteToBytes, TerminalScreen, type StyledRun } from '../../../lib/terminal/terminal-screen'
import { openShell, type ShellTransport } from '../api/shell-transport'

export type ShellState = { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; reason: string }

/**
 * One terminal: a shell of the cloud (see api/shell-transport.ts) drawn by our VT100 model (TerminalScreen) in a
 * <pre>. Its size follows the element (ResizeObserver → the pty's rows and columns). Unmounting ends the shell.
 */
export function ShellTerminal({
  token,
  origin,
  active,
  label,
  onState,
}: {
  token: string
  origin: string
  active: boolean
  label: string
  onState?: (s: ShellState) => void
}) {
  const [state, setState] = useState<ShellState>({ kind: 'connecting' })
  const [, redraw] = useReducer((n: number) => n + 1, 0)
  const screenEl = useRef<HTMLPreElement>(null)
  const probeEl = useRef<HTMLSpanElement>(null)
  const transport = useRef<ShellTransport | null>(null)
  const term = useRef<TerminalScreen | null>(null)
  const frame = useRef(0)
  const stick = useRef(true)
  term.current ??= new TerminalScreen({ cols: 80, rows: 24, scrollback: 5000, onReply: (r) => transport.current?.write(r) })

  const scheduleDraw = useCallback(() => {
    if (frame.current) return
    frame.current = requestAnimationFrame(() => {
      frame.current = 0
      redraw()
    })
  }, [])

  const update = useCallback(
    (s: ShellState) => {
      setState(s)
      onState?.(s)
    },
    [onState],
  )

  /** Rows and columns that fit the element, from the size of one character cell. */
  const measure = useCallback((): { cols: number; rows: number } | undefined => {
    const el = screenEl.current
    const probe = probeEl.current
    if (!el || !probe) return undefined
    const cell = probe.getBoundingClientRect()
    const cs = getComputedStyle(el)
    const w = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
    const h = el.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)
    if (cell.width <= 0 || cell.height <= 0 || w <= 0 || h <= 0) return undefined
    return { cols: Math.max(20, Math.floor(w / (cell.width / 10))), rows: Math.max(5, Math.floor(h / cell.height)) }
  }, [])

  useEffect(() => {
    const size = measure() ?? { cols: 80, rows: 24 }
    term.current!.resize(size.cols, size.rows)
    const t = openShell({ token, origin, ...size })
    transport.current = t
    let opened = false
    const decoderless = (text: string) => {
      if (transport.current !== t) return
      if (!opened) {
        opened = true
        update({ kind: 'open' })
      }
      term.current!.write(text)
      scheduleDraw()
    }
    t.onData(decoderless)
    t.onClose((reason) => {
      if (transport.current !== t) return
      update({ kind: 'closed', reason })
      term.current!.write(`\r\n[${reason}]\r\n`)
      scheduleDraw()
    })
    return () => {
      transport.current = null
      t.close()
      if (frame.current) cancelAnimationFrame(frame.current)
      frame.current = 0
    }
    // One shell per mounted terminal: the token and origin of its first render.
  }, [])

  // Follow the element's size (window resizes, the sidebar, a tab shown again).
  useEffect(() => {
    const el = screenEl.current
    if (!el || typeof ResizeObserver === 'undefined') return
    const ro = new ResizeObserver(() => {
      const size = measure()
      if (!size) return
      const t = term.current!
      if (size.cols === t.cols && size.rows === t.rows) return
      t.resize(size.cols, size.rows)
      transport.current?.resize(size.cols, size.rows)
      scheduleDraw()
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [measure, scheduleDraw])

  useEffect(() => {
    if (active) screenEl.current?.focus()
  }, [active])

  useLayoutEffect(() => {
    const el = screenEl.current
    if (el && stick.current) el.scrollTop = el.scrollHeight
  })

  const view = term.current.styledView()
  const open = state.kind === 'open'
  return (
    <div className="shell-terminal" hidden={!active}>
      <pre
        ref={screenEl}
        className={['terminal-screen', 'shell-screen', open && 'terminal-open'].filter(Boolean).join(' ')}
        tabIndex={0}
        role="textbox"
        aria-multiline="true"
        aria-label={`${label}: type to send keys to the shell`}
        data-testid="shell-screen"
        data-state={state.kind}
        onScroll={(e) => {
          const el = e.currentTarget
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4
        }}
        onKeyDown={(e) => {
          if (state.kind === 'closed') return
          const bytes = keyToBytes(e)
          if (bytes === undefined) return
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && window.getSelection()?.toString()) return
          e.preventDefault()
          stick.current = true
          transport.current?.write(bytes)
        }}
        onPaste={(e) => {
          if (state.kind === 'closed') return
          e.preventDefault()
          transport.current?.write(pasteToBytes(e.clipboardData.getData('text')))
        }}
      >
        <Runs runs={view.before} />
        <span className={['terminal-cursor', !term.current.cursorVisible && 'terminal-cursor-hidden', attrClasses(view.cursor.attr)].filter(Boolean).join(' ')}>
          {view.cursor.text}
        </span>
        <Runs runs={view.after} />
        <span ref={probeEl} className="shell-cell-probe" aria-hidden="true">
          MMMMMMMMMM
        </span>
      </pre>
    </div>
  )
}

/** Runs of one attribute: plain text when default, else a span with the attribute's classes (no inline style). */
function Runs({ runs }: { runs: StyledRun[] }) {
  return (
    <>
      {runs.map((r, i) =>
        r.attr === 0 ? (
          r.text
        ) : (
          <span key={i} className={attrClasses(r.attr)}>
            {r.text}
          </span>
        ),
      )}
    </>
  )
}
