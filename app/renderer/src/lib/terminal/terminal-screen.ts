/**
 * A small VT100/xterm screen model for the serial console and the cloud shell: enough of the escape sequences
 * that a Linux console, a getty, bash, readline and the openstack CLI send (cursor moves, erase, line wrap,
 * scrolling into a scrollback, the alternate screen of pagers) to show them as a terminal would. Colours and
 * attributes (SGR: the 16 colours, 256-colour and true-colour mapped to the nearest of them, bold, dim, underline,
 * inverse) are kept per cell for styledView(); bracketed paste and window titles are parsed and dropped. Pure: no
 * DOM, no I/O; the serial console renders view() (plain text), the cloud shell styledView() (runs of one
 * attribute, drawn as spans with classes: the CSP allows no inline style); key presses become bytes with
 * keyToBytes(). The screen follows its view's size through resize().
 */

/** A row of the screen: its characters, and the attribute of each (see ATTR). */
type Row = string[] & { at: number[] }

/** Packed cell attributes: fg and bg are 0 (default) or 1 + a colour 0–15. */
export const ATTR = { FG: 0x1f, BG_SHIFT: 5, BG: 0x1f << 5, BOLD: 1 << 10, DIM: 1 << 11, UNDERLINE: 1 << 12, INVERSE: 1 << 13 } as const

/** A run of text with one attribute. */
export interface StyledRun {
  text: string
  attr: number
}

/** The CSS classes of an attribute (t-fg-N, t-bg-N, t-bold, t-dim, t-ul); inverse swaps fg and bg. */
export function attrClasses(attr: number): string {
  let fg = attr & ATTR.FG
  let bg = (attr & ATTR.BG) >> ATTR.BG_SHIFT
  const cls: string[] = []
  // Inverse: the text takes the background's colour (t-fg-inv when it is the default) and the other way round.
  if (attr & ATTR.INVERSE) [fg, bg] = [bg || 17, fg || 17]
  if (fg) cls.push(fg === 17 ? 't-fg-inv' : `t-fg-${fg - 1}`)
  if (bg) cls.push(bg === 17 ? 't-bg-inv' : `t-bg-${bg - 1}`)
  if (attr & ATTR.BOLD) cls.push('t-bold')
  if (attr & ATTR.DIM) cls.push('t-dim')
  if (attr & ATTR.UNDERLINE) cls.push('t-ul')
  return cls.join(' ')
}

type Mode = 'normal' | 'esc' | 'csi' | 'osc' | 'osc-esc' | 'charset'

export interface TerminalOptions {
  cols?: number
  rows?: number
  scrollback?: number
  /** Answers the terminal sends back (cursor position reports), to be written to the guest. */
  onReply?: (bytes: string) => void
}

export class TerminalScreen {
  cols: number
  rows: number
  private readonly scrollbackLimit: number
  private readonly onReply?: (bytes: string) => void
  private screen: Row[]
  private scrollback: string[] = []
  /** The attributes of each scrollback line (null: all default). */
  private scrollbackAt: (number[] | null)[] = []
  /** The attribute written characters get (SGR). */
  private attr = 0
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
  /** The main screen while the alternate one (1049/47) is shown. */
  private mainScreen: { screen: Row[]; row: number; col: number } | undefined

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

  /**
   * Changes the size, as a terminal window does: lines are cut or padded on the right (no reflow); when rows
   * shrink, the lines above the cursor go to the scrollback first, so the cursor's line stays on screen.
   */
  resize(cols: number, rows: number): void {
    cols = Math.max(1, Math.floor(cols))
    rows = Math.max(1, Math.floor(rows))
    if (cols === this.cols && rows === this.rows) return
    const fit = (r: Row): Row => {
      const n = r.length > cols ? r.slice(0, cols) : [...r, ...Array.from({ length: cols - r.length }, () => ' ')]
      const at = r.at.length > cols ? r.at.slice(0, cols) : [...r.at, ...Array.from({ length: cols - r.at.length }, () => 0)]
      return Object.assign(n, { at })
    }
    this.cols = cols
    let screen = this.screen.map(fit)
    // Drop empty rows below the cursor first, then scroll the top away.
    while (screen.length > rows && screen.length - 1 > this.row && screen[screen.length - 1]!.every((c) => c === ' ')) screen.pop()
    while (screen.length > rows) {
      const top = screen.shift()!
      if (!this.mainScreen) this.pushScrollback(top)
      this.row--
    }
    while (screen.length < rows) screen.push(this.blankRow())
    this.screen = screen
    this.rows = rows
    if (this.mainScreen) {
      const m = this.mainScreen.screen.map(fit).slice(0, rows)
      while (m.length < rows) m.push(this.blankRow())
      this.mainScreen = { screen: m, row: Math.min(this.mainScreen.row, rows - 1), col: Math.min(this.mainScreen.col, cols - 1) }
    }
    this.row = clamp(this.row, 0, rows - 1)
    this.col = clamp(this.col, 0, cols - 1)
    this.pendingWrap = false
    this.version++
  }

