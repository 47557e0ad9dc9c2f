import type { Locator, Page } from 'playwright-core'

/** Identity → Projects. */
export class ProjectsPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('projects-page')
  }
  get createButton(): Locator {
    return this.root.getByTestId('create-project')
  }
  get deleteButtons(): Locator {
    return this.root.getByTestId('delete-project')
  }
  get notAdminNotice(): Locator {
    return this.root.getByTestId('not-admin-notice')
  }
  get createDialog(): Locator {
    return this.page.getByTestId('create-project-dialog')
  }
  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }

  row(name: string): Locator {
    return this.root.locator(`[data-testid="project-row"][data-name="${name.replace(/"/g, '\\"')}"]`)
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  async openCreateDialog(): Promise<void> {
    await this.createButton.click()
    await this.createDialog.waitFor()
  }

  /** Fills the create dialog and submits it; waits for the dialog to close. */
  async create(name: string, description = ''): Promise<void> {
    await this.openCreateDialog()
    await this.createDialog.getByTestId('project-name').fill(name)
    if (description) await this.createDialog.getByTestId('project-description').fill(description)
    await this.createDialog.getByTestId('create-project-submit').click()
    await this.createDialog.waitFor({ state: 'detached' })
  }

  /** Clicks the row's Delete, confirms in the dialog and waits for the row to go. */
  async delete(name: string): Promise<void> {
    await this.row(name).getByTestId('delete-project').click()
    await this.confirmDialog.waitFor()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
    await this.row(name).waitFor({ state: 'detached' })
  }
}
