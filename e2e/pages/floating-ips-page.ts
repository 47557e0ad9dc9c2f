import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Network → Floating IPs: allocate, associate, disassociate, release, and the ssh line of an associated one. */
export class FloatingIpsPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('floating-ips-page')
  }
  get rows(): Locator {
    return this.root.getByTestId('floating-ip-row')
  }
  get allocateDialog(): Locator {
    return this.page.getByTestId('allocate-dialog')
  }
  get associateDialog(): Locator {
    return this.page.getByTestId('associate-dialog')
  }
  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  row(address: string): Locator {
    return this.root.locator(`[data-testid="floating-ip-row"][data-address="${attr(address)}"]`)
  }

  /** Allocates from the named pool and returns the new address (the row that was not there before). */
  async allocate(pool: string): Promise<string> {
    const before = new Set(await this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address'))))
    const button = this.root.getByTestId('allocate-fip').or(this.root.getByTestId('allocate-fip-empty'))
    await button.first().click()
    await this.allocateDialog.waitFor()
    await this.allocateDialog.getByTestId('allocate-pool').selectOption({ label: pool })
    await this.allocateDialog.getByTestId('allocate-submit').click()
    await this.allocateDialog.waitFor({ state: 'detached' })
    await this.rows.nth(before.size).waitFor()
    const after = await this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address') ?? ''))
    const added = after.find((a) => !before.has(a))
    if (!added) throw new Error('no new floating IP row appeared')
    return added
  }

  async associate(address: string, instance: string): Promise<void> {
    await this.row(address).getByTestId('fip-associate').click()
    await this.associateDialog.waitFor()
    const select = this.associateDialog.getByTestId('associate-instance')
    const value = await select.locator('option').filter({ hasText: `${instance} (` }).first().getAttribute('value')
    await select.selectOption(value ?? '')
    await this.associateDialog.getByTestId('associate-port').waitFor()
    await this.associateDialog.getByTestId('associate-submit').click()
    await this.associateDialog.waitFor({ state: 'detached' })
  }

  async confirm(): Promise<void> {
    await this.confirmDialog.waitFor()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
  }
}
