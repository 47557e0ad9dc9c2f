/**
 * A small VT100/xterm screen model for the serial console: enough of the escape sequences that a Linux console,
 * a getty and a busybox shell send (cursor moves, erase, line wrap, scrolling into a scrollback) to show them
 * as a terminal would. Colours and attributes (SGR) are parsed and dropped. Pure: no DOM, no I/O; the React
 * component renders text() with the cursor, and turns key presses into bytes with keyToBytes().
 */

type Mode = 'normal' | 'esc' | 'csi' | 'osc' | 'osc-esc' | 'charset'

export interface TerminalOptions {
  cols?: number
  rows?: number
  scrollback?: number
  /** Answers the terminal sends back (cursor position reports), to be written to the guest. */
  onReply?: (bytes: string) => void
}

export class TerminalScreen {
  readonly cols: number
  readonly rows: number
  private readonly scrollbackLimit: number
  private readonly onReply?: (bytes: string) => void
  private screen: string[][]
  private scrollback: string[] = []
  row = 0
  col = 0
  cursorVisible = true
  /** The cursor sits past the last column: the next character wraps (DECAWM). */
  private pendingWrap = false
  private mode: Mode = 'normal'
  private params = ''
  private saved = { row: 0, col: 0 }
  /** Bumped on every change, for renderers that compare. */
  version = 0

  constructor(opts: TerminalOptions = {}) {
    this.cols = opts.cols ?? 80
    this.rows = opts.rows ?? 24
    this.scrollbackLimit = opts.scrollback ?? 2000
    this.onReply = opts.onReply
    this.screen = Array.from({ length: this.rows }, () => this.blankRow())
  }

  /** Feeds decoded text (UTF-8 already decoded) from the guest. */
  write(text: string): void {
    for (const ch of text) this.put(ch)
    this.version++
  }

  reset(): void {
    this.screen = Array.from({ length: this.rows }, () => this.blankRow())
    this.scrollback = []
    this.row = 0
    this.col = 0
    this.pendingWrap = false
    this.mode = 'normal'
    this.cursorVisible = true
    this.version++
  }

  /** Scrollback and screen as lines, trailing spaces and the empty rows below the cursor dropped. */
  lines(): string[] {
    const screen = this.screen.map((r) => r.join('').replace(/\s+$/, ''))
    let last = screen.length - 1
    while (last > this.row && screen[last] === '') last--
    return [...this.scrollback, ...screen.slice(0, last + 1)]
  }

  text(): string {
    return this.lines().join('\n')
  }

  /** The text split at the cursor, for rendering the cursor as its own element. */
  view(): { before: string; cursor: string; after: string } {
    const lines = this.lines()
    const at = this.scrollback.length + this.row
    while (lines.length <= at) lines.push('')
    const line = lines[at]!.padEnd(this.col + 1, ' ')
    const above = lines.slice(0, at)
    const below = lines.slice(at + 1)
    const before = (above.length ? `${above.join('\n')}\n` : '') + line.slice(0, this.col)
    const after = line.slice(this.col + 1).replace(/\s+$/, '') + (below.length ? `\n${below.join('\n')}` : '')
    return { before, cursor: line[this.col] ?? ' ', after }
  }

  private blankRow(): string[] {
    return Array.from({ length: this.cols }, () => ' ')
  }

  private put(ch: string): void {
    switch (this.mode) {
      case 'normal':
        return this.normal(ch)
      case 'esc':
        return this.escape(ch)
      case 'csi':
        if (ch >= '\x20' && ch <= '\x3f') {
          this.params += ch
          return
        }
        this.mode = 'normal'
        if (ch >= '\x40' && ch <= '\x7e') this.csi(ch, this.params)
        return
      case 'osc':
        if (ch === '\x07') this.mode = 'normal'
        else if (ch === '\x1b') this.mode = 'osc-esc'
        return
      case 'osc-esc':
        this.mode = ch === '\\' ? 'normal' : 'osc'
        return
      case 'charset':
        this.mode = 'normal'
        return
    }
  }