  reset(): void {
    this.screen = Array.from({ length: this.rows }, () => this.blankRow())
    this.scrollback = []
    this.scrollbackAt = []
    this.attr = 0
    this.row = 0
    this.col = 0
    this.pendingWrap = false
    this.mode = 'normal'
    this.cursorVisible = true
    this.mainScreen = undefined
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

  /**
   * Like view(), with attributes: runs before the cursor, the cursor cell, runs after it. Lines end with '\n'
   * inside the runs; trailing default-attribute blanks are dropped, as in lines().
   */
  styledView(): { before: StyledRun[]; cursor: StyledRun; after: StyledRun[] } {
    const screenRows = this.screen.map((r) => ({ text: r.join(''), at: r.at as number[] | null }))
    let last = screenRows.length - 1
    while (last > this.row && screenRows[last]!.text.trim() === '' && (screenRows[last]!.at ?? []).every((a) => a === 0)) last--
    const rows = [...this.scrollback.map((text, i) => ({ text, at: this.scrollbackAt[i] ?? null })), ...screenRows.slice(0, last + 1)]
    const at = this.scrollback.length + this.row
    const before: StyledRun[] = []
    const after: StyledRun[] = []
    let cursor: StyledRun = { text: ' ', attr: 0 }
    const push = (out: StyledRun[], text: string, attr: number) => {
      if (!text) return
      const prev = out[out.length - 1]
      if (prev && prev.attr === attr) prev.text += text
      else out.push({ text, attr })
    }
    rows.forEach((row, i) => {
      const chars = [...row.text]
      let end = chars.length
      while (end > 0 && chars[end - 1] === ' ' && (row.at?.[end - 1] ?? 0) === 0) end--
      if (i === at) end = Math.max(end, this.col + 1)
      for (let c = 0; c < end; c++) {
        const ch = chars[c] ?? ' '
        const a = row.at?.[c] ?? 0
        if (i < at || (i === at && c < this.col)) push(before, ch, a)
        else if (i === at && c === this.col) cursor = { text: ch, attr: a }
        else push(after, ch, a)
      }
      if (i < rows.length - 1) push(i < at ? before : after, '\n', 0)
    })
    return { before, cursor, after }
  }

  private blankRow(): Row {
    return Object.assign(
      Array.from({ length: this.cols }, () => ' '),
      { at: Array.from({ length: this.cols }, () => 0) },
    )
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
    const line = this.screen[this.row]!
    line[this.col] = ch
    line.at[this.col] = this.attr
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
        line.at.splice(this.col, n(0))
        while (line.length < this.cols) line.push(' ')
        while (line.at.length < this.cols) line.at.push(0)
        return
      }
      case '@': {
        const line = this.screen[this.row]!
        line.splice(this.col, 0, ...Array.from({ length: n(0) }, () => ' '))
        line.length = this.cols
        line.at.splice(this.col, 0, ...Array.from({ length: n(0) }, () => 0))
        line.at.length = this.cols
        return
      }
      case 'm':
        if (!priv && !raw.startsWith('>')) this.sgr(nums)
        return
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
        if (priv && (nums.includes(1049) || nums.includes(47) || nums.includes(1047))) {
          // The alternate screen (less, vi, top): shown over the main one, which comes back as it was.
          if (final === 'h' && !this.mainScreen) {
            this.mainScreen = { screen: this.screen, row: this.row, col: this.col }
            this.screen = Array.from({ length: this.rows }, () => this.blankRow())
          } else if (final === 'l' && this.mainScreen) {
            this.screen = this.mainScreen.screen
            this.row = this.mainScreen.row
            this.col = this.mainScreen.col
            this.mainScreen = undefined
          }
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
    for (let c = Math.max(0, from); c < Math.min(this.cols, to); c++) {
      line[c] = ' '
      line.at[c] = 0
    }
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) this.row++
    else this.scrollUp()
  }

