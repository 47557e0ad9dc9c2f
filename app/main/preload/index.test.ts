/// <reference types="node" />
// Runs the real preload under plain Node: 'electron' is replaced in the module cache by a fake that records what
// the preload exposes and answers `invoke` like the shell would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { StacklingBridge } from '../../shared/desktop/stackling-bridge'

const invocations: unknown[][] = []
let reply: (channel: string, args: unknown[]) => unknown = () => ({ result: undefined })
const exposed = new Map<string, unknown>()
const listeners: [string, (...a: unknown[]) => void][] = []

const fakeElectron = {
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) },
  ipcRenderer: {
    on: (event: string, l: (...a: unknown[]) => void) => void listeners.push([event, l]),
    removeListener: (event: string, l: unknown) => {
      const i = listeners.findIndex(([e, x]) => e === event && x === l)
      if (i >= 0) listeners.splice(i, 1)
    },
    invoke: async (channel: string, ...args: unknown[]) => {
      invocations.push([channel, ...args])
      return reply(channel, args)
    },
  },
}
const electronPath = require.resolve('electron')
require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: fakeElectron } as NodeJS.Module
const preload: typeof import('./index') = require('./index')
const bridge = exposed.get('stackling') as StacklingBridge

test('exposes window.stackling and nothing else', () => {
  assert.deepEqual([...exposed.keys()], ['stackling'])
  assert.deepEqual(Object.keys(bridge).sort(), ['getSession', 'shell', 'showDataFolder', 'showItemInFolder'])
  assert.deepEqual(Object.keys(bridge.shell).sort(), ['close', 'onExit', 'onOutput', 'open', 'resize', 'write'])
})

test('each method invokes its stackling: channel and unwraps {result}', async () => {
  invocations.length = 0
  const session = { endpoint: 'http://127.0.0.1:8799/identity/v3', token: 't', expiresAt: 'x', userName: 'admin', projectName: 'admin' }
  reply = (channel) => ({ result: channel === 'stackling:get-session' ? session : undefined })
  assert.deepEqual(await bridge.getSession(), session)
  assert.equal(await bridge.showDataFolder(), undefined)
  assert.equal(await bridge.showItemInFolder('logs/stackling.log'), undefined)
  assert.deepEqual(invocations, [
    ['stackling:get-session'],
    ['stackling:show-data-folder'],
    ['stackling:show-item-in-folder', 'logs/stackling.log'],
  ])
})

test('{error} from main becomes a rejection with its message', async () => {
  reply = () => ({ error: { message: "'../x' is outside the Stackling data folder" } })
  await assert.rejects(bridge.showItemInFolder('../x'), { message: "'../x' is outside the Stackling data folder" })
})

test('a malformed reply is an error, not undefined', async () => {
  for (const bad of [undefined, null, 'ok', {}, { error: 'x' }]) {
    reply = () => bad
    await assert.rejects(bridge.getSession(), Error, JSON.stringify(bad))
  }
})

test('showItemInFolder rejects a non-string before any IPC', async () => {
  invocations.length = 0
  await assert.rejects(bridge.showItemInFolder(42 as unknown as string), TypeError)
  assert.deepEqual(invocations, [])
})

test('the channel allow-list throws on anything else', () => {
  preload.validateChannel('stackling:get-session')
  for (const bad of ['stackling:eval', 'get-session', '', 'stackling:get-session ']) {
    assert.throws(() => preload.validateChannel(bad), /Unsupported IPC channel/, bad)
  }
})

test('unwrap', () => {
  assert.equal(preload.unwrap({ result: 3 }), 3)
  assert.throws(() => preload.unwrap({ error: { message: 'boom' } }), { message: 'boom' })
  assert.throws(() => preload.unwrap({ error: {} }), /without a message/)
})

test('the cloud shell methods invoke their channels with checked arguments; events reach only the listener', async () => {
  invocations.length = 0
  reply = (channel) => ({ result: channel === 'stackling:shell-open' ? 'sh-1' : undefined })
  assert.equal(await bridge.shell.open('tok', 80, 24), 'sh-1')
  await bridge.shell.write('sh-1', 'ls\r')
  await bridge.shell.resize('sh-1', 100, 30)
  await bridge.shell.close('sh-1')
  assert.deepEqual(invocations, [
    ['stackling:shell-open', 'tok', 80, 24],
    ['stackling:shell-input', 'sh-1', 'ls\r'],
    ['stackling:shell-resize', 'sh-1', 100, 30],
    ['stackling:shell-close', 'sh-1'],
  ])
  await assert.rejects(bridge.shell.open('tok', 0, 24), TypeError)
  await assert.rejects(bridge.shell.write('sh-1', 42 as unknown as string), TypeError)
  assert.equal(invocations.length, 4)
  const got: unknown[] = []
  const off = bridge.shell.onOutput((id, data) => got.push([id, data]))
  const [event, wrapped] = listeners.find(([e]) => e === 'stackling:shell-output')!
  assert.equal(event, 'stackling:shell-output')
  wrapped({ sender: 'secret' }, 'sh-1', 'hello')
  assert.deepEqual(got, [['sh-1', 'hello']])
  off()
  assert.equal(listeners.length, 0)
})
