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

/** One network's page (`#/network/networks/{id}`): its subnets (create, delete) and the ports on it. */
export class NetworkDetailPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('network-detail')
  }
  get subnetDialog(): Locator {
    return this.page.getByTestId('create-subnet-dialog')
  }

  async open(list: NetworksPage, name: string): Promise<void> {
    await list.row(name).getByTestId('network-link').click()
    await this.root.getByTestId('network-title').waitFor()
  }

  subnet(cidr: string): Locator {
    return this.root.locator(`[data-testid="subnet-row"][data-cidr="${cidr}"]`)
  }

  async createSubnet(opts: { cidr: string; name?: string; dns?: string; poolStart?: string; poolEnd?: string; dhcp?: boolean }): Promise<void> {
    await this.root.getByTestId('create-subnet').click()
    await this.subnetDialog.waitFor()
    await this.subnetDialog.getByTestId('subnet-cidr').fill(opts.cidr)
    if (opts.name) await this.subnetDialog.getByTestId('subnet-name').fill(opts.name)
    if (opts.dns) await this.subnetDialog.getByTestId('subnet-dns').fill(opts.dns)
    if (opts.poolStart) await this.subnetDialog.getByTestId('subnet-pool-start').fill(opts.poolStart)
    if (opts.poolEnd) await this.subnetDialog.getByTestId('subnet-pool-end').fill(opts.poolEnd)
    if (opts.dhcp === false) await this.subnetDialog.getByTestId('subnet-dhcp').uncheck()
    await this.subnetDialog.getByTestId('create-subnet-submit').click()
  }

  async deleteSubnet(cidr: string): Promise<void> {
    await this.subnet(cidr).getByTestId('delete-subnet').click()
    await this.page.getByTestId('confirm-dialog').getByTestId('confirm-button').click()
    await this.page.getByTestId('confirm-dialog').waitFor({ state: 'detached' })
  }

  async back(): Promise<void> {
    await this.root.getByTestId('back-to-networks').click()
  }
}
