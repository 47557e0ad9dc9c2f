import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defaultDataDir, safeJoin } from './paths'
import { atomicWriteFile, removeStaleTempFiles } from './fs/atomic-write'

describe('paths', () => {
  it('picks the per-OS app data folder', () => {
    assert.equal(defaultDataDir('linux', {}, '/home/a'), '/home/a/.local/share/stackling')
    assert.equal(defaultDataDir('linux', { XDG_DATA_HOME: '/x' }, '/home/a'), '/x/stackling')
    assert.equal(defaultDataDir('darwin', {}, '/Users/a'), '/Users/a/Library/Application Support/Stackling')
    assert.equal(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'C:\\Users\\a'), 'C:\\Users\\a\\AppData\\Roaming\\Stackling')
  })
  it('never lets a user path escape its folder', () => {
    assert.equal(safeJoin('/data', 'a/b'), '/data/a/b')
    assert.throws(() => safeJoin('/data', '../etc/passwd'), /escapes/)
    assert.throws(() => safeJoin('/data', '/etc/passwd'), /escapes/)
    assert.throws(() => safeJoin('/data', 'a\0b'), /NUL/)
  })
})

describe('atomicWriteFile', () => {
  it('replaces the file whole, with the mode asked for, leaving no temp file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-aw-'))
    try {
      const f = path.join(dir, 'x.json')
      await atomicWriteFile(f, 'one')
      await atomicWriteFile(f, 'two', { mode: 0o600 })
      assert.equal(readFileSync(f, 'utf8'), 'two')
      assert.deepEqual(readdirSync(dir), ['x.json'])
      assert.equal(statSync(f).mode & 0o777, 0o600)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
  it('cleans up temp files a crash left behind', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-aw-'))
    try {
      await atomicWriteFile(path.join(dir, 'keep'), 'k')
      await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, '.keep.abc.tmp'), 'torn'))
      assert.equal(await removeStaleTempFiles(dir), 1)
      assert.deepEqual(readdirSync(dir), ['keep'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