  private normal(ch: string): void {
    const code = ch.codePointAt(0)!
    if (code < 0x20 || code === 0x7f) {
      switch (ch) {
        case '\r':
          this.col = 0
          this.pendingWrap = false
          return
        case '\n':
        case '\v':
        case '\f':
          this.lineFeed()
          return
        case '\b':
          this.pendingWrap = false
          this.col = Math.max(0, this.col - 1)
          return
        case '\t':
          this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8)
          return
        case '\x1b':
          this.mode = 'esc'
          return
        default:
          return // BEL, NUL, DEL and the other controls show nothing.
      }
    }
    if (this.pendingWrap) {
      this.col = 0
      this.lineFeed()
      this.pendingWrap = false
    }
    this.screen[this.row]![this.col] = ch
    if (this.col === this.cols - 1) this.pendingWrap = true
    else this.col++
  }

  private escape(ch: string): void {
    this.mode = 'normal'
    switch (ch) {
      case '[':
        this.mode = 'csi'
        this.params = ''
        return
      case ']':
        this.mode = 'osc'
        return
      case '(':
      case ')':
      case '*':
      case '+':
        this.mode = 'charset'
        return
      case 'c':
        this.reset()
        return
      case 'D':
        this.lineFeed()
        return
      case 'E':
        this.col = 0
        this.lineFeed()
        return
      case 'M':
        if (this.row > 0) this.row--
        else {
          this.screen.pop()
          this.screen.unshift(this.blankRow())
        }
        return
      case '7':
        this.saved = { row: this.row, col: this.col }
        return
      case '8':
        this.row = this.saved.row
        this.col = this.saved.col
        return
      default:
        return
    }
  }

  private csi(final: string, raw: string): void {
    const priv = raw.startsWith('?')
    const nums = (priv ? raw.slice(1) : raw).split(';').map((p) => (p === '' ? NaN : parseInt(p, 10)))
    const n = (i: number, d = 1) => {
      const v = nums[i]
      return v === undefined || Number.isNaN(v) || v === 0 ? d : v
    }
    const raw0 = Number.isNaN(nums[0]!) ? 0 : nums[0]!
    this.pendingWrap = false
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n(0))
        return
      case 'B':
        this.row = Math.min(this.rows - 1, this.row + n(0))
        return
      case 'C':
        this.col = Math.min(this.cols - 1, this.col + n(0))
        return
      case 'D':
        this.col = Math.max(0, this.col - n(0))
        return
      case 'E':
        this.row = Math.min(this.rows - 1, this.row + n(0))
        this.col = 0
        return
      case 'F':
        this.row = Math.max(0, this.row - n(0))
        this.col = 0
        return
      case 'G':
      case '`':
        this.col = clamp(n(0) - 1, 0, this.cols - 1)
        return
      case 'd':
        this.row = clamp(n(0) - 1, 0, this.rows - 1)
        return
      case 'H':
      case 'f':
        this.row = clamp(n(0) - 1, 0, this.rows - 1)
        this.col = clamp(n(1) - 1, 0, this.cols - 1)
        return
      case 'J':
        if (raw0 === 0) {
          this.eraseLine(this.row, this.col, this.cols)
          for (let r = this.row + 1; r < this.rows; r++) this.screen[r] = this.blankRow()
        } else if (raw0 === 1) {
          for (let r = 0; r < this.row; r++) this.screen[r] = this.blankRow()
          this.eraseLine(this.row, 0, this.col + 1)
        } else {
          this.screen = Array.from({ length: this.rows }, () => this.blankRow())
          if (raw0 === 3) this.scrollback = []
        }
        return
      case 'K':
        if (raw0 === 0) this.eraseLine(this.row, this.col, this.cols)
        else if (raw0 === 1) this.eraseLine(this.row, 0, this.col + 1)
        else this.eraseLine(this.row, 0, this.cols)
        return
      case 'X':
        this.eraseLine(this.row, this.col, Math.min(this.cols, this.col + n(0)))
        return
      case 'P': {
        const line = this.screen[this.row]!
        line.splice(this.col, n(0))
        while (line.length < this.cols) line.push(' ')
        return
      }
      case '@': {
        const line = this.screen[this.row]!
        line.splice(this.col, 0, ...Array.from({ length: n(0) }, () => ' '))
        line.length = this.cols
        return
      }
      case 'L':
        for (let i = 0; i < n(0); i++) {
          this.screen.splice(this.row, 0, this.blankRow())
          this.screen.length = this.rows
        }
        return
      case 'M':
        for (let i = 0; i < n(0); i++) {
          this.screen.splice(this.row, 1)
          this.screen.push(this.blankRow())
        }
        return
      case 'S':
        for (let i = 0; i < n(0); i++) this.scrollUp()
        return
      case 'h':
      case 'l':
        if (priv && nums.includes(25)) this.cursorVisible = final === 'h'
        if (priv && (nums.includes(1049) || nums.includes(47))) {
          this.screen = Array.from({ length: this.rows }, () => this.blankRow())
          this.row = 0
          this.col = 0
        }
        return
      case 's':
        this.saved = { row: this.row, col: this.col }
        return
      case 'u':
        this.row = this.saved.row
        this.col = this.saved.col
        return
      case 'n':
        if (raw0 === 6) this.onReply?.(`\x1b[${this.row + 1};${this.col + 1}R`)
        else if (raw0 === 5) this.onReply?.('\x1b[0n')
        return
      case 'c':
        if (!priv && raw0 === 0) this.onReply?.('\x1b[?1;2c')
        return
      case 'r':
        this.row = 0
        this.col = 0
        return
      default:
        return // m (colours), t, q, …: nothing to show.
    }
  }

  private eraseLine(row: number, from: number, to: number): void {
    const line = this.screen[row]!
    for (let c = Math.max(0, from); c < Math.min(this.cols, to); c++) line[c] = ' '
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) this.row++
    else this.scrollUp()
  }

  private scrollUp(): void {
    const top = this.screen.shift()!
    this.scrollback.push(top.join('').replace(/\s+$/, ''))
    if (this.scrollback.length > this.scrollbackLimit) this.scrollback.splice(0, this.scrollback.length - this.scrollbackLimit)
    this.screen.push(this.blankRow())
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v))
}

