import type { Locator, Page } from 'playwright-core'

/** System → Settings (admin): settings.json in the data folder. */
export class SettingsPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('settings-page')
  }
  field(key: 'accelerator' | 'onQuit' | 'port' | 'vmMemoryCapMb' | 'vmDiskCapGb'): Locator {
    return this.root.getByTestId(`setting-${key}`)
  }
  get saveButton(): Locator {
    return this.root.getByTestId('settings-save')
  }
  get fieldErrors(): Locator {
    return this.root.getByTestId('field-error')
  }
  get dataDir(): Locator {
    return this.root.getByTestId('data-dir-path')
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.saveButton.waitFor()
  }

  async save(): Promise<void> {
    await this.saveButton.click()
  }
}

/** System → Health (admin): the doctor's checks with their advice. */
export class HealthPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('health-page')
  }
  get summary(): Locator {
    return this.root.getByTestId('health-summary')
  }
  get recheck(): Locator {
    return this.root.getByTestId('health-recheck')
  }
  check(id: string): Locator {
    return this.root.locator(`[data-testid="health-check"][data-check="${id}"]`)
  }

  async waitLoaded(): Promise<void> {
    await this.summary.waitFor({ timeout: 30_000 })
  }
}
