import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeEvent, FakeIpcMain, WINDOW_ID, ORIGIN } from './fake-ipc-main'
import { ValidatedIpcMain } from './ipc'
import { registerCloudShellHandlers } from './cloud-shell-ipc'
import type { ShellIdentity, ShellSession } from '../cloud/services/cloud-shell/pty-sessions'

function setup() {
  const fake = new FakeIpcMain()
  const ipc = new ValidatedIpcMain(fake.asIpcMain(), { webContentsId: () => WINDOW_ID, origin: ORIGIN }, () => undefined)
  const sent: unknown[][] = []
  const log: string[] = []
  let onData: (d: Buffer) => void = () => undefined
  let onExit: (c: number) => void = () => undefined
  const handlers = registerCloudShellHandlers(ipc, {
    resolve: async (token) => {
      if (token !== 'good') throw new Error('The request you have made requires authentication.')
      return { token, userName: 'demo', projectId: 'p', projectName: 'demo', authUrl: `${ORIGIN}/identity/v3` } satisfies ShellIdentity
    },
    sessions: {
      open: (who, size) => {
        log.push(`open ${who.userName} ${size.cols}x${size.rows}`)
        return {
          id: 'sh-1',
          pid: 1,
          write: (d) => void log.push(`write ${String(d)}`),
          resize: (s) => void log.push(`resize ${s.cols}x${s.rows}`),
          pause: () => undefined,
          resume: () => undefined,
          close: () => void log.push('close'),
          onData: (l) => void (onData = l),
          onExit: (l) => void (onExit = l),
        } satisfies ShellSession
      },
    },
    send: (event, ...args) => void sent.push([event, ...args]),
  })
  const call = (channel: string, ...args: unknown[]) => fake.invoke(channel, fakeEvent(), ...args)
  return { fake, handlers, call, sent, log, data: (s: string) => onData(Buffer.from(s)), exit: (c: number) => onExit(c) }
}

test('shell-open checks the token, then input, resize, output and exit flow by id', async () => {
  const t = setup()
  assert.deepEqual(await t.call('stackling:shell-open', 'bad', 80, 24), { error: { message: 'The request you have made requires authentication.' } })
  assert.deepEqual(await t.call('stackling:shell-open', 'good', 80, 24), { result: 'sh-1' })
  assert.deepEqual(await t.call('stackling:shell-input', 'sh-1', 'ls\r'), { result: undefined })
  assert.deepEqual(await t.call('stackling:shell-resize', 'sh-1', 120, 40), { result: undefined })
  t.data('hello')
  assert.deepEqual(t.sent, [['stackling:shell-output', 'sh-1', 'hello']])
  t.exit(0)
  assert.deepEqual(t.sent.at(-1), ['stackling:shell-exit', 'sh-1', 0])
  assert.ok('error' in ((await t.call('stackling:shell-input', 'sh-1', 'x')) as object), 'an ended shell takes no input')
  assert.deepEqual(t.log, ['open demo 80x24', 'write ls\r', 'resize 120x40'])
})

test('shell channels validate their arguments and their sender; dispose and closeAll end the shells', async () => {
  const t = setup()
  for (const args of [[], ['good', 0, 24], ['good', 80, 'x'], [42, 80, 24], ['good', 80, 24, 1]]) {
    assert.ok('error' in ((await t.call('stackling:shell-open', ...args)) as object), JSON.stringify(args))
  }
  assert.ok('error' in ((await t.fake.invoke('stackling:shell-open', fakeEvent({ webContentsId: 99 }), 'good', 80, 24)) as object))
  assert.ok('error' in ((await t.fake.invoke('stackling:shell-open', fakeEvent({ url: 'https://evil.example/' }), 'good', 80, 24)) as object))
  assert.deepEqual(t.log, [])
  await t.call('stackling:shell-open', 'good', 80, 24)
  t.handlers.closeAll()
  assert.deepEqual(t.log, ['open demo 80x24', 'close'])
  t.handlers.dispose()
  assert.equal(t.fake.handlers.size, 0)
})
