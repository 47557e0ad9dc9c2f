import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { ImagesPage } from '../pages/images-page'
import { InstancesPage } from '../pages/instances-page'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'

const ROOT = path.resolve(__dirname, '../../..')
const RESULTS = path.join(ROOT, 'test-results')
/** The guest image the cloud registers at first start when it has been built (`npm run build:guest-image`). */
const GUEST_QCOW2 = path.join(ROOT, 'build/guest-image/stackling-tiny.qcow2')
const GUEST_IMAGE = 'stackling-tiny'
const FLAVOR = 'm1.nano'
const VM = 'e2e-vm'
const KEY = 'e2e-key'
/** Real QEMU under TCG: the guest boots in 5–10 s on the CI machine; generous for a loaded one. */
const BOOT_MS = 90_000

const guestImageBuilt = existsSync(GUEST_QCOW2)

describe(
  'dashboard: compute panels (browser against the real cloud and real QEMU)',
  { timeout: 420_000, skip: guestImageBuilt ? false : `no guest image at ${GUEST_QCOW2}: run npm run build:guest-image first` },
  () => {
    let cloud: RunningCloud
    let browser: Browser
    let page: Page
    let problems: string[] = []
    let serverId = ''
    let imageId = ''

    before(async () => {
      mkdirSync(RESULTS, { recursive: true })
      cloud = await startTestCloud({ timeoutMs: 60_000 })
      // Generous: this suite shares two cores with other suites that boot guests too.
      ;({ browser, page, problems } = await launchDashboardBrowser({ timeoutMs: 45_000 }))
    })

    after(async () => {
      await browser?.close()
      const code = await cloud?.stop()
      if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
    })

    it('logs in as admin and shows compute usage on the overview, the host up', async () => {
      const login = new LoginPage(page)
      await login.goto(cloud.url)
      await login.login(cloud.admin)
      const shell = new Shell(page)
      for (const p of ['/compute/instances', '/compute/flavors', '/compute/key-pairs']) {
        assert.doesNotMatch((await shell.navLink(p).textContent()) ?? '', /soon/, `${p} is built`)
      }
      const usage = page.getByTestId('compute-usage')
      await usage.getByTestId('usage-instances').waitFor()
      assert.match((await usage.getByTestId('usage-instances').getByTestId('usage-value').textContent()) ?? '', /^0 of 10$/)
      // The host's bars are for admins; the hypervisor must be up for the rest of this test to mean anything.
      await usage.locator('[data-testid="hypervisor-state"]').filter({ hasText: 'up' }).waitFor({ timeout: 30_000 })
      await usage.getByTestId('usage-host-vcpus').waitFor()
    })

    it('lists the flavors, the one we launch among them', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/flavors')
      const row = page.locator(`[data-testid="flavor-row"][data-name="${FLAVOR}"]`)
      await row.waitFor()
      await page.getByTestId('create-flavor').waitFor()
    })

    it('creates a key pair and offers its private key once, as a download', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/key-pairs')
      const kp = page.getByTestId('key-pairs-page')
      await kp.getByTestId('create-keypair').first().click()
      const dialog = page.getByTestId('create-keypair-dialog')
      await dialog.getByTestId('keypair-name').fill(KEY)
      await dialog.getByTestId('create-keypair-submit').click()
      const secret = dialog.getByTestId('secret-download')
      await secret.waitFor()
      assert.match((await secret.textContent()) ?? '', /only this once .* it will not be shown again/)
      assert.doesNotMatch((await dialog.textContent()) ?? '', /PRIVATE KEY/, 'the key itself is never on screen')
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('secret-download-button').click()])
      assert.equal(download.suggestedFilename(), `${KEY}.pem`)
      const pem = readFileSync((await download.path())!, 'utf8')
      assert.match(pem, /^-----BEGIN OPENSSH PRIVATE KEY-----/)
      await dialog.getByTestId('create-keypair-done').click()
      await kp.locator(`[data-testid="keypair-row"][data-name="${KEY}"]`).waitFor()
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.call('POST', '/compute/v2.1/os-keypairs').first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '200')
      assert.equal(await drawer.cli(post).textContent(), `$ openstack keypair create ${KEY}`)
      await drawer.close()
    })

    it('opens the launch wizard from the Images panel with the image chosen, and checks it before sending', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/images')
      const images = new ImagesPage(page)
      await images.waitLoaded()
      imageId = (await images.row(GUEST_IMAGE).getAttribute('data-id')) ?? ''
      await images.action(GUEST_IMAGE, 'launch-image').click()
      const instances = new InstancesPage(page)
      await instances.wizard.waitFor()
      // Launch at once: nothing is sent, the wizard shows the first step with an error.
      await instances.launch()
      await instances.panel('details').getByTestId('field-error').waitFor()
      assert.match((await instances.panel('details').getByTestId('field-error').textContent()) ?? '', /Give the instance a name/)
      assert.equal(await instances.step('flavor').getAttribute('data-invalid'), 'true')
      assert.equal(await instances.step('source').getAttribute('data-invalid'), null, 'the image came chosen')
      await instances.goToStep('source')
      assert.equal(await instances.imageRow(GUEST_IMAGE).locator('input[type="radio"]').isChecked(), true)
    })

    it('launches stackling-tiny with m1.nano, a key pair and user data', async () => {
      const instances = new InstancesPage(page)
      await instances.goToStep('details')
      await instances.wizard.getByTestId('launch-name').fill(VM)
      await instances.goToStep('flavor')
      await instances.flavorRow(FLAVOR).click()
      assert.equal(await instances.flavorRow(FLAVOR).getAttribute('data-fits'), 'yes')
      const fit = instances.wizard.getByTestId('flavor-fit')
      assert.match((await fit.getByTestId('quota-fit').getByTestId('gauge-instances').getByTestId('usage-value').textContent()) ?? '', /^0 \+ 1 of 10$/)
      await fit.getByTestId('host-fit').waitFor()
      await instances.goToStep('keypair')
      await instances.keypairRow(KEY).click()
      await instances.goToStep('configuration')
      await instances.wizard.getByTestId('launch-user-data').fill('#!/bin/sh\necho "E2E-USERDATA $(hostname)"\n')
      assert.match((await instances.wizard.getByTestId('user-data-size').textContent()) ?? '', /A script \(\/bin\/sh\)/)
      assert.equal(
        await instances.wizard.getByTestId('launch-cli').locator('code').textContent(),
        `$ openstack server create --image ${imageId} --flavor 42 --network private --security-group default --key-name ${KEY} --user-data <file> --wait ${VM}`,
      )
      await instances.launch()
      await instances.wizard.waitFor({ state: 'detached' })
      // Launching from the Images panel lands on the instances list, which follows the build.
      await instances.waitLoaded()
      await instances.row(VM).waitFor()
      serverId = (await instances.row(VM).getAttribute('data-id')) ?? ''
      assert.match(serverId, /^[0-9a-f-]{36}$/)
      await instances.waitForStatus(VM, 'ACTIVE', BOOT_MS)
      assert.equal((await instances.row(VM).getByTestId('instance-power').textContent())?.trim(), 'Running')
      // The wizard put it on the private network (its default): a Neutron port with an address of 10.0.0.0/26.
      assert.match((await instances.row(VM).getByTestId('instance-addresses').textContent()) ?? '', /10\.0\.0\.\d+/)
      assert.match((await instances.quotaSummary.textContent()) ?? '', /1\/10 instances/)

      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.call('POST', '/compute/v2.1/servers').first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '202')
      assert.equal(await drawer.cli(post).textContent(), `$ openstack server create --image ${imageId} --flavor 42 --network private --security-group default --key-name ${KEY} --user-data <file> --wait ${VM}`)
      const list = drawer.call('GET', '/compute/v2.1/servers/detail').first()
      assert.equal(await drawer.cli(list).textContent(), '$ openstack server list --long')
      await drawer.close()
    })

    it('shows every field of the instance and its boot log', async () => {
      const instances = new InstancesPage(page)
      await instances.openDetail(VM)
      assert.match((await instances.field('id').textContent()) ?? '', new RegExp(serverId))
      assert.match((await instances.field('status').textContent()) ?? '', /Active/)
      assert.equal((await instances.field('vm_state').textContent())?.trim(), 'active')
      // The image's name comes with its own GET (its ID shows meanwhile).
      await instances.field('image').filter({ hasText: GUEST_IMAGE }).waitFor()
      assert.equal((await instances.field('key_name').textContent())?.trim(), KEY)
      assert.match((await instances.field('flavor').textContent()) ?? '', new RegExp(FLAVOR.replace('.', '\\.')))
      await instances.openTab('log')
      await instances.consoleOutput.filter({ hasText: 'STACKLING-BOOT' }).waitFor({ timeout: BOOT_MS })
      // The user data ran (cloud-init's job, done by the guest's init from the config drive), then the guest was ready.
      await instances.consoleOutput.filter({ hasText: `E2E-USERDATA ${VM}` }).waitFor({ timeout: BOOT_MS })
      await instances.consoleOutput.filter({ hasText: 'STACKLING-READY' }).waitFor({ timeout: BOOT_MS })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const call = drawer.calls.filter({ hasText: 'openstack console log show' }).first()
      assert.equal(await drawer.cli(call).textContent(), `$ openstack console log show --lines 200 ${serverId}`)
      await drawer.close()
    })

    it('types into the live serial console and sees the guest answer', async () => {
      const instances = new InstancesPage(page)
      await instances.openTab('console')
      await instances.serialState('open').waitFor({ timeout: 60_000 })
      await instances.serialScreen.click()
      // The guest offers its shell on Enter once its console is up; on a busy machine that can take a while, so
      // press Enter again until the prompt shows rather than once against a fixed timeout.
      const prompt = instances.serialScreen.filter({ hasText: '#' })
      for (let tries = 0; tries < 30 && !(await prompt.isVisible()); tries++) {
        await page.keyboard.press('Enter')
        await prompt.waitFor({ timeout: 3_000 }).catch(() => undefined)
      }
      await prompt.waitFor({ timeout: 5_000 })
      await page.keyboard.type('echo STACKLING-$((6*7)) $(hostname)')
      await page.keyboard.press('Enter')
      await instances.serialScreen.filter({ hasText: `STACKLING-42 ${VM}` }).waitFor({ timeout: 60_000 })
      await page.screenshot({ path: path.join(RESULTS, 'dashboard-instances.png') })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const call = drawer.calls.filter({ hasText: 'openstack console url show --serial' }).first()
      assert.equal((await drawer.status(call).textContent())?.trim(), '200')
      assert.equal(await drawer.cli(call).textContent(), `$ openstack console url show --serial ${serverId}`)
      await drawer.close()
    })

    it('lists the actions with their events', async () => {
      const instances = new InstancesPage(page)
      await instances.openTab('actions')
      const create = instances.detail.locator('[data-testid="action-row"][data-action="create"]')
      await create.waitFor()
      await create.getByTestId('action-toggle').click()
      await instances.detail.locator('[data-testid="action-event"][data-result="Success"]').first().waitFor()
    })

    it('stops the instance after confirmation and offers only what a stopped instance allows', async () => {
      const instances = new InstancesPage(page)
      await instances.openTab('overview')
      assert.equal(await instances.detailAction('start').count(), 0, 'Start is not offered while it runs')
      await instances.detailAction('stop').click()
      assert.match((await instances.confirmDialog.textContent()) ?? '', /Stop instance/)
      await instances.confirm()
      await instances.waitForDetailStatus('SHUTOFF', 60_000)
      assert.equal(await instances.detailAction('start').isEnabled(), true)
      assert.equal(await instances.detailAction('pause').isDisabled(), true)
      assert.match((await instances.detailAction('pause').getAttribute('title')) ?? '', /Pause needs an active instance; this one is shutoff/)
      assert.equal((await instances.field('power_state').textContent())?.includes('Shut down'), true)
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const call = drawer.call('POST', `/compute/v2.1/servers/${serverId}/action`).filter({ hasText: 'openstack server stop' }).first()
      assert.equal((await drawer.status(call).textContent())?.trim(), '202')
      assert.equal(await drawer.cli(call).textContent(), `$ openstack server stop ${serverId}`)
      await drawer.close()
    })

    it('deletes it from the list after confirmation', async () => {
      const instances = new InstancesPage(page)
      await instances.backToList()
      assert.equal(await instances.menuActionEnabled(VM, 'reboot'), false, 'a soft reboot needs a running instance')
      await instances.rowAction(VM, 'delete')
      assert.match((await instances.confirmDialog.textContent()) ?? '', /cannot be undone/)
      await instances.confirm()
      await instances.row(VM).waitFor({ state: 'detached', timeout: 60_000 })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const del = drawer.call('DELETE', `/compute/v2.1/servers/${serverId}`).first()
      assert.equal((await drawer.status(del).textContent())?.trim(), '204')
      assert.equal(await drawer.cli(del).textContent(), `$ openstack server delete ${serverId}`)
      await drawer.close()
    })

    it('shows a member the quota, not the host, and no flavor management', async () => {
      const shell = new Shell(page)
      await shell.logout()
      await new LoginPage(page).login(cloud.demo)
      const usage = page.getByTestId('compute-usage')
      await usage.getByTestId('usage-cores').waitFor()
      assert.equal(await usage.getByTestId('host-usage').count(), 0)
      await shell.open('/compute/flavors')
      await page.getByTestId('not-admin-notice').waitFor()
      assert.equal(await page.getByTestId('create-flavor').count(), 0)
      assert.equal(await page.getByTestId('delete-flavor').count(), 0)
    })

    it('logged no console errors and no CSP violations', () => {
      assert.deepEqual(problems, [])
    })
  },
)
