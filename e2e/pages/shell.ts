import type { Locator, Page } from 'playwright-core'

/** The frame around every panel: sidebar navigation, top bar (user, API calls toggle, log out). */
export class Shell {
  constructor(readonly page: Page) {}

  get sidebar(): Locator {
    return this.page.getByTestId('sidebar')
  }
  get userName(): Locator {
    return this.page.getByTestId('user-name')
  }

  /** A sidebar entry by its route, e.g. "/identity/projects". */
  navLink(path: string): Locator {
    return this.page.getByTestId(`nav-${path.replace(/^\//, '').replace(/\//g, '-')}`)
  }

  async open(path: string): Promise<void> {
    await this.navLink(path).click()
  }

  async logout(): Promise<void> {
    await this.page.getByTestId('logout').click()
    await this.page.getByTestId('login-form').waitFor()
  }

  /** The most recent toast message. */
  get toast(): Locator {
    return this.page.getByTestId('toast').last()
  }
}
