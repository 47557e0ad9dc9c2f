import type { MenuItemConstructorOptions } from 'electron'

// The template only (types from 'electron', no runtime import): desktop-app.ts builds the Menu from it, and the
// tests read it under plain Node.

export interface MenuActions {
  openDataFolder(): void
  showLogFile(): void
  openDocs(): void
}

/** File, Edit, View and Help (with the app menu first and a Window menu on macOS, as Mac users expect). */
export function appMenuTemplate(actions: MenuActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin'
  const openDataFolder: MenuItemConstructorOptions = {
    label: 'Open Data Folder',
    accelerator: 'CmdOrCtrl+Shift+D',
    click: () => actions.openDataFolder(),
  }
  const showLogFile: MenuItemConstructorOptions = { label: 'Show Log File', click: () => actions.showLogFile() }
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [openDataFolder, showLogFile, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    ...(mac ? [{ role: 'windowMenu' } as const] : []),
    {
      role: 'help',
      submenu: [
        { label: 'Stackling Documentation', click: () => actions.openDocs() },
        { type: 'separator' },
        { ...openDataFolder, accelerator: undefined },
        showLogFile,
      ],
    },
  ]
}
