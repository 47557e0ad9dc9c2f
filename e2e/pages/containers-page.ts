import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Storage → Object store: the container list (with account usage) and one container's browser. */
export class ContainersPage {
  constructor(readonly page: Page) {}

  get list(): Locator {
    return this.page.getByTestId('containers-page')
  }
  get browser(): Locator {
    return this.page.getByTestId('container-browser')
  }
  get createDialog(): Locator {
    return this.page.getByTestId('create-container-dialog')
  }
  get uploadDialog(): Locator {
    return this.page.getByTestId('upload-object-dialog')
  }
  get linkDialog(): Locator {
    return this.page.getByTestId('object-link-dialog')
  }
  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }

  async waitLoaded(): Promise<void> {
    await this.list.waitFor()
    await this.list.getByTestId('loading').waitFor({ state: 'detached' })
  }

  containerRow(name: string): Locator {
    return this.list.locator(`[data-testid="container-row"][data-name="${attr(name)}"]`)
  }

  objectRow(name: string): Locator {
    return this.browser.locator(`[data-testid="object-row"][data-name="${attr(name)}"]`)
  }

  /** Creates a container; the panel then opens it. Returns the CLI line the dialog showed. */
  async create(name: string): Promise<string> {
    await this.list.getByTestId('create-container').or(this.list.getByTestId('create-container-empty')).first().click()
    await this.createDialog.waitFor()
    await this.createDialog.getByTestId('container-name').fill(name)
    const cli = ((await this.createDialog.getByTestId('create-container-cli').locator('code').textContent()) ?? '').replace(/^\$ /, '')
    await this.createDialog.getByTestId('create-container-submit').click()
    await this.createDialog.waitFor({ state: 'detached' })
    await this.browser.waitFor()
    return cli
  }

  /** Chooses the file in the upload dialog; `submit` starts it (the dialog closes when it is done). */
  async chooseUpload(file: string): Promise<void> {
    await this.browser.getByTestId('upload-object').click()
    await this.uploadDialog.waitFor()
    await this.uploadDialog.getByTestId('upload-file').setInputFiles(file)
  }

  async back(): Promise<void> {
    await this.browser.getByTestId('back-to-containers').click()
    await this.waitLoaded()
  }
}
