import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { EXPECTED_HTTP_ERRORS, launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { ImagesPage } from '../pages/images-page'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'

const RESULTS = path.resolve(__dirname, '../../../test-results')

/** Polls `check` until it holds (Playwright's own waits cover elements, not input values). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
/** The disk image Glance makes at first start (the guest image), owned by the admin project and public. */
const GUEST_IMAGE = 'stackling-tiny'

describe('dashboard: images panel (browser against the real cloud)', { timeout: 180_000 }, () => {
  let cloud: RunningCloud
  let browser: Browser
  let page: Page
  let problems: string[] = []
  let tmp: string
  let tiny: string
  let fake: string
  let imageId = ''
  /** The one step that provokes a 400 on purpose turns this on. */
  let expect400 = false
  /** Serves tiny.qcow2 for the web-download import (the cloud fetches it, not the browser). */
  let files: Server
  let filesUrl = ''

  before(async () => {
    mkdirSync(RESULTS, { recursive: true })
    tmp = mkdtempSync(path.join(os.tmpdir(), 'stackling-images-e2e-'))
    tiny = path.join(tmp, 'tiny.qcow2')
    const made = spawnSync('qemu-img', ['create', '-f', 'qcow2', tiny, '16M'], { encoding: 'utf8' })
    assert.equal(made.status, 0, `qemu-img create failed: ${made.stderr}`)
    // A raw disk dressed up as qcow2: Glance's inspection must refuse it.
    fake = path.join(tmp, 'not-really.qcow2')
    writeFileSync(fake, Buffer.alloc(256 * 1024, 0x5a))
    files = createServer((req, res) => {
      if (req.url === '/tiny.qcow2') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
        res.end(readFileSync(tiny))
      } else {
        res.writeHead(404)
        res.end()
      }
    })
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve))
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
    cloud = await startTestCloud({ timeoutMs: 60_000 })
    ;({ browser, page, problems } = await launchDashboardBrowser({
      isExpected: (text) => EXPECTED_HTTP_ERRORS.test(text) || (expect400 && /status of 400 /.test(text)),
    }))
  })

  after(async () => {
    await browser?.close()
    const code = await cloud?.stop()
    if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
    await new Promise((resolve) => (files ? files.close(resolve) : resolve(undefined)))
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('logs in as admin and lists the images Glance returns', async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.login(cloud.admin)
    const shell = new Shell(page)
    assert.doesNotMatch((await shell.navLink('/compute/images').textContent()) ?? '', /soon/, 'the Images panel is built')
    await shell.open('/compute/images')
    const images = new ImagesPage(page)
    await images.waitLoaded()
    await images.row(GUEST_IMAGE).waitFor()
    assert.equal(await images.status(GUEST_IMAGE), 'active')
    assert.equal((await images.row(GUEST_IMAGE).getByTestId('image-visibility').textContent())?.trim(), 'public')
    assert.match((await images.storageUsage.textContent()) ?? '', /quota used/)
    // An admin may deactivate an active image.
    await images.action(GUEST_IMAGE, 'deactivate-image').waitFor()
  })

  it('uploads a qcow2 through the dialog, with a progress bar, until it is active', async () => {
    const images = new ImagesPage(page)
    await images.openUpload()
    await images.chooseFile(tiny)
    // The name comes from the file name, the format from its header.
    assert.equal(await images.uploadField('image-name').inputValue(), 'tiny')
    await until(async () => (await images.uploadField('image-disk-format').inputValue()) === 'qcow2', 'the disk format read from the header')
    assert.equal(await images.uploadDialog.getByTestId('format-warning').count(), 0)

    // Slow the upload down so that the bar is seen moving, not just full.
    const cdp: CDPSession = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 96 * 1024 })
    const percents = new Set<number>()
    try {
      await images.startUpload()
      await images.uploadProgress.waitFor()
      const until = Date.now() + 30_000
      while (Date.now() < until && !(await images.uploadDialog.getByTestId('upload-done').isVisible())) {
        if (await images.uploadProgress.isVisible()) percents.add(await images.uploadPercent())
        await page.waitForTimeout(50)
      }
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
      await cdp.detach()
    }
    const done = images.uploadDialog.getByTestId('upload-done')
    await done.waitFor()
    assert.ok(
      [...percents].some((p) => p > 0 && p < 100),
      `the bar showed progress between 0 and 100 %, saw ${[...percents].sort((a, b) => a - b).join(', ')}`,
    )
    assert.equal(await images.uploadPercent(), 100)
    const size = readFileSync(tiny).length
    assert.match((await done.textContent()) ?? '', /Image tiny is active/)
    assert.match((await done.textContent()) ?? '', new RegExp(`${size.toLocaleString('en-US')} bytes stored`))
    assert.match((await images.uploadDialog.getByTestId('upload-speed').textContent()) ?? '', /\/s average/)
    await images.uploadDialog.getByTestId('upload-close').click()
    await images.uploadDialog.waitFor({ state: 'detached' })

    await images.waitForStatus('tiny', 'active')
    imageId = (await images.row('tiny').getAttribute('data-id')) ?? ''
    assert.match(imageId, /^[0-9a-f-]{36}$/)
    assert.equal((await images.row('tiny').getByTestId('image-size').textContent())?.trim(), '192 KiB')
  })

  it('shows every field in the detail page, size and checksums included', async () => {
    const images = new ImagesPage(page)
    await images.openDetail('tiny')
    const data = readFileSync(tiny)
    assert.equal((await images.field('id').textContent())?.includes(imageId), true)
    assert.match((await images.field('size').textContent()) ?? '', new RegExp(`\\(${data.length.toLocaleString('en-US')} bytes\\)`))
    assert.match((await images.field('virtual_size').textContent()) ?? '', /16 MiB/)
    assert.match((await images.field('disk_format').textContent()) ?? '', /qcow2/)
    assert.match((await images.field('checksum').textContent()) ?? '', new RegExp(createHash('md5').update(data).digest('hex')))
    assert.match((await images.field('os_hash_algo').textContent()) ?? '', /sha512/)
    assert.match((await images.field('os_hash_value').textContent()) ?? '', new RegExp(createHash('sha512').update(data).digest('hex')))
    assert.match((await images.field('visibility').textContent()) ?? '', /private/)
  })

  it('edits a custom property and protects the image with a JSON-patch', async () => {
    const images = new ImagesPage(page)
    await images.openEdit(images.detail)
    await images.addProperty('hw_disk_bus', 'virtio')
    await images.editDialog.getByTestId('edit-protected').check()
    await images.editDialog.getByTestId('edit-min-ram').fill('64')
    assert.equal(await images.editDialog.getByTestId('edit-change-count').textContent(), '3 changes')
    await images.editDialog.getByTestId('patch-preview').locator('summary').click()
    assert.match((await images.editDialog.getByTestId('patch-preview').textContent()) ?? '', /"op": "add",\s*"path": "\/hw_disk_bus"/)
    await images.saveEdit()
    assert.match((await new Shell(page).toast.textContent()) ?? '', /Image tiny saved/)
    await images.field('hw_disk_bus').waitFor()
    assert.equal((await images.field('hw_disk_bus').textContent())?.trim(), 'virtio')
    assert.match((await images.field('protected').textContent()) ?? '', /yes/)
    assert.match((await images.field('min_ram').textContent()) ?? '', /64 MB/)

    const drawer = new ApiDrawer(page)
    await drawer.open()
    const patch = drawer.call('PATCH', `/image/v2/images/${imageId}`).first()
    await patch.waitFor()
    assert.equal((await drawer.status(patch).textContent())?.trim(), '200')
    assert.equal(await drawer.cli(patch).textContent(), `$ openstack image set --protected --min-ram 64 --property hw_disk_bus=virtio ${imageId}`)
    await drawer.close()
  })

  it('shows the upload in the API drawer with its CLI equivalent', async () => {
    const images = new ImagesPage(page)
    await images.backToList()
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const put = drawer.call('PUT', `/image/v2/images/${imageId}/file`)
    await put.first().waitFor()
    assert.equal(await put.count(), 1)
    assert.equal((await drawer.status(put).textContent())?.trim(), '204')
    assert.equal(await drawer.cli(put).textContent(), '$ openstack image create --disk-format qcow2 --container-format bare --private --file tiny.qcow2 tiny')
    const post = drawer.call('POST', '/image/v2/images').first()
    assert.equal((await drawer.status(post).textContent())?.trim(), '201')
    assert.equal(await drawer.cli(post).textContent(), '$ openstack image create --disk-format qcow2 --container-format bare --private tiny')
    const list = drawer.call('GET', '/image/v2/images?limit=100&sort=name%3Aasc').first()
    assert.equal(await drawer.cli(list).textContent(), '$ openstack image list --sort name:asc')
    // The upload's PUT in view, without the toasts over the list.
    // (Toasts also leave on their own after 5 s, so one may be gone before the click.)
    while ((await page.locator('.toast-close').count()) > 0) await page.locator('.toast-close').first().click({ timeout: 1000 }).catch(() => undefined)
    await put.scrollIntoViewIfNeeded()
    await page.screenshot({ path: path.join(RESULTS, 'dashboard-images.png') })
    await drawer.close()
  })

  it('refuses a file that is not its declared format, says what to do and leaves no empty image', async () => {
    const images = new ImagesPage(page)
    await images.openUpload()
    await images.chooseFile(fake)
    assert.equal(await images.uploadField('image-disk-format').inputValue(), 'qcow2', 'guessed from the extension')
    const warning = images.uploadDialog.getByTestId('format-warning')
    await warning.waitFor()
    assert.match((await warning.textContent()) ?? '', /does not start like a qcow2 image/)
    expect400 = true
    try {
      await images.startUpload()
      const error = images.uploadDialog.getByTestId('dialog-error')
      await error.filter({ hasText: 'deleted again' }).waitFor()
      const text = (await error.textContent()) ?? ''
      assert.match(text, /does not match the declared disk_format/)
      assert.match(text, /qemu-img info <file> tells you/)
    } finally {
      expect400 = false
    }
    await page.keyboard.press('Escape')
    await images.uploadDialog.waitFor({ state: 'detached' })
    await images.waitLoaded()
    assert.equal(await images.row('not-really').count(), 0)
  })

  it('creates an image from a URL and watches it become active', async () => {
    const images = new ImagesPage(page)
    await images.importButton.click()
    const dialog = page.getByTestId('import-dialog')
    await dialog.waitFor()
    await dialog.getByTestId('import-url').fill(`${filesUrl}/tiny.qcow2`)
    assert.equal(await dialog.getByTestId('import-name').inputValue(), 'tiny', 'named after the URL')
    assert.equal(await dialog.getByTestId('import-disk-format').inputValue(), 'qcow2', 'guessed from the URL')
    await dialog.getByTestId('import-name').fill('tiny-from-url')
    await dialog.getByTestId('import-submit').click()
    await dialog.waitFor({ state: 'detached' })
    await images.row('tiny-from-url').waitFor()
    await images.waitForStatus('tiny-from-url', 'active')
    assert.equal((await images.row('tiny-from-url').getByTestId('image-size').textContent())?.trim(), '192 KiB')
    const id = (await images.row('tiny-from-url').getAttribute('data-id')) ?? ''
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const call = drawer.call('POST', `/image/v2/images/${id}/import`).first()
    assert.equal((await drawer.status(call).textContent())?.trim(), '202')
    assert.equal(await drawer.cli(call).textContent(), `$ openstack image import --method web-download --uri ${filesUrl}/tiny.qcow2 ${id}`)
    await drawer.close()
    await images.delete('tiny-from-url')
  })

  it('shows a failed import as such', async () => {
    const images = new ImagesPage(page)
    await images.importButton.click()
    const dialog = page.getByTestId('import-dialog')
    await dialog.getByTestId('import-url').fill(`${filesUrl}/missing.qcow2`)
    await dialog.getByTestId('import-submit').click()
    await dialog.waitFor({ state: 'detached' })
    const badge = images.row('missing').getByTestId('image-status').filter({ hasText: 'Import failed' })
    await badge.waitFor({ timeout: 30_000 })
    assert.match((await badge.getAttribute('title')) ?? '', /^The import failed: .*404/)
    await images.delete('missing')
  })

  it('opens the launch wizard with the image chosen', async () => {
    const images = new ImagesPage(page)
    const id = (await images.row(GUEST_IMAGE).getAttribute('data-id')) ?? ''
    await images.action(GUEST_IMAGE, 'launch-image').click()
    await images.launchDialog.waitFor()
    await images.launchDialog.getByTestId('launch-step-source').click()
    await images.launchDialog.locator(`[data-testid="launch-image-row"][data-id="${id}"] input[type="radio"]:checked`).waitFor()
    await page.keyboard.press('Escape')
    await images.launchDialog.waitFor({ state: 'detached' })
  })

  it('refuses to delete a protected image, then deletes it after confirmation', async () => {
    const images = new ImagesPage(page)
    const del = images.action('tiny', 'delete-image')
    assert.equal(await del.isDisabled(), true)
    assert.match((await del.getAttribute('title')) ?? '', /Protected: edit the image and clear "Protected" to delete it/)
    await images.openEdit(images.row('tiny'))
    await images.editDialog.getByTestId('edit-protected').uncheck()
    await images.saveEdit()
    await images.row('tiny').locator('[data-testid="delete-image"]:not([disabled])').waitFor()
    await images.delete('tiny')
    assert.match((await new Shell(page).toast.textContent()) ?? '', /Image tiny deleted/)
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const call = drawer.call('DELETE', `/image/v2/images/${imageId}`).first()
    await call.waitFor()
    assert.equal((await drawer.status(call).textContent())?.trim(), '204')
    assert.equal(await drawer.cli(call).textContent(), `$ openstack image delete ${imageId}`)
    await drawer.close()
  })

  it('shows a member what the API returns for it, without admin actions', async () => {
    const shell = new Shell(page)
    await shell.logout()
    await new LoginPage(page).login(cloud.demo)
    await shell.open('/compute/images')
    const images = new ImagesPage(page)
    await images.waitLoaded()
    await images.row(GUEST_IMAGE).waitFor()
    assert.equal(await images.action(GUEST_IMAGE, 'deactivate-image').count(), 0, 'deactivation is for admins')
    assert.equal(await images.action(GUEST_IMAGE, 'edit-image').isDisabled(), true, 'the admin project owns it')
    assert.equal(await images.action(GUEST_IMAGE, 'delete-image').isDisabled(), true)
    await images.uploadButton.waitFor()
  })

  it('logged no console errors and no CSP violations', () => {
    assert.deepEqual(problems, [])
  })
})
