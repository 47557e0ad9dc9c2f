import type { Locator, Page } from 'playwright-core'

/** The "API calls" drawer: one row per REST call the dashboard made, newest first. */
export class ApiDrawer {
  constructor(readonly page: Page) {}

  get toggle(): Locator {
    return this.page.getByTestId('api-drawer-toggle')
  }
  get root(): Locator {
    return this.page.getByTestId('api-drawer')
  }
  get calls(): Locator {
    return this.root.getByTestId('api-call')
  }

  async open(): Promise<void> {
    if (!(await this.root.isVisible())) await this.toggle.click()
    await this.root.waitFor()
  }

  async close(): Promise<void> {
    if (await this.root.isVisible()) await this.page.getByTestId('api-drawer-close').click()
    await this.root.waitFor({ state: 'detached' })
  }

  /** The calls with this method and path (path and query on the cloud's origin, e.g. /identity/v3/projects). */
  call(method: string, path: string): Locator {
    return this.root.locator(`[data-testid="api-call"][data-method="${method}"][data-path="${path.replace(/"/g, '\\"')}"]`)
  }

  status(call: Locator): Locator {
    return call.getByTestId('api-call-status')
  }

  cli(call: Locator): Locator {
    return call.getByTestId('api-call-cli')
  }
}
