import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { ContainersPage } from '../pages/containers-page'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'

const ROOT = path.resolve(__dirname, '../../..')
const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(ROOT, 'test-results')
const C = 'e2e-c1'
const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Records every percentage the upload progress bar shows (it may come and go faster than a poll). */
async function watchProgress(page: Page): Promise<void> {
  // A string: the e2e build has no DOM types.
  await page.evaluate(`(() => {
    window.__progress = []
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="upload-progress"]')?.getAttribute('data-percent')
      if (p != null && window.__progress.at(-1) !== Number(p)) window.__progress.push(Number(p))
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-percent'] })
  })()`)
}

const progressSeen = (page: Page) => page.evaluate<number[]>('window.__progress')

describe('dashboard: object store panel (browser against the real cloud)', { timeout: 240_000 }, () => {
  let cloud: RunningCloud
  let browser: Browser
  let page: Page
  let problems: string[] = []
  let dir = ''
  const small = randomBytes(12 * MiB)
  const large = randomBytes(70 * MiB)

  before(async () => {
    mkdirSync(SHOTS, { recursive: true })
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-e2e-files-'))
    writeFileSync(path.join(dir, 'hello.bin'), small)
    writeFileSync(path.join(dir, 'big.bin'), large)
    cloud = await startTestCloud({ timeoutMs: 60_000 })
    ;({ browser, page, problems } = await launchDashboardBrowser({ timeoutMs: 45_000 }))
  })

  after(async () => {
    await browser?.close()
    const code = await cloud?.stop()
    if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('creates a container', async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.login(cloud.demo)
    const shell = new Shell(page)
    assert.doesNotMatch((await shell.navLink('/storage/object-store').textContent()) ?? '', /soon/, 'the Object store panel is built')
    await shell.open('/storage/object-store')
    const cs = new ContainersPage(page)
    await cs.waitLoaded()
    const cli = await cs.create(C)
    assert.equal(cli, `openstack container create ${C}`)
    assert.equal(await cs.browser.getAttribute('data-public'), 'no')
  })

  it('uploads a file with the progress bar', async () => {
    const cs = new ContainersPage(page)
    await cs.chooseUpload(path.join(dir, 'hello.bin'))
    assert.equal(((await cs.uploadDialog.getByTestId('upload-cli').locator('code').textContent()) ?? '').replace(/^\$ /, ''), `openstack object create ${C} hello.bin`)
    await watchProgress(page)
    await cs.uploadDialog.getByTestId('upload-submit').click()
    await cs.uploadDialog.waitFor({ state: 'detached', timeout: 60_000 })
    const seen = await progressSeen(page)
    assert.ok(seen.length >= 1, `the progress bar showed (${seen.join(', ')})`)
    await cs.objectRow('hello.bin').waitFor()
    assert.match((await cs.objectRow('hello.bin').textContent()) ?? '', /12(\.0)? MiB/)
  })

  it('uploads a file above 64 MiB as SLO segments plus a manifest', async () => {
    const cs = new ContainersPage(page)
    await cs.chooseUpload(path.join(dir, 'big.bin'))
    assert.match((await cs.uploadDialog.getByTestId('upload-cli').textContent()) ?? '', /swift upload --use-slo --segment-size 64M e2e-c1 big\.bin/)
    await watchProgress(page)
    await cs.uploadDialog.getByTestId('upload-submit').click()
    // Best effort: the bar is on screen for about a second on an idle machine.
    await cs.uploadDialog
      .locator('[data-testid="upload-progress"]:not([data-percent="0"])')
      .waitFor({ timeout: 5000 })
      .then(() => page.screenshot({ path: path.join(SHOTS, 'dashboard-containers-upload-progress.png') }))
      .catch(() => undefined)
    await cs.uploadDialog.waitFor({ state: 'detached', timeout: 120_000 })
    const seen = await progressSeen(page)
    assert.ok(seen.length >= 2, `the progress bar moved (${seen.join(', ')})`)
    await cs.objectRow('big.bin').waitFor()
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const manifest = drawer.root.locator('[data-testid="api-call"][data-method="PUT"][data-path$="/e2e-c1/big.bin?multipart-manifest=put"]').first()
    assert.equal((await drawer.status(manifest).textContent())?.trim(), '201')
    await drawer.close()
  })

  it('makes the container public; the public link works without a token, a TempURL too', async () => {
    const cs = new ContainersPage(page)
    await cs.browser.getByTestId('toggle-public').click()
    await page.locator('[data-testid="container-browser"][data-public="yes"]').waitFor()
    await cs.objectRow('hello.bin').getByTestId('object-links').click()
    await cs.linkDialog.waitFor()
    const link = ((await cs.linkDialog.getByTestId('public-link').locator('code').textContent()) ?? '').trim()
    assert.match(link, new RegExp(`/object-store/v1/AUTH_[0-9a-f]+/${C}/hello\\.bin$`))
    const res = await fetch(link)
    assert.equal(res.status, 200)
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(small))

    await cs.linkDialog.getByTestId('set-temp-url-key').click()
    await cs.linkDialog.getByTestId('temp-link').waitFor()
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-containers-links.png'), fullPage: true })
    const temp = ((await cs.linkDialog.getByTestId('temp-link').locator('code').textContent()) ?? '').trim()
    assert.match(temp, /\?temp_url_sig=[0-9a-f]{64}&temp_url_expires=\d+$/)
    await cs.linkDialog.getByRole('button', { name: 'Close' }).last().click()
    await cs.linkDialog.waitFor({ state: 'detached' })

    // The SLO object through its public link: the segments joined again.
    const bigUrl = link.replace(/hello\.bin$/, 'big.bin')
    const big = await fetch(bigUrl)
    assert.equal(big.status, 200)
    assert.equal(sha(new Uint8Array(await big.arrayBuffer())), sha(large))

    // Private again: the same link is refused without a token, the TempURL still opens it.
    await cs.browser.getByTestId('toggle-public').click()
    await page.locator('[data-testid="container-browser"][data-public="no"]').waitFor()
    assert.equal((await fetch(link)).status, 401)
    const t = await fetch(temp)
    assert.equal(t.status, 200, 'the TempURL signature is accepted')
    assert.equal(sha(new Uint8Array(await t.arrayBuffer())), sha(small))
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-containers-browser.png'), fullPage: true })
  })

  it('makes a folder, uploads into it, downloads the object, and deletes the folder recursively', async () => {
    const cs = new ContainersPage(page)
    await cs.browser.getByTestId('new-folder').click()
    await cs.browser.getByTestId('new-folder-name').fill('docs')
    await cs.browser.getByTestId('new-folder-submit').click()
    await page.locator('[data-testid="container-browser"][data-prefix="docs/"]').waitFor()
    await cs.chooseUpload(path.join(dir, 'hello.bin'))
    await cs.uploadDialog.getByTestId('upload-submit').click()
    await cs.uploadDialog.waitFor({ state: 'detached', timeout: 60_000 })
    await cs.objectRow('docs/hello.bin').waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), cs.objectRow('docs/hello.bin').getByTestId('object-download').click()])
    assert.equal(download.suggestedFilename(), 'hello.bin')
    const saved = await download.path()
    assert.equal(sha(new Uint8Array(readFileSync(saved))), sha(small))
    // Up one level: the folder is a row; deleting it takes what is inside.
    await cs.browser.getByTestId('breadcrumbs').getByRole('link', { name: C }).click()
    await page.locator('[data-testid="container-browser"][data-prefix=""]').waitFor()
    await cs.objectRow('docs/').getByTestId('folder-delete').click()
    await cs.confirmDialog.waitFor()
    assert.match((await cs.confirmDialog.textContent()) ?? '', /starts with docs\//)
    await cs.confirmDialog.getByTestId('confirm-button').click()
    await cs.confirmDialog.waitFor({ state: 'detached', timeout: 60_000 })
    await cs.objectRow('docs/').waitFor({ state: 'detached' })
    await cs.objectRow('hello.bin').waitFor()
  })

  it('deletes the container with its objects after confirmation, and the segments container', async () => {
    const cs = new ContainersPage(page)
    await cs.back()
    await cs.containerRow(C).waitFor()
    await cs.containerRow(`${C}_segments`).waitFor()
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-containers-list.png'), fullPage: true })
    await cs.containerRow(C).getByTestId('container-delete').click()
    await cs.confirmDialog.waitFor()
    assert.match((await cs.confirmDialog.textContent()) ?? '', /holds 2 objects/)
    await cs.confirmDialog.getByTestId('confirm-button').click()
    await cs.confirmDialog.waitFor({ state: 'detached', timeout: 60_000 })
    await cs.containerRow(C).waitFor({ state: 'detached' })
    // The manifest's DELETE took its segments along: the segments container is empty now.
    await cs.list.getByRole('button', { name: 'Refresh' }).click()
    await cs.containerRow(`${C}_segments`).locator('td', { hasText: /^0$/ }).first().waitFor()
    await cs.containerRow(`${C}_segments`).getByTestId('container-delete').click()
    await cs.confirmDialog.getByTestId('confirm-button').click()
    await cs.containerRow(`${C}_segments`).waitFor({ state: 'detached' })
    assert.deepEqual(problems, [], 'no console errors or CSP violations')
  })
})