  private scrollUp(): void {
    const top = this.screen.shift()!
    // What scrolls off the alternate screen is gone, as in xterm.
    if (!this.mainScreen) this.pushScrollback(top)
    this.screen.push(this.blankRow())
  }

  private pushScrollback(row: Row): void {
    this.scrollback.push(row.join('').replace(/\s+$/, ''))
    this.scrollbackAt.push(row.at.some((a) => a !== 0) ? [...row.at] : null)
    if (this.scrollback.length > this.scrollbackLimit) {
      const extra = this.scrollback.length - this.scrollbackLimit
      this.scrollback.splice(0, extra)
      this.scrollbackAt.splice(0, extra)
    }
  }

  /** SGR: colours and attributes for the characters that follow. */
  private sgr(params: number[]): void {
    if (params.length === 0) params = [0]
    for (let i = 0; i < params.length; i++) {
      const p = Number.isNaN(params[i]!) ? 0 : params[i]!
      const setFg = (c: number) => (this.attr = (this.attr & ~ATTR.FG) | (c + 1))
      const setBg = (c: number) => (this.attr = (this.attr & ~ATTR.BG) | ((c + 1) << ATTR.BG_SHIFT))
      if (p === 0) this.attr = 0
      else if (p === 1) this.attr |= ATTR.BOLD
      else if (p === 2) this.attr |= ATTR.DIM
      else if (p === 4) this.attr |= ATTR.UNDERLINE
      else if (p === 7) this.attr |= ATTR.INVERSE
      else if (p === 22) this.attr &= ~(ATTR.BOLD | ATTR.DIM)
      else if (p === 24) this.attr &= ~ATTR.UNDERLINE
      else if (p === 27) this.attr &= ~ATTR.INVERSE
      else if (p >= 30 && p <= 37) setFg(p - 30)
      else if (p === 39) this.attr &= ~ATTR.FG
      else if (p >= 40 && p <= 47) setBg(p - 40)
      else if (p === 49) this.attr &= ~ATTR.BG
      else if (p >= 90 && p <= 97) setFg(p - 90 + 8)
      else if (p >= 100 && p <= 107) setBg(p - 100 + 8)
      else if (p === 38 || p === 48) {
        const set = p === 38 ? setFg : setBg
        if (params[i + 1] === 5) {
          set(nearest16From256(params[i + 2] ?? 0))
          i += 2
        } else if (params[i + 1] === 2) {
          set(nearest16(params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0))
          i += 4
        }
      }
    }
  }
}

/** xterm's 16 colours (as RGB), for mapping 256-colour and true-colour codes onto our classes. */
const PALETTE16: [number, number, number][] = [
  [0, 0, 0], [205, 0, 0], [0, 205, 0], [205, 205, 0], [0, 0, 238], [205, 0, 205], [0, 205, 205], [229, 229, 229],
  [127, 127, 127], [255, 0, 0], [0, 255, 0], [255, 255, 0], [92, 92, 255], [255, 0, 255], [0, 255, 255], [255, 255, 255],
]

function nearest16(r: number, g: number, b: number): number {
  let best = 0
  let dist = Infinity
  PALETTE16.forEach(([pr, pg, pb], i) => {
    const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2
    if (d < dist) {
      dist = d
      best = i
    }
  })
  return best
}

function nearest16From256(n: number): number {
  if (n < 16) return Math.max(0, n)
  if (n >= 232) {
    const v = 8 + (n - 232) * 10
    return nearest16(v, v, v)
  }
  const i = n - 16
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40)
  return nearest16(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6))
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
