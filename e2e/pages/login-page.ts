import type { Locator, Page } from 'playwright-core'
import type { Credentials } from '../fixtures/cloud'

/** The Keystone login form shown when the dashboard runs in a browser (no desktop session). */
export class LoginPage {
  constructor(readonly page: Page) {}

  get form(): Locator {
    return this.page.getByTestId('login-form')
  }
  get error(): Locator {
    return this.page.getByTestId('login-error')
  }
  get notice(): Locator {
    return this.page.getByTestId('login-notice')
  }

  async goto(cloudUrl: string): Promise<void> {
    await this.page.goto(`${cloudUrl}/`)
    await this.form.waitFor()
  }

  async fill(creds: Pick<Credentials, 'username' | 'password' | 'project'>): Promise<void> {
    await this.page.getByTestId('login-username').fill(creds.username)
    await this.page.getByTestId('login-password').fill(creds.password)
    await this.page.getByTestId('login-project').fill(creds.project)
  }

  /** Logs in and waits for the dashboard frame. */
  async login(creds: Pick<Credentials, 'username' | 'password' | 'project'>): Promise<void> {
    await this.fill(creds)
    await this.page.getByTestId('login-submit').click()
    await this.page.getByTestId('topbar').waitFor()
  }
}
