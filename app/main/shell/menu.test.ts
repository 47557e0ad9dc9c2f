import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { MenuItemConstructorOptions } from 'electron'
import { appMenuTemplate } from './menu'

function recorder() {
  const calls: string[] = []
  return {
    calls,
    actions: {
      openDataFolder: () => void calls.push('openDataFolder'),
      showLogFile: () => void calls.push('showLogFile'),
      openDocs: () => void calls.push('openDocs'),
    },
  }
}

const title = (m: MenuItemConstructorOptions) => m.label ?? m.role
const items = (m: MenuItemConstructorOptions | undefined) => (m?.submenu ?? []) as MenuItemConstructorOptions[]
// The real click gets (menuItem, window, event); these handlers ignore them.
const click = (m: MenuItemConstructorOptions | undefined) => (m?.click as unknown as (() => void) | undefined)?.()

test('File, Edit, View and Help on Linux and Windows; app and Window menus added on macOS', () => {
  const { actions } = recorder()
  assert.deepEqual(appMenuTemplate(actions, 'linux').map(title), ['File', 'editMenu', 'View', 'help'])
  assert.deepEqual(appMenuTemplate(actions, 'win32').map(title), ['File', 'editMenu', 'View', 'help'])
  assert.deepEqual(appMenuTemplate(actions, 'darwin').map(title), ['appMenu', 'File', 'editMenu', 'View', 'windowMenu', 'help'])
})

test('File ends with Quit (Close on macOS, where Quit is in the app menu)', () => {
  const { actions } = recorder()
  assert.equal(items(appMenuTemplate(actions, 'linux')[0]).at(-1)?.role, 'quit')
  assert.equal(items(appMenuTemplate(actions, 'darwin')[1]).at(-1)?.role, 'close')
})

test('Help links to the docs and opens the data folder and the log file', () => {
  const { actions, calls } = recorder()
  const help = items(appMenuTemplate(actions, 'linux').at(-1))
  const byLabel = (label: string) => help.find((i) => i.label === label)
  click(byLabel('Stackling Documentation'))
  click(byLabel('Open Data Folder'))
  click(byLabel('Show Log File'))
  assert.deepEqual(calls, ['openDocs', 'openDataFolder', 'showLogFile'])
})
