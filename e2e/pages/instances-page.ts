import type { Locator, Page } from 'playwright-core'

const attr = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

export type LaunchStepId = 'details' | 'source' | 'flavor' | 'networks' | 'keypair' | 'configuration' | 'review'

export type InstanceActionKind = 'start' | 'stop' | 'reboot' | 'reboot-hard' | 'pause' | 'unpause' | 'suspend' | 'resume' | 'snapshot' | 'delete'

/** Compute → Instances: the list, the launch wizard, row actions, and an instance's detail page with its tabs. */
export class InstancesPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('instances-page')
  }
  get launchButton(): Locator {
    return this.root.getByTestId('launch-open')
  }
  get rows(): Locator {
    return this.root.getByTestId('instance-row')
  }
  get quotaSummary(): Locator {
    return this.root.getByTestId('quota-summary')
  }

  row(name: string): Locator {
    return this.root.locator(`[data-testid="instance-row"][data-name="${attr(name)}"]`)
  }

  async waitLoaded(): Promise<void> {
    await this.root.waitFor()
    await this.root.getByTestId('loading').waitFor({ state: 'detached' })
  }

  /** Waits until the row shows `status` with no task running (the list refreshes itself every 2 s meanwhile). */
  async waitForStatus(name: string, status: string, timeout = 90_000): Promise<void> {
    await this.root.locator(`[data-testid="instance-row"][data-name="${attr(name)}"][data-status="${attr(status)}"][data-task=""]`).waitFor({ timeout })
  }

  /** Runs a row action: the power button in view, or an entry of the row's menu. */
  async rowAction(name: string, kind: InstanceActionKind): Promise<void> {
    const row = this.row(name)
    const inline = row.getByTestId(`action-${kind}`)
    if (await inline.count()) {
      await inline.click()
      return
    }
    await row.getByTestId('instance-menu').click()
    await row.getByTestId(`menu-action-${kind}`).click()
  }

  /** The enabled state of an action in the row's menu (opens and closes the menu). */
  async menuActionEnabled(name: string, kind: InstanceActionKind): Promise<boolean> {
    await this.row(name).getByTestId('instance-menu').click()
    const item = this.row(name).getByTestId(`menu-action-${kind}`)
    await item.waitFor()
    const enabled = await item.isEnabled()
    await this.page.keyboard.press('Escape')
    return enabled
  }

  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-dialog')
  }

  async confirm(): Promise<void> {
    await this.confirmDialog.waitFor()
    await this.confirmDialog.getByTestId('confirm-button').click()
    await this.confirmDialog.waitFor({ state: 'detached' })
  }

  // Launch wizard

  get wizard(): Locator {
    return this.page.getByTestId('launch-dialog')
  }

  async openWizard(): Promise<void> {
    await this.launchButton.click()
    await this.wizard.waitFor()
  }

  step(id: LaunchStepId): Locator {
    return this.wizard.getByTestId(`launch-step-${id}`)
  }

  panel(id: LaunchStepId): Locator {
    return this.wizard.getByTestId(`launch-panel-${id}`)
  }

  async goToStep(id: LaunchStepId): Promise<void> {
    await this.step(id).click()
    await this.panel(id).waitFor()
  }

  imageRow(name: string): Locator {
    return this.wizard.locator(`[data-testid="launch-image-row"][data-name="${attr(name)}"]`)
  }

  flavorRow(name: string): Locator {
    return this.wizard.locator(`[data-testid="launch-flavor-row"][data-name="${attr(name)}"]`)
  }

  networkRow(name: string): Locator {
    return this.wizard.locator(`[data-testid="launch-network-row"][data-name="${attr(name)}"]`)
  }

  groupRow(name: string): Locator {
    return this.wizard.locator(`[data-testid="launch-group-row"][data-name="${attr(name)}"]`)
  }

  keypairRow(name: string): Locator {
    return this.wizard.locator(`[data-testid="launch-keypair-row"][data-name="${attr(name)}"]`)
  }

  async launch(): Promise<void> {
    await this.wizard.getByTestId('launch-submit').click()
  }

  // Detail page

  get detail(): Locator {
    return this.page.getByTestId('instance-detail')
  }

  async openDetail(name: string): Promise<void> {
    await this.row(name).getByTestId('instance-name-cell').click()
    await this.detail.getByTestId('instance-title').waitFor()
  }

  async openTab(tab: 'overview' | 'log' | 'console' | 'actions'): Promise<void> {
    await this.detail.getByTestId(`tab-${tab}`).click()
    await this.detail.getByTestId(`tabpanel-${tab}`).waitFor()
  }

  field(name: string): Locator {
    return this.detail.locator(`[data-testid="detail-field"][data-field="${attr(name)}"] dd`)
  }

  /** The detail page's button for an action (every action that applies is shown there). */
  detailAction(kind: InstanceActionKind): Locator {
    return this.detail.getByTestId(`action-${kind}`)
  }

  async waitForDetailStatus(status: string, timeout = 90_000): Promise<void> {
    await this.page.locator(`[data-testid="instance-detail"][data-status="${attr(status)}"][data-task=""]`).waitFor({ timeout })
  }

  get consoleOutput(): Locator {
    return this.detail.getByTestId('console-output')
  }
  get serialScreen(): Locator {
    return this.detail.getByTestId('serial-screen')
  }
  serialState(state: 'idle' | 'connecting' | 'open' | 'closed' | 'error'): Locator {
    return this.detail.locator(`[data-testid="serial-state"][data-state="${state}"]`)
  }

  async backToList(): Promise<void> {
    await this.detail.getByTestId('back-to-instances').click()
    await this.waitLoaded()
  }
}
