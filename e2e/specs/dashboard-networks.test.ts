import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { LoginPage } from '../pages/login-page'
import { NetworksPage } from '../pages/networks-page'
import { Shell } from '../pages/shell'

describe('dashboard: networks panel (browser against the real cloud)', { timeout: 120_000 }, () => {
  let cloud: RunningCloud
  let browser: Browser
  let page: Page
  let problems: string[] = []

  before(async () => {
    cloud = await startTestCloud({ timeoutMs: 60_000 })
    ;({ browser, page, problems } = await launchDashboardBrowser())
  })

  after(async () => {
    await browser?.close()
    const code = await cloud?.stop()
    if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
  })

  it('lists the seeded public and private networks to an admin', async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.login(cloud.admin)
    const shell = new Shell(page)
    assert.doesNotMatch((await shell.navLink('/network/networks').textContent()) ?? '', /soon/, 'the Networks panel is built')
    await shell.open('/network/networks')
    const nets = new NetworksPage(page)
    await nets.waitLoaded()
    await nets.row('public').waitFor()
    await nets.row('private').waitFor()
    assert.equal(await nets.row('public').getByTestId('badge-external').count(), 1)
    assert.ok((await nets.subnets('private')).length >= 1, 'private has a subnet')
  })

  it('creates a network with a subnet, lists it, and deletes it', async () => {
    const nets = new NetworksPage(page)
    // A CIDR with host bits set is refused before anything is sent.
    await nets.create({ name: 'e2e-net', cidr: '10.77.0.5/24' })
    assert.match((await nets.dialog.getByTestId('field-error').first().textContent()) ?? '', /network address is 10\.77\.0\.0\/24/)
    await nets.dialog.getByTestId('subnet-cidr').fill('10.77.0.0/24')
    await nets.dialog.getByTestId('create-network-submit').click()
    await nets.dialog.waitFor({ state: 'detached' })
    await nets.row('e2e-net').waitFor()
    await nets.row('e2e-net').getByText('10.77.0.0/24').waitFor()
    assert.match((await nets.subnets('e2e-net')).join(' '), /10\.77\.0\.0\/24/)

    await nets.delete('e2e-net')
    await nets.row('e2e-net').waitFor({ state: 'detached' })
    await nets.row('public').waitFor()
  })

  it('shows the security groups with their rules', async () => {
    const shell = new Shell(page)
    await shell.open('/network/security-groups')
    await page.getByTestId('security-group').first().waitFor()
    const before = await page.getByTestId('rule-row').count()
    assert.ok(before >= 2)
    await page.getByTestId('add-rule').first().click()
    const dialog = page.getByTestId('add-rule-dialog')
    await dialog.getByTestId('rule-ports').fill('2222')
    assert.match((await dialog.getByTestId('rule-summary').textContent()) ?? '', /Allow inbound TCP port 2222 from 0\.0\.0\.0\/0/)
    await dialog.getByTestId('add-rule-submit').click()
    await dialog.waitFor({ state: 'detached' })
    const added = page.getByTestId('rule-row').filter({ hasText: 'TCP port 2222' })
    await added.waitFor()
    await added.getByTestId('delete-rule').click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click()
    await added.waitFor({ state: 'detached' })
    assert.equal(await page.getByTestId('rule-row').count(), before)
  })

  it('saw no console errors or CSP violations', () => {
    assert.deepEqual(problems, [])
  })
})
