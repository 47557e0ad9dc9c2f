import type { Locator, Page } from 'playwright-core'

/** The Cloud shell panel: terminal tabs, each with its screen. */
export class CloudShellPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('cloud-shell-page')
  }
  get tabs(): Locator {
    return this.root.getByTestId('shell-tab')
  }
  get newTabButton(): Locator {
    return this.root.getByTestId('shell-new-tab')
  }
  /** The screen of the tab shown now. */
  get screen(): Locator {
    return this.root.locator('.shell-terminal:not([hidden]) [data-testid="shell-screen"]')
  }
  tab(index: number): Locator {
    return this.tabs.nth(index)
  }

  /** Waits until the shown tab's shell has printed something (its banner, then a prompt). */
  async waitOpen(timeout = 20_000): Promise<void> {
    await this.root.locator('.shell-terminal:not([hidden]) [data-testid="shell-screen"][data-state="open"]').waitFor({ timeout })
  }

  /** Types a command line as keys and presses Enter. */
  async run(command: string): Promise<void> {
    await this.screen.click()
    await this.page.keyboard.type(command)
    await this.page.keyboard.press('Enter')
  }

  /** Waits for the shown screen's text to match and returns the match. */
  async waitForText(re: RegExp, timeout = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeout
    for (;;) {
      const text = (await this.screen.textContent()) ?? ''
      const m = re.exec(text)
      if (m) return m
      if (Date.now() > deadline) throw new Error(`the shell never showed ${re}; it shows:\n${text}`)
      await this.page.waitForTimeout(100)
    }
  }

  async newTab(): Promise<void> {
    const n = await this.tabs.count()
    await this.newTabButton.click()
    await this.tabs.nth(n).waitFor()
  }

  async closeTab(index: number): Promise<void> {
    const n = await this.tabs.count()
    await this.tab(index).getByTestId('shell-tab-close').click()
    for (let i = 0; i < 100 && (await this.tabs.count()) !== n - 1; i++) await this.page.waitForTimeout(50)
  }
}