export interface KeyLike {
  key: string
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
}

/** The bytes a VT100 keyboard sends for a key press; undefined for keys it does not send (Shift alone, F-keys…). */
export function keyToBytes(e: KeyLike): string | undefined {
  if (e.metaKey) return undefined
  const special: Record<string, string> = {
    Enter: '\r',
    Backspace: '\x7f',
    Tab: '\t',
    Escape: '\x1b',
    ArrowUp: '\x1b[A',
    ArrowDown: '\x1b[B',
    ArrowRight: '\x1b[C',
    ArrowLeft: '\x1b[D',
    Home: '\x1b[H',
    End: '\x1b[F',
    Delete: '\x1b[3~',
    Insert: '\x1b[2~',
    PageUp: '\x1b[5~',
    PageDown: '\x1b[6~',
  }
  const s = special[e.key]
  if (s !== undefined) return e.altKey ? `\x1b${s}` : s
  if (e.key.length !== 1 && [...e.key].length !== 1) return undefined
  if (e.ctrlKey) {
    const c = e.key.toUpperCase()
    if (c >= 'A' && c <= 'Z') return String.fromCharCode(c.charCodeAt(0) - 64)
    const map: Record<string, string> = { '@': '\x00', ' ': '\x00', '[': '\x1b', '\\': '\x1c', ']': '\x1d', '^': '\x1e', _: '\x1f', '?': '\x7f' }
    return map[e.key]
  }
  return e.altKey ? `\x1b${e.key}` : e.key
}

/** Pasted text as typed keys: line ends become Enter (CR). */
export const pasteToBytes = (text: string): string => text.replace(/\r?\n/g, '\r')
