import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrClasses, TerminalScreen, type StyledRun } from './terminal-screen'

describe('TerminalScreen (cloud shell additions)', () => {
  it('resizes: lines are cut or padded, the cursor line stays on screen', () => {
    const t = new TerminalScreen({ cols: 10, rows: 4 })
    t.write('one\r\ntwo\r\nthree\r\nfour')
    t.resize(3, 2)
    assert.deepEqual(t.lines(), ['one', 'two', 'thr', 'fou'])
    assert.equal(t.row, 1)
    assert.equal(t.col, 2)
    t.resize(20, 5)
    t.write('\r\nafter a resize, a long line fits')
    assert.deepEqual(t.lines().slice(-3), ['fou', 'after a resize, a lo', 'ng line fits'])
  })

  it('shows the alternate screen over the main one and brings the main one back', () => {
    const t = new TerminalScreen({ cols: 20, rows: 3 })
    t.write('$ less file\r\n')
    t.write('\x1b[?1049h\x1b[Hpage 1\r\npage 2')
    assert.deepEqual(t.lines(), ['page 1', 'page 2'])
    t.write('\x1b[?1049l')
    assert.deepEqual(t.lines(), ['$ less file', ''])
    assert.equal(t.row, 1)
  })

  it('drops what bash and the openstack CLI send around the text: colours, bracketed paste, titles, clear line', () => {
    const t = new TerminalScreen({ cols: 40, rows: 4 })
    t.write('\x1b]0;demo@host: ~\x07\x1b[?2004h\x1b[01;32mdemo@host\x1b[00m:\x1b[01;34m~\x1b[00m$ typo\r\x1b[K$ ok')
    assert.deepEqual(t.lines(), ['$ ok'])
    t.write('\r\n+------+\r\n| \x1b[1mid\x1b[0m   |\r\n')
    assert.deepEqual(t.lines(), ['$ ok', '+------+', '| id   |', ''])
  })

  it('keeps colours per cell: 16 colours, bright, 256 and true colour mapped to the nearest, bold, inverse, reset', () => {
    const t = new TerminalScreen({ cols: 40, rows: 4 })
    t.write('\x1b[01;32mdemo\x1b[00m:\x1b[1;34m~\x1b[0m$ \x1b[38;5;196mred\x1b[39m \x1b[38;2;0;0;250mblue\x1b[0m \x1b[7minv\x1b[27m!')
    const v = t.styledView()
    const show = (runs: StyledRun[]) => runs.map((r) => `${attrClasses(r.attr) || '-'}:${r.text}`)
    assert.deepEqual(show(v.before), ['t-fg-2 t-bold:demo', '-::', 't-fg-4 t-bold:~', '-:$ ', 't-fg-9:red', '-: ', 't-fg-4:blue', '-: ', 't-fg-inv t-bg-inv:inv', '-:!'])
    assert.equal(v.cursor.text, ' ')
    assert.deepEqual(t.lines(), ['demo:~$ red blue inv!'])
  })

  it('styledView splits at the cursor across lines, and erasing drops the colour', () => {
    const t = new TerminalScreen({ cols: 10, rows: 3 })
    t.write('\x1b[31mab\x1b[0m\r\n\x1b[42mcd\x1b[0m\x1b[H')
    let v = t.styledView()
    assert.deepEqual(v.before, [])
    assert.deepEqual(v.cursor, { text: 'a', attr: 2 })
    assert.deepEqual(v.after.map((r) => r.text).join(''), 'b\ncd')
    t.write('\x1b[2K\x1b[B\x1b[K')
    v = t.styledView()
    assert.deepEqual(v.after.every((r) => r.attr === 0), true)
  })

  it('scrolled-off lines keep their colours in the scrollback', () => {
    const t = new TerminalScreen({ cols: 10, rows: 2 })
    t.write('\x1b[33mone\x1b[0m\r\ntwo\r\nthree')
    const v = t.styledView()
    assert.deepEqual(v.before[0], { text: 'one', attr: 4 })
    assert.deepEqual(t.lines(), ['one', 'two', 'three'])
  })
})
