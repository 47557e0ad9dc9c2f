import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeEvent, FakeIpcMain, ORIGIN, WINDOW_ID } from './fake-ipc-main'
import { IpcArgumentError, noArgs, onePath, ValidatedIpcMain } from './ipc'

function setup({ noWindow = false } = {}) {
  const windowId = noWindow ? undefined : WINDOW_ID
  const fake = new FakeIpcMain()
  const logs: string[] = []
  const ipc = new ValidatedIpcMain(fake.asIpcMain(), { webContentsId: () => windowId, origin: ORIGIN }, (m) => logs.push(m))
  return { fake, ipc, logs }
}

test('a call from the main window on the cloud origin gets {result}', async () => {
  const { fake, ipc } = setup()
  const session = { endpoint: `${ORIGIN}/identity/v3`, token: 't', expiresAt: 'x', userName: 'admin', projectName: 'admin' }
  ipc.handle('stackling:get-session', noArgs, async () => session)
  assert.deepEqual(await fake.invoke('stackling:get-session', fakeEvent()), { result: session })
})

test('calls from anywhere else are refused with {error} and logged, and the handler never runs', async () => {
  const untrusted = {
    'another webContents': fakeEvent({ webContentsId: 8 }),
    'an iframe': fakeEvent({ topFrame: false }),
    'another origin': fakeEvent({ url: 'https://evil.example/' }),
    'another port': fakeEvent({ url: 'http://127.0.0.1:8800/' }),
    'a file: page': fakeEvent({ url: 'file:///tmp/x.html' }),
    'a frame that is gone': fakeEvent({ frame: null }),
    'a page that is not a URL': fakeEvent({ url: '' }),
  }
  const { fake, ipc, logs } = setup()
  let ran = 0
  ipc.handle('stackling:show-data-folder', noArgs, () => void ran++)
  for (const [what, event] of Object.entries(untrusted)) {
    const reply = (await fake.invoke('stackling:show-data-folder', event)) as { error: { message: string } }
    assert.match(reply.error.message, /did not come from the Stackling window/, what)
  }
  assert.equal(ran, 0)
  assert.equal(logs.length, Object.keys(untrusted).length)
  assert.match(logs[0]!, /refused IPC 'stackling:show-data-folder' from webContents 8/)
})

test('while there is no window nothing is trusted', async () => {
  const { fake, ipc } = setup({ noWindow: true })
  ipc.handle('stackling:show-data-folder', noArgs, () => undefined)
  assert.ok('error' in ((await fake.invoke('stackling:show-data-folder', fakeEvent())) as object))
})

test('a throwing handler and bad arguments both come back as {error: {message}}', async () => {
  const { fake, ipc } = setup()
  ipc.handle('stackling:show-item-in-folder', onePath, async () => {
    throw new Error('no such file')
  })
  assert.deepEqual(await fake.invoke('stackling:show-item-in-folder', fakeEvent(), 'a.txt'), { error: { message: 'no such file' } })
  assert.deepEqual(await fake.invoke('stackling:show-item-in-folder', fakeEvent(), 42), {
    error: { message: 'expected a path string, got number' },
  })
  assert.deepEqual(await fake.invoke('stackling:show-item-in-folder', fakeEvent()), {
    error: { message: 'expected 1 argument (a path), got 0' },
  })
})

test('a void handler replies {result: undefined}', async () => {
  const { fake, ipc } = setup()
  ipc.handle('stackling:show-data-folder', noArgs, () => undefined)
  const reply = (await fake.invoke('stackling:show-data-folder', fakeEvent())) as object
  assert.ok('result' in reply && !('error' in reply))
})

test('dispose removes the handler; channels must carry the stackling: prefix', async () => {
  const { fake, ipc } = setup()
  const d = ipc.handle('stackling:show-data-folder', noArgs, () => undefined)
  assert.ok(fake.handlers.has('stackling:show-data-folder'))
  d.dispose()
  assert.ok(!fake.handlers.has('stackling:show-data-folder'))
  assert.throws(() => ipc.handle('evil' as 'stackling:show-data-folder', noArgs, () => undefined), /must start with 'stackling:'/)
})

test('argument parsers', () => {
  assert.deepEqual(noArgs([]), [])
  assert.throws(() => noArgs([1]), IpcArgumentError)
  assert.deepEqual(onePath(['images/cirros.qcow2']), ['images/cirros.qcow2'])
  for (const bad of [[], ['a', 'b'], [null], [{}], [''], ['a\0b'], ['x'.repeat(4097)]]) {
    assert.throws(() => onePath(bad), IpcArgumentError, JSON.stringify(bad))
  }
})
