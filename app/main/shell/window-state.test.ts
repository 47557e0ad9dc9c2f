import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_SIZE, MIN_SIZE, parseWindowState, placeWindow, WindowStateFile, type Rect, type WindowState } from './window-state'

const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1050 }
const RIGHT: Rect = { x: 1920, y: 0, width: 1280, height: 1000 }
const state = (bounds: Rect, maximized = false, fullScreen = false): WindowState => ({ bounds, maximized, fullScreen })

test('parseWindowState reads what save writes and rejects anything else', () => {
  const good = state({ x: 10, y: 20, width: 1000, height: 700 }, true)
  assert.deepEqual(parseWindowState(JSON.stringify(good)), good)
  for (const bad of ['', 'not json', 'null', '[]', '{}', '{"bounds":{"x":1,"y":2,"width":3}}',
    '{"bounds":{"x":"1","y":2,"width":3,"height":4}}', '{"bounds":{"x":1,"y":2,"width":0,"height":4}}',
    '{"bounds":{"x":1e999,"y":2,"width":3,"height":4}}']) {
    assert.equal(parseWindowState(bad), undefined, bad)
  }
  assert.deepEqual(parseWindowState('{"bounds":{"x":1,"y":2,"width":900,"height":600},"maximized":"yes"}'), {
    bounds: { x: 1, y: 2, width: 900, height: 600 },
    maximized: false,
    fullScreen: false,
  })
})

test('without a saved state the window opens at the default size, centred', () => {
  assert.deepEqual(placeWindow(undefined, [PRIMARY]), { ...DEFAULT_SIZE, maximized: false, fullScreen: false })
})

test('a saved place on a connected display is reused as it was', () => {
  const saved = state({ x: 2000, y: 100, width: 1000, height: 700 }, true)
  assert.deepEqual(placeWindow(saved, [PRIMARY, RIGHT]), { x: 2000, y: 100, width: 1000, height: 700, maximized: true, fullScreen: false })
})

test('a window hanging off its display is moved back inside it', () => {
  const saved = state({ x: 1500, y: -50, width: 1000, height: 700 })
  assert.deepEqual(placeWindow(saved, [PRIMARY]), { x: 920, y: 0, width: 1000, height: 700, maximized: false, fullScreen: false })
})

test('a window bigger than its display is shrunk to fit, but not below the minimum the display allows', () => {
  assert.deepEqual(placeWindow(state({ x: 0, y: 0, width: 4000, height: 3000 }), [PRIMARY]), {
    x: 0, y: 0, width: 1920, height: 1050, maximized: false, fullScreen: false,
  })
  assert.deepEqual(placeWindow(state({ x: 0, y: 0, width: 300, height: 200 }), [PRIMARY]), {
    x: 0, y: 0, ...MIN_SIZE, maximized: false, fullScreen: false,
  })
  const tiny: Rect = { x: 0, y: 0, width: 640, height: 480 }
  assert.deepEqual(placeWindow(state({ x: 0, y: 0, width: 1000, height: 700 }), [tiny]), {
    x: 0, y: 0, width: 640, height: 480, maximized: false, fullScreen: false,
  })
})

test('a saved place on a display that is gone (or barely on one) is dropped: centred on the primary display', () => {
  const onGoneDisplay = state({ x: 2000, y: 100, width: 1000, height: 700 }, false, true)
  assert.deepEqual(placeWindow(onGoneDisplay, [PRIMARY]), { width: 1000, height: 700, maximized: false, fullScreen: true })
  const sliverVisible = state({ x: 1900, y: 100, width: 1000, height: 700 })
  assert.equal(placeWindow(sliverVisible, [PRIMARY]).x, undefined)
})

test('the file round-trips, leaves no temp file, and treats a missing or corrupt file as no state', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stackling-window-state-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = new WindowStateFile(path.join(dir, 'window-state.json'))
  assert.equal(await file.load(), undefined)

  const saved = state({ x: 5, y: 6, width: 1100, height: 800 }, false, true)
  await file.save(saved)
  assert.deepEqual(await file.load(), saved)
  assert.deepEqual(await readdir(dir), ['window-state.json'])

  await writeFile(file.file, '{"bounds": {"x": 1', 'utf8')
  assert.equal(await file.load(), undefined)
})

test('saves run one at a time and the last one wins; flush waits for it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stackling-window-state-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = new WindowStateFile(path.join(dir, 'window-state.json'))
  for (let i = 1; i <= 5; i++) void file.save(state({ x: i, y: i, width: 900, height: 600 }))
  await file.flush()
  assert.equal(JSON.parse(await readFile(file.file, 'utf8')).bounds.x, 5)
  assert.deepEqual(await readdir(dir), ['window-state.json'])
})

test('a failed save rejects, later saves still work, and a missing folder is created', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stackling-window-state-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(path.join(dir, 'a-file'), '')
  const unwritable = new WindowStateFile(path.join(dir, 'a-file', 'window-state.json'))
  await assert.rejects(unwritable.save(state({ x: 0, y: 0, width: 900, height: 600 })))
  await unwritable.flush()
  const file = new WindowStateFile(path.join(dir, 'new-folder', 'window-state.json'))
  await file.save(state({ x: 1, y: 1, width: 900, height: 600 }))
  assert.equal((await file.load())?.bounds.x, 1)
})
