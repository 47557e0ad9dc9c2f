import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { resolveLaunchOptions } from './launch-options'

const DEFAULT_DIR = path.resolve('/home/me/.local/share/stackling')
const inputs = (switches: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => ({
  env,
  switchValue: (name: string) => switches[name] ?? '',
  defaultDataDir: DEFAULT_DIR,
  defaultPort: 8799,
})

test('defaults are the headless server’s, and a default port may be swapped for a free one', () => {
  assert.deepEqual(resolveLaunchOptions(inputs()), { dataDir: DEFAULT_DIR, port: 8799, portChosen: false })
})

test('switches win over the environment, which wins over the defaults', () => {
  const env = { STACKLING_DATA_DIR: path.resolve('/env/dir'), STACKLING_PORT: '9000' }
  assert.deepEqual(resolveLaunchOptions(inputs({}, env)), { dataDir: path.resolve('/env/dir'), port: 9000, portChosen: true })
  assert.deepEqual(resolveLaunchOptions(inputs({ 'data-dir': path.resolve('/cli'), port: '0' }, env)), {
    dataDir: path.resolve('/cli'),
    port: 0,
    portChosen: true,
  })
})

test('a relative data dir is made absolute', () => {
  const r = resolveLaunchOptions(inputs({ 'data-dir': 'rel/dir' }))
  assert.ok('dataDir' in r && r.dataDir === path.resolve('rel/dir'))
})

test('a bad port is an error for the user', () => {
  for (const bad of ['abc', '-1', '65536', '80.5', '123456']) {
    const r = resolveLaunchOptions(inputs({ port: bad }))
    assert.ok('error' in r && r.error.includes(`'${bad}'`), bad)
  }
})
