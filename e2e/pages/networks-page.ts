import type { Locator, Page } from 'playwright-core'

/** Network → Networks: the list, the create dialog and the delete confirmation. */
export class NetworksPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('networks-page')
  }
  get dialog(): Locator {
    return this.page.getByTestId('create-network-dialog')
  }

  async waitLoaded(): Promise<void> {
    await this.root.getByTestId('network-row').first().waitFor()
  }

  row(name: string): Locator {
    return this.root.locator(`[data-testid="network-row"][data-name="${name}"]`)
  }

  async subnets(name: string): Promise<string[]> {
    return (await this.row(name).getByTestId('network-subnet').allTextContents()).map((t) => t.trim())
  }

  async create(opts: { name: string; cidr?: string; gateway?: string }): Promise<void> {
    await this.root.getByTestId('create-network').click()
    await this.dialog.waitFor()
    await this.dialog.getByTestId('network-name').fill(opts.name)
    if (opts.cidr === undefined) await this.dialog.getByTestId('network-with-subnet').uncheck()
    else await this.dialog.getByTestId('subnet-cidr').fill(opts.cidr)
    if (opts.gateway) await this.dialog.getByTestId('subnet-gateway').fill(opts.gateway)
    await this.dialog.getByTestId('create-network-submit').click()
  }

  async delete(name: string): Promise<void> {
    await this.row(name).getByTestId('delete-network').click()
    await this.page.getByRole('dialog').getByRole('button', { name: 'Delete network' }).click()
  }
}
