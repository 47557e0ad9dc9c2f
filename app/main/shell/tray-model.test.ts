import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { runningLabel, trayIconFiles, trayMenuTemplate, trayTitle, trayTooltip } from './tray-model'

const click = (m: MenuItemConstructorOptions | undefined) => (m?.click as unknown as (() => void) | undefined)?.()

test('the running label counts in words, and says so before the first count', () => {
  assert.equal(runningLabel(undefined), 'Counting instances…')
  assert.equal(runningLabel(0), 'No instances running')
  assert.equal(runningLabel(1), '1 instance running')
  assert.equal(runningLabel(12), '12 instances running')
})

test('tooltip "Stackling — N running"; just "Stackling" while the count is unknown', () => {
  assert.equal(trayTooltip(3), 'Stackling — 3 running')
  assert.equal(trayTooltip(0), 'Stackling — 0 running')
  assert.equal(trayTooltip(undefined), 'Stackling')
})

test('the macOS menu-bar title is the count when some run, and empty otherwise and elsewhere', () => {
  assert.equal(trayTitle(2, 'darwin'), '2')
  assert.equal(trayTitle(0, 'darwin'), '')
  assert.equal(trayTitle(undefined, 'darwin'), '')
  assert.equal(trayTitle(2, 'linux'), '')
  assert.equal(trayTitle(2, 'win32'), '')
})

test('menu: Open Dashboard, the count as a disabled label, Quit; the items call their actions', () => {
  const calls: string[] = []
  const actions = { openDashboard: () => void calls.push('open'), quit: () => void calls.push('quit') }
  const menu = trayMenuTemplate({ running: 2 }, actions, 'linux')
  const items = menu.filter((i) => i.type !== 'separator')
  assert.deepEqual(
    items.map((i) => i.label),
    ['Open Dashboard', '2 instances running', 'Quit'],
  )
  const running = items.find((i) => i.id === 'running')
  assert.equal(running?.enabled, false)
  assert.equal(running?.click, undefined)
  click(items.find((i) => i.id === 'open'))
  click(items.find((i) => i.id === 'quit'))
  assert.deepEqual(calls, ['open', 'quit'])
  assert.equal(trayMenuTemplate({ running: undefined }, actions, 'darwin').find((i) => i.id === 'quit')?.label, 'Quit Stackling')
  assert.equal(trayMenuTemplate({ running: undefined }, actions, 'darwin').find((i) => i.id === 'running')?.label, 'Counting instances…')
})

test('tray icons come from resources/icons at the size each OS draws, with the packaged app icon as fallback', () => {
  const root = path.join(path.sep, 'app')
  assert.deepEqual(trayIconFiles(root, 'darwin'), {
    normal: path.join(root, 'resources', 'icons', '16x16.png'),
    hidpi: path.join(root, 'resources', 'icons', '32x32.png'),
    fallback: path.join(root, 'resources', 'icon.png'),
  })
  assert.equal(trayIconFiles(root, 'win32').normal, path.join(root, 'resources', 'icons', '16x16.png'))
  assert.equal(trayIconFiles(root, 'linux').normal, path.join(root, 'resources', 'icons', '24x24.png'))
  assert.equal(trayIconFiles(root, 'linux').hidpi, path.join(root, 'resources', 'icons', '48x48.png'))
})

test('every icon named exists in this repository', async () => {
  const { existsSync } = await import('node:fs')
  const repo = path.resolve(__dirname, '../../../..')
  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    for (const file of Object.values(trayIconFiles(repo, platform))) assert.ok(existsSync(file), file)
  }
})
