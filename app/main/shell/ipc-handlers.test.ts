import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fakeEvent, FakeIpcMain, ORIGIN, WINDOW_ID } from './fake-ipc-main'
import { ValidatedIpcMain } from './ipc'
import { registerStacklingHandlers } from './ipc-handlers'

const SESSION = { endpoint: `${ORIGIN}/identity/v3`, token: 'gAAAA', expiresAt: '2030-01-01T00:00:00Z', userName: 'admin', projectName: 'admin' }

async function setup(t: TestContext, openPathResult = '') {
  const base = await mkdtemp(path.join(os.tmpdir(), 'stackling-ipc-'))
  t.after(() => rm(base, { recursive: true, force: true }))
  const dataDir = path.join(base, 'data')
  await mkdir(path.join(dataDir, 'logs'), { recursive: true })
  await writeFile(path.join(dataDir, 'logs', 'stackling.log'), '')
  await writeFile(path.join(base, 'outside.txt'), '')
  const calls: string[][] = []
  const fake = new FakeIpcMain()
  const ipc = new ValidatedIpcMain(fake.asIpcMain(), { webContentsId: () => WINDOW_ID, origin: ORIGIN }, () => undefined)
  const registered = registerStacklingHandlers(ipc, {
    cloud: { localAdminSession: async () => SESSION },
    dataDir,
    desktop: {
      openPath: async (p) => (calls.push(['openPath', p]), openPathResult),
      showItemInFolder: (p) => void calls.push(['showItemInFolder', p]),
    },
  })
  const call = (channel: string, ...args: unknown[]) => fake.invoke(channel, fakeEvent(), ...args)
  return { base, dataDir, calls, fake, registered, call }
}

test('stackling:get-session returns the local admin session', async (t) => {
  const { call } = await setup(t)
  assert.deepEqual(await call('stackling:get-session'), { result: SESSION })
  assert.ok('error' in ((await call('stackling:get-session', 'extra')) as object))
})

test('stackling:show-data-folder opens the data folder, and reports a failure', async (t) => {
  const ok = await setup(t)
  assert.deepEqual(await ok.call('stackling:show-data-folder'), { result: undefined })
  assert.deepEqual(ok.calls, [['openPath', ok.dataDir]])
  const failing = await setup(t, 'Failed to open path')
  assert.deepEqual(await failing.call('stackling:show-data-folder'), {
    error: { message: 'Could not open the data folder: Failed to open path' },
  })
})

test('stackling:show-item-in-folder reveals files inside the data folder, by relative or absolute path', async (t) => {
  const { call, calls, dataDir } = await setup(t)
  const log = path.join(await realpath(dataDir), 'logs', 'stackling.log')
  assert.deepEqual(await call('stackling:show-item-in-folder', 'logs/stackling.log'), { result: undefined })
  assert.deepEqual(await call('stackling:show-item-in-folder', path.join(dataDir, 'logs', 'stackling.log')), { result: undefined })
  assert.deepEqual(await call('stackling:show-item-in-folder', 'logs/../logs/stackling.log'), { result: undefined })
  assert.deepEqual(calls, [['showItemInFolder', log], ['showItemInFolder', log], ['showItemInFolder', log]])
})

test('stackling:show-item-in-folder refuses paths outside the data folder, through .. or a symlink', async (t) => {
  const { call, calls, base, dataDir } = await setup(t)
  await symlink(path.join(base, 'outside.txt'), path.join(dataDir, 'link.txt'))
  await symlink(base, path.join(dataDir, 'up'))
  const refused = ['../outside.txt', path.join(base, 'outside.txt'), 'link.txt', 'up/outside.txt', '/etc/passwd', '..']
  for (const p of refused) {
    const reply = (await call('stackling:show-item-in-folder', p)) as { error: { message: string } }
    assert.match(reply.error.message, /outside the Stackling data folder/, p)
  }
  const missing = (await call('stackling:show-item-in-folder', 'images/none.qcow2')) as { error: { message: string } }
  assert.equal(missing.error.message, "'images/none.qcow2' does not exist")
  assert.deepEqual(calls, [])
})

test('dispose removes every channel', async (t) => {
  const { fake, registered } = await setup(t)
  assert.equal(fake.handlers.size, 3)
  registered.dispose()
  assert.equal(fake.handlers.size, 0)
})
