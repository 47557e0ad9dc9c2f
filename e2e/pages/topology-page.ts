import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Network → Topology: the SVG picture of networks, routers and instances, with one element per resource. */
export class TopologyPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('topology-page')
  }
  get svg(): Locator {
    return this.root.getByTestId('topology-svg')
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  network(name: string): Locator {
    return this.root.locator(`[data-testid="topology-network"][data-name="${attr(name)}"]`)
  }
  router(name: string): Locator {
    return this.root.locator(`[data-testid="topology-router"][data-name="${attr(name)}"]`)
  }
  instance(name: string, status?: string): Locator {
    return this.root.locator(`[data-testid="topology-instance"][data-name="${attr(name)}"]${status ? `[data-status="${attr(status)}"]` : ''}`)
  }
  /** A line: a router's gateway or interface, or an instance's port, to the named network. */
  link(kind: 'gateway' | 'interface' | 'port', device: string, network: string): Locator {
    return this.root.locator(`[data-testid="topology-link"][data-kind="${kind}"][data-device="${attr(device)}"][data-network="${attr(network)}"]`)
  }
}
