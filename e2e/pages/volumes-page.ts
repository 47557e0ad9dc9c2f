import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Storage → Volumes: create, attach, detach, extend, snapshot and delete, each through its dialog. */
export class VolumesPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('volumes-page')
  }
  get rows(): Locator {
    return this.root.getByTestId('volume-row')
  }
  get createDialog(): Locator {
    return this.page.getByTestId('create-volume-dialog')
  }
  get attachDialog(): Locator {
    return this.page.getByTestId('attach-volume-dialog')
  }
  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  row(name: string): Locator {
    return this.root.locator(`[data-testid="volume-row"][data-name="${attr(name)}"]`)
  }

  /** Waits until the row shows `status` (the panel polls while Cinder works). */
  async waitStatus(name: string, status: string, timeout = 60_000): Promise<void> {
    await this.root.locator(`[data-testid="volume-row"][data-name="${attr(name)}"][data-status="${attr(status)}"]`).waitFor({ timeout })
  }

  /** Opens the create dialog and fills a blank volume; returns the CLI line the dialog shows. Does not submit. */
  async fillCreate(opts: { name: string; size: number }): Promise<string> {
    await this.root.getByTestId('create-volume').or(this.root.getByTestId('create-volume-empty')).first().click()
    await this.createDialog.waitFor()
    await this.createDialog.getByTestId('volume-name').fill(opts.name)
    await this.createDialog.getByTestId('volume-size').fill(String(opts.size))
    return ((await this.createDialog.getByTestId('create-volume-cli').locator('code').textContent()) ?? '').replace(/^\$ /, '')
  }

  async submitCreate(): Promise<void> {
    await this.createDialog.getByTestId('create-volume-submit').click()
    await this.createDialog.waitFor({ state: 'detached' })
  }

  /** Attach through the dialog; returns the CLI line it showed. */
  async attach(name: string, instance: string): Promise<string> {
    await this.row(name).getByTestId('volume-attach').click()
    await this.attachDialog.waitFor()
    const select = this.attachDialog.getByTestId('attach-volume-server')
    const value = await select.locator('option').filter({ hasText: `${instance} (` }).first().getAttribute('value')
    await select.selectOption(value ?? '')
    const cli = ((await this.attachDialog.getByTestId('attach-volume-cli').locator('code').textContent()) ?? '').replace(/^\$ /, '')
    await this.attachDialog.getByTestId('attach-volume-submit').click()
    await this.attachDialog.waitFor({ state: 'detached' })
    return cli
  }

  async detach(name: string): Promise<void> {
    await this.row(name).getByTestId('volume-detach').click()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
  }

  /** The row's menu item (disabled items say why in their title). */
  async menuItem(name: string, item: 'volume-extend' | 'volume-snapshot' | 'volume-delete'): Promise<Locator> {
    await this.row(name).getByTestId('volume-menu').click()
    return this.page.locator('[data-testid="volume-menu-items"]:popover-open').getByTestId(item)
  }

  async delete(name: string): Promise<void> {
    const item = await this.menuItem(name, 'volume-delete')
    await item.click()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
  }

  get snapshotRows(): Locator {
    return this.root.getByTestId('snapshot-row')
  }

  snapshotRow(name: string): Locator {
    return this.root.locator(`[data-testid="snapshot-row"][data-name="${attr(name)}"]`)
  }

  async tab(id: 'volumes' | 'snapshots'): Promise<void> {
    await this.root.getByTestId(`tab-${id}`).click()
  }

  /** Extend through the row's menu; returns the CLI line the dialog showed. */
  async extend(name: string, size: number): Promise<string> {
    await (await this.menuItem(name, 'volume-extend')).click()
    const d = this.page.getByTestId('extend-volume-dialog')
    await d.getByTestId('extend-volume-size').fill(String(size))
    const cli = ((await d.getByTestId('extend-volume-cli').locator('code').textContent()) ?? '').replace(/^\$ /, '')
    await d.getByTestId('extend-volume-submit').click()
    await d.waitFor({ state: 'detached' })
    return cli
  }

  /** Snapshot through the row's menu; returns the CLI line the dialog showed. */
  async snapshot(name: string, snapshot: string): Promise<string> {
    await (await this.menuItem(name, 'volume-snapshot')).click()
    const d = this.page.getByTestId('snapshot-volume-dialog')
    await d.getByTestId('snapshot-name').fill(snapshot)
    const cli = ((await d.getByTestId('snapshot-volume-cli').locator('code').textContent()) ?? '').replace(/^\$ /, '')
    await d.getByTestId('snapshot-volume-submit').click()
    await d.waitFor({ state: 'detached' })
    return cli
  }
}
