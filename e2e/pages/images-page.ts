import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Compute → Images: the list, its dialogs (upload, create from URL, edit, delete) and an image's detail page. */
export class ImagesPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('images-page')
  }
  get uploadButton(): Locator {
    return this.root.getByTestId('upload-image-open')
  }
  get importButton(): Locator {
    return this.root.getByTestId('import-image-open')
  }
  get rows(): Locator {
    return this.root.getByTestId('image-row')
  }
  get storageUsage(): Locator {
    return this.root.getByTestId('storage-usage')
  }

  row(name: string): Locator {
    return this.root.locator(`[data-testid="image-row"][data-name="${attr(name)}"]`)
  }

  /** Glance's status as the row shows it (its data-status attribute follows every refresh). */
  async status(name: string): Promise<string | null> {
    return this.row(name).getAttribute('data-status')
  }

  /** Waits until the row shows `status` (the list refreshes itself while an image changes). */
  async waitForStatus(name: string, status: string, timeout = 30_000): Promise<void> {
    await this.root.locator(`[data-testid="image-row"][data-name="${attr(name)}"][data-status="${attr(status)}"]`).waitFor({ timeout })
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  // Upload dialog

  get uploadDialog(): Locator {
    return this.page.getByTestId('upload-dialog')
  }
  get uploadProgress(): Locator {
    return this.uploadDialog.getByTestId('upload-progress')
  }

  async openUpload(): Promise<void> {
    await this.uploadButton.click()
    await this.uploadDialog.waitFor()
  }

  /** Chooses the file in the open upload dialog (the name and format fill themselves in). */
  async chooseFile(file: string): Promise<void> {
    await this.uploadDialog.getByTestId('image-file').setInputFiles(file)
    await this.uploadDialog.getByTestId('chosen-file').waitFor()
  }

  uploadField(name: 'image-name' | 'image-disk-format' | 'image-visibility-select' | 'image-min-disk' | 'image-min-ram'): Locator {
    return this.uploadDialog.getByTestId(name)
  }

  async startUpload(): Promise<void> {
    await this.uploadDialog.getByTestId('upload-submit').click()
  }

  /** Percent shown by the progress bar. */
  async uploadPercent(): Promise<number> {
    return Number(await this.uploadProgress.getAttribute('data-percent'))
  }

  // Rows' actions and dialogs

  action(name: string, action: 'launch-image' | 'edit-image' | 'delete-image' | 'deactivate-image' | 'reactivate-image'): Locator {
    return this.row(name).getByTestId(action)
  }

  get editDialog(): Locator {
    return this.page.getByTestId('edit-image-dialog')
  }
  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }
  get launchNotice(): Locator {
    return this.page.getByTestId('launch-notice')
  }
  /** The compute panels' launch wizard, opened by a row's "Launch". */
  get launchDialog(): Locator {
    return this.page.getByTestId('launch-dialog')
  }

  async openEdit(from: Locator): Promise<void> {
    await from.getByTestId('edit-image').click()
    await this.editDialog.waitFor()
  }

  /** Adds a custom property row in the open edit dialog. */
  async addProperty(key: string, value: string): Promise<void> {
    await this.editDialog.getByTestId('property-add').click()
    const row = this.editDialog.getByTestId('property-row').last()
    await row.getByTestId('property-key').fill(key)
    await row.getByTestId('property-value').fill(value)
  }

  async saveEdit(): Promise<void> {
    await this.editDialog.getByTestId('edit-submit').click()
    await this.editDialog.waitFor({ state: 'detached' })
  }

  /** Clicks the row's Delete, confirms and waits for the row to go. */
  async delete(name: string): Promise<void> {
    await this.action(name, 'delete-image').click()
    await this.confirmDialog.waitFor()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
    await this.row(name).waitFor({ state: 'detached' })
  }

  // Detail page

  get detail(): Locator {
    return this.page.getByTestId('image-detail')
  }

  async openDetail(name: string): Promise<void> {
    await this.row(name).getByTestId('image-name-cell').click()
    await this.detail.waitFor()
    await this.detail.getByTestId('detail-id').waitFor()
  }

  /** The value cell of a field of the detail page (`checksum`, `os_hash_value`, `size`, a property key…). */
  field(name: string): Locator {
    return this.detail.locator(`[data-testid="detail-field"][data-field="${attr(name)}"] dd`)
  }

  async backToList(): Promise<void> {
    await this.detail.getByTestId('back-to-images').click()
    await this.waitLoaded()
  }
}
