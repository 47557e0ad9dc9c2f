import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { LoginPage } from '../pages/login-page'
import { ProjectsPage } from '../pages/projects-page'
import { Shell } from '../pages/shell'

const RESULTS = path.resolve(__dirname, '../../../test-results')

describe('dashboard (browser against the real cloud)', { timeout: 120_000 }, () => {
  let cloud: RunningCloud
  let browser: Browser
  let page: Page
  let problems: string[] = []
  const projectName = `e2e-${Date.now().toString(36)}`

  before(async () => {
    mkdirSync(RESULTS, { recursive: true })
    cloud = await startTestCloud()
    ;({ browser, page, problems } = await launchDashboardBrowser())
  })

  after(async () => {
    await browser?.close()
    const code = await cloud?.stop()
    if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
  })

  it('refuses a wrong password with words that say what to do', async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.fill({ ...cloud.admin, password: `${cloud.admin.password}-wrong` })
    await page.getByTestId('login-submit').click()
    await login.error.waitFor()
    assert.match((await login.error.textContent()) ?? '', /username, password or project name is wrong/)
  })

  it('logs in as admin and shows the services of the catalog', async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.login(cloud.admin)
    const shell = new Shell(page)
    assert.equal(await shell.userName.textContent(), cloud.admin.username)
    const cards = page.getByTestId('service-card')
    await cards.first().waitFor()
    const types: (string | null)[] = []
    for (const card of await cards.all()) types.push(await card.getAttribute('data-type'))
    assert.ok(types.some((t) => t?.includes('identity')), `identity in the catalog cards: ${types.join(', ')}`)
    assert.ok(types.some((t) => t?.includes('compute')), `compute in the catalog cards: ${types.join(', ')}`)
    // Identity answers its version document.
    await page.locator('[data-testid="service-card"][data-type="identity"] [data-testid="service-status"][data-state="up"]').waitFor()
    // Every panel of the navigation is real now: none is marked "soon".
    for (const link of ['/storage/volumes', '/compute/instances']) {
      assert.doesNotMatch((await shell.navLink(link).textContent()) ?? '', /soon/i)
    }
  })

  it('validates the create-project form before sending', async () => {
    const shell = new Shell(page)
    await shell.open('/identity/projects')
    const projects = new ProjectsPage(page)
    await projects.waitLoaded()
    await projects.openCreateDialog()
    await projects.createDialog.getByTestId('create-project-submit').click()
    const err = projects.createDialog.getByTestId('field-error')
    await err.waitFor()
    assert.match((await err.textContent()) ?? '', /Give the project a name/)
    await projects.createDialog.getByTestId('project-name').fill('admin')
    await projects.createDialog.getByTestId('create-project-submit').click()
    assert.match((await err.textContent()) ?? '', /already exists/)
    await page.keyboard.press('Escape')
    await projects.createDialog.waitFor({ state: 'detached' })
  })

  it('creates a project and lists it', async () => {
    const projects = new ProjectsPage(page)
    await projects.create(projectName, 'Made by the e2e test')
    await projects.row(projectName).waitFor()
    assert.equal(await projects.row(projectName).getByTestId('project-name-cell').textContent(), projectName)
    assert.match((await new Shell(page).toast.textContent()) ?? '', new RegExp(`Project ${projectName} created`))
  })

  it('shows the POST in the API drawer with its status and CLI equivalent', async () => {
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const post = drawer.call('POST', '/identity/v3/projects')
    await post.first().waitFor()
    assert.equal(await post.count(), 1)
    assert.equal((await drawer.status(post).textContent())?.trim(), '201')
    const cli = (await drawer.cli(post).textContent()) ?? ''
    assert.equal(cli, `$ openstack project create --description 'Made by the e2e test' ${projectName}`)
    // The login is there too, as `openstack token issue`, and the duration is shown in ms.
    const auth = drawer.call('POST', '/identity/v3/auth/tokens').first()
    assert.equal(await drawer.cli(auth).textContent(), '$ openstack token issue')
    assert.match((await post.getByTestId('api-call-duration').textContent()) ?? '', /^\d+ ms$/)
    await page.screenshot({ path: path.join(RESULTS, 'dashboard.png') })
    await drawer.close()
  })

  it('deletes the project after confirmation', async () => {
    const projects = new ProjectsPage(page)
    await projects.delete(projectName)
    assert.equal(await projects.row(projectName).count(), 0)
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const del = drawer.calls.filter({ hasText: 'openstack project delete' })
    await del.first().waitFor()
    assert.equal((await drawer.status(del.first()).textContent())?.trim(), '204')
    await drawer.close()
  })

  it('hides admin actions from a member and explains refusals', async () => {
    const shell = new Shell(page)
    await shell.logout()
    const login = new LoginPage(page)
    assert.match((await login.notice.textContent()) ?? '', /logged out/)
    await login.login(cloud.demo)
    assert.equal(await shell.userName.textContent(), cloud.demo.username)

    await shell.open('/identity/projects')
    const projects = new ProjectsPage(page)
    await projects.waitLoaded()
    await projects.notAdminNotice.waitFor()
    assert.equal(await projects.createButton.count(), 0, 'no Create project button for a member')
    assert.equal(await projects.deleteButtons.count(), 0, 'no Delete buttons for a member')
    await projects.row(cloud.demo.project).waitFor()

    await shell.open('/identity/users')
    const users = page.getByTestId('users-page')
    const refusal = users.getByTestId('page-error')
    await refusal.waitFor()
    assert.match((await refusal.textContent()) ?? '', /You are not allowed to list users \(needs the admin role\)/)
    assert.equal(await users.getByTestId('create-user').count(), 0)

    const drawer = new ApiDrawer(page)
    await drawer.open()
    const refused = drawer.call('GET', '/identity/v3/users').first()
    await refused.waitFor()
    assert.equal((await drawer.status(refused).textContent())?.trim(), '403')
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-member.png') })
    await drawer.close()
  })

  it('skips the login when the desktop preload offers a session', async () => {
    const res = await fetch(`${cloud.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: cloud.admin.username, domain: { name: 'Default' }, password: cloud.admin.password } } },
          scope: { project: { name: cloud.admin.project, domain: { name: 'Default' } } },
        },
      }),
    })
    assert.equal(res.status, 201)
    const token = res.headers.get('x-subject-token')
    assert.ok(token)
    const session = { endpoint: cloud.url, token, expiresAt: '', userName: cloud.admin.username, projectName: cloud.admin.project }
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    try {
      await desktop.addInitScript({ content: `window.stackling = { getSession: function () { return Promise.resolve(${JSON.stringify(session)}) } }` })
      const p = await desktop.newPage()
      p.on('pageerror', (err) => problems.push(`uncaught exception (desktop): ${err.message}`))
      await p.goto(`${cloud.url}/`)
      await p.getByTestId('topbar').waitFor()
      assert.equal(await p.getByTestId('login-form').count(), 0)
      assert.equal(await new Shell(p).userName.textContent(), cloud.admin.username)
      const drawer = new ApiDrawer(p)
      await drawer.open()
      await drawer.call('GET', '/identity/v3/auth/tokens').first().waitFor()
    } finally {
      await desktop.close()
    }
  })

  it('kept the token out of web storage and cookies', async () => {
    const stored = await page.evaluate('JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])')
    assert.equal(stored, JSON.stringify([[], [], '']))
  })

  it('logged no console errors and no CSP violations', () => {
    assert.deepEqual(problems, [])
  })
})
