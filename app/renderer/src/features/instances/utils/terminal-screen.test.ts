import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { keyToBytes, pasteToBytes, TerminalScreen } from './terminal-screen'

describe('terminal screen', () => {
  it('prints lines and keeps the cursor where the guest left it', () => {
    const t = new TerminalScreen({ cols: 20, rows: 5 })
    t.write('hello\r\nworld')
    assert.equal(t.text(), 'hello\nworld')
    assert.deepEqual([t.row, t.col], [1, 5])
    assert.deepEqual(t.view(), { before: 'hello\nworld', cursor: ' ', after: '' })
  })

  it('scrolls into the scrollback', () => {
    const t = new TerminalScreen({ cols: 10, rows: 3, scrollback: 2 })
    t.write('1\r\n2\r\n3\r\n4\r\n5\r\n6')
    assert.deepEqual(t.lines(), ['2', '3', '4', '5', '6'])
  })

  it('wraps at the last column', () => {
    const t = new TerminalScreen({ cols: 4, rows: 3 })
    t.write('abcdef')
    assert.deepEqual(t.lines(), ['abcd', 'ef'])
    const u = new TerminalScreen({ cols: 4, rows: 3 })
    u.write('abcd\r\nx')
    assert.deepEqual(u.lines(), ['abcd', 'x'], 'a CR LF right after the last column does not add a blank line')
  })

  it('handles backspace, erase-line and cursor moves (line editing)', () => {
    const t = new TerminalScreen({ cols: 20, rows: 3 })
    t.write('# lsx\b \b\r\n')
    assert.equal(t.lines()[0], '# ls')
    t.write('abc\x1b[2D\x1b[K')
    assert.equal(t.lines()[1], 'a')
    t.write('\x1b[1;3Hz')
    assert.equal(t.lines()[0], '# zs')
  })

  it('drops colours, titles and charsets', () => {
    const t = new TerminalScreen({ cols: 40, rows: 3 })
    t.write('\x1b[1;32mOK\x1b[0m \x1b]0;title\x07done \x1b(Bx\x1b]2;t\x1b\\!')
    assert.equal(t.text(), 'OK done x!')
  })

  it('clears the screen and homes the cursor', () => {
    const t = new TerminalScreen({ cols: 10, rows: 3 })
    t.write('junk\r\nmore\x1b[H\x1b[2J')
    assert.equal(t.text(), '')
    t.write('top')
    assert.equal(t.text(), 'top')
  })

  it('survives escape sequences split across writes (bytes arrive in chunks)', () => {
    const t = new TerminalScreen({ cols: 20, rows: 3 })
    t.write('a\x1b[')
    t.write('31mb\x1b')
    t.write('[0mc')
    assert.equal(t.text(), 'abc')
  })

  it('answers a cursor position request', () => {
    const replies: string[] = []
    const t = new TerminalScreen({ cols: 20, rows: 5, onReply: (r) => replies.push(r) })
    t.write('ab\r\ncd\x1b[6n')
    assert.deepEqual(replies, ['\x1b[2;3R'])
  })

  it('shows the cursor inside a line', () => {
    const t = new TerminalScreen({ cols: 20, rows: 3 })
    t.write('login: root\x1b[4D')
    assert.deepEqual(t.view(), { before: 'login: ', cursor: 'r', after: 'oot' })
  })
})

describe('keys to bytes', () => {
  it('sends what a VT100 keyboard sends', () => {
    assert.equal(keyToBytes({ key: 'a' }), 'a')
    assert.equal(keyToBytes({ key: 'A' }), 'A')
    assert.equal(keyToBytes({ key: 'Enter' }), '\r')
    assert.equal(keyToBytes({ key: 'Backspace' }), '\x7f')
    assert.equal(keyToBytes({ key: 'ArrowUp' }), '\x1b[A')
    assert.equal(keyToBytes({ key: 'c', ctrlKey: true }), '\x03')
    assert.equal(keyToBytes({ key: 'D', ctrlKey: true }), '\x04')
    assert.equal(keyToBytes({ key: 'b', altKey: true }), '\x1bb')
    assert.equal(keyToBytes({ key: 'Shift' }), undefined)
    assert.equal(keyToBytes({ key: 'F5' }), undefined)
    assert.equal(keyToBytes({ key: 'v', metaKey: true }), undefined)
    assert.equal(keyToBytes({ key: 'é' }), 'é')
  })

  it('turns pasted line ends into Enter', () => {
    assert.equal(pasteToBytes('ls\nuname -a\r\n'), 'ls\runame -a\r')
  })
})
