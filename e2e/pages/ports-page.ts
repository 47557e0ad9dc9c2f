import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Network → Ports: the filtered list, the create dialog, the security-group editor and the delete confirmation. */
export class PortsPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('ports-page')
  }
  get rows(): Locator {
    return this.root.getByTestId('port-row')
  }
  get createDialog(): Locator {
    return this.page.getByTestId('create-port-dialog')
  }
  get groupsDialog(): Locator {
    return this.page.getByTestId('port-groups-dialog')
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  /** Chooses filters by their visible labels (network name, owner label). */
  async filter(opts: { network?: string; owner?: string }): Promise<void> {
    if (opts.network !== undefined) await this.root.getByTestId('port-network-filter').selectOption({ label: opts.network })
    if (opts.owner !== undefined) await this.root.getByTestId('port-owner-filter').selectOption({ label: opts.owner })
  }

  rowByIp(ip: string): Locator {
    return this.root.locator(`[data-testid="port-row"][data-ip="${attr(ip)}"]`)
  }
  rowByName(name: string): Locator {
    return this.root.locator(`[data-testid="port-row"][data-name="${attr(name)}"]`)
  }
}
