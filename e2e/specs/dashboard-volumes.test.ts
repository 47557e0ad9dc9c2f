import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type Credentials, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { InstancesPage } from '../pages/instances-page'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'
import { VolumesPage } from '../pages/volumes-page'

const ROOT = path.resolve(__dirname, '../../..')
const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(ROOT, 'test-results')
const GUEST_QCOW2 = path.join(ROOT, 'build/guest-image/stackling-tiny.qcow2')
const VM = 'e2e-vol-vm'
const VOL = 'e2e-vol'
const SNAP = 'e2e-snap'
const FROM_SNAP = 'e2e-from-snap'
const BFV = 'e2e-bfv'
/** Real QEMU under TCG on a loaded machine. */
const BOOT_MS = 150_000

/** A small OpenStack client for Node: enough to launch (and remove) the instance the dashboard attaches to. */
async function apiSession(url: string, creds: Credentials) {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: creds.username, domain: { name: 'Default' }, password: creds.password } } },
        scope: { project: { name: creds.project, domain: { name: 'Default' } } },
      },
    }),
  })
  assert.equal(res.status, 201, 'token issued')
  const token = res.headers.get('X-Subject-Token')!
  const call = async <T = any>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', 'OpenStack-API-Version': 'compute 2.1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T }
  }
  return { token, call }
}

async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

describe(
  'dashboard: volumes panel (browser against the real cloud and a real QEMU guest)',
  { timeout: 480_000, skip: existsSync(GUEST_QCOW2) ? false : `no guest image at ${GUEST_QCOW2}: run npm run build:guest-image first` },
  () => {
    let cloud: RunningCloud
    let browser: Browser
    let page: Page
    let problems: string[] = []
    let api: Awaited<ReturnType<typeof apiSession>>
    let serverId = ''
    let bfvId = ''

    before(async () => {
      mkdirSync(SHOTS, { recursive: true })
      cloud = await startTestCloud({ timeoutMs: 60_000 })
      api = await apiSession(cloud.url, cloud.admin)
      ;({ browser, page, problems } = await launchDashboardBrowser({ timeoutMs: 45_000 }))
    })

    after(async () => {
      await browser?.close()
      // Remove the guests before the cloud stops, so no qemu-system outlives the test.
      for (const id of [serverId, bfvId].filter(Boolean)) {
        if (!api) break
        await api.call('DELETE', `/compute/v2.1/servers/${id}`).catch(() => undefined)
        await until('the instance to go', 60_000, async () => ((await api.call('GET', `/compute/v2.1/servers/${id}`)).status === 404 ? true : undefined)).catch(() => undefined)
      }
      const code = await cloud?.stop()
      if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
    })

    it('launches an instance through the API (the dashboard attaches to it)', async () => {
      const images = await api.call<{ images: { id: string }[] }>('GET', '/image/v2/images?name=stackling-tiny')
      const flavors = await api.call<{ flavors: { id: string; name: string }[] }>('GET', '/compute/v2.1/flavors')
      const nets = await api.call<{ networks: { id: string }[] }>('GET', '/networking/v2.0/networks?name=private')
      const imageRef = images.body.images[0]?.id
      const flavorRef = flavors.body.flavors.find((f) => f.name === 'm1.nano')?.id
      assert.ok(imageRef && flavorRef, 'stackling-tiny and m1.nano exist')
      const created = await api.call<{ server: { id: string } }>('POST', '/compute/v2.1/servers', {
        server: { name: VM, imageRef, flavorRef, networks: nets.body.networks[0] ? [{ uuid: nets.body.networks[0].id }] : 'none' },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      serverId = created.body.server.id
      await until('the instance to be ACTIVE', BOOT_MS, async () => {
        const s = await api.call<{ server: { status: string } }>('GET', `/compute/v2.1/servers/${serverId}`)
        if (s.body.server.status === 'ERROR') throw new Error(`instance went to ERROR: ${JSON.stringify(s.body)}`)
        return s.body.server.status === 'ACTIVE' ? true : undefined
      })
    })

    it('creates a blank volume in the Volumes panel and follows it to available', async () => {
      const login = new LoginPage(page)
      await login.goto(cloud.url)
      await login.login(cloud.admin)
      const shell = new Shell(page)
      assert.doesNotMatch((await shell.navLink('/storage/volumes').textContent()) ?? '', /soon/, 'the Volumes panel is built')
      await shell.open('/storage/volumes')
      const vols = new VolumesPage(page)
      await vols.waitLoaded()
      const cli = await vols.fillCreate({ name: VOL, size: 1 })
      assert.equal(cli, `openstack volume create --size 1 ${VOL}`)
      await vols.submitCreate()
      await vols.row(VOL).waitFor()
      await vols.waitStatus(VOL, 'available')
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-volumes-available.png'), fullPage: true })

      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.root.locator('[data-testid="api-call"][data-method="POST"][data-path$="/volumes"]').first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '202')
      assert.match((await drawer.cli(post).textContent()) ?? '', /openstack volume create --size 1 e2e-vol/)
      await drawer.close()
    })

    it('attaches it to the instance, which then lists it with its device', async () => {
      const vols = new VolumesPage(page)
      const cli = await vols.attach(VOL, VM)
      assert.equal(cli, `openstack server add volume ${VM} ${VOL}`)
      await vols.waitStatus(VOL, 'in-use', 90_000)
      const device = (await vols.row(VOL).getByTestId('volume-device').textContent())?.trim() ?? ''
      assert.match(device, /^\/dev\/[a-z]+$/)
      assert.match((await vols.row(VOL).getByTestId('volume-attached-server').textContent()) ?? '', new RegExp(VM))
      // Deleting is refused while attached, and the menu says why.
      const del = await vols.menuItem(VOL, 'volume-delete')
      assert.equal(await del.isDisabled(), true)
      assert.match((await del.getAttribute('title')) ?? '', /Detach it first/)
      await page.keyboard.press('Escape')
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-volumes-in-use.png'), fullPage: true })

      await vols.row(VOL).getByTestId('volume-attached-server').click()
      const card = page.getByTestId('instance-volumes')
      const item = card.locator(`[data-testid="instance-volume"][data-name="${VOL}"]`)
      await item.waitFor()
      assert.equal((await item.getByTestId('instance-volume-device').textContent())?.trim(), device)
      await card.scrollIntoViewIfNeeded()
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-volumes-instance.png'), fullPage: true })
    })

    it('detaches it, extends it, snapshots it, makes a volume of the snapshot, and deletes them all', async () => {
      const shell = new Shell(page)
      await shell.open('/storage/volumes')
      const vols = new VolumesPage(page)
      await vols.waitLoaded()
      await vols.detach(VOL)
      await vols.waitStatus(VOL, 'available', 90_000)

      // Extend, snapshot, a volume from the snapshot; then everything goes.
      assert.equal(await vols.extend(VOL, 2), `openstack volume set --size 2 ${VOL}`)
      await vols.waitStatus(VOL, 'available', 60_000)
      await vols.row(VOL).locator('td', { hasText: /^2 GB$/ }).waitFor()
      assert.equal(await vols.snapshot(VOL, SNAP), `openstack volume snapshot create --volume ${VOL} ${SNAP}`)
      const del = await vols.menuItem(VOL, 'volume-delete')
      assert.match((await del.getAttribute('title')) ?? '', /Delete its 1 snapshot first/)
      await page.keyboard.press('Escape')
      await vols.tab('snapshots')
      await vols.root.locator(`[data-testid="snapshot-row"][data-name="${SNAP}"][data-status="available"]`).waitFor({ timeout: 60_000 })
      await vols.snapshotRow(SNAP).getByTestId('snapshot-create-volume').click()
      await vols.createDialog.waitFor()
      await vols.createDialog.getByTestId('volume-name').fill(FROM_SNAP)
      assert.equal(((await vols.createDialog.getByTestId('create-volume-cli').locator('code').textContent()) ?? '').replace(/^\$ /, ''), `openstack volume create --snapshot ${SNAP} ${FROM_SNAP}`)
      await vols.submitCreate()
      await vols.waitStatus(FROM_SNAP, 'available', 60_000)
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-volumes-from-snapshot.png'), fullPage: true })
      await vols.delete(FROM_SNAP)
      await vols.row(FROM_SNAP).waitFor({ state: 'detached', timeout: 60_000 })
      await vols.tab('snapshots')
      await vols.snapshotRow(SNAP).getByTestId('snapshot-delete').click()
      await vols.confirmDialog.getByTestId('confirm-button').click()
      await vols.snapshotRow(SNAP).waitFor({ state: 'detached', timeout: 60_000 })
      await vols.tab('volumes')
      await vols.delete(VOL)
      await vols.row(VOL).waitFor({ state: 'detached', timeout: 60_000 })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const detach = drawer.root.locator('[data-testid="api-call"][data-method="DELETE"][data-path*="/os-volume_attachments/"]').first()
      assert.match((await drawer.cli(detach).textContent()) ?? '', new RegExp(`openstack server remove volume ${VM} ${VOL}`))
      await drawer.close()
      assert.deepEqual(problems, [], 'no console errors or CSP violations')
    })

    it('launches an instance that boots from a new volume (deleted with it) from the launch wizard', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/instances')
      const instances = new InstancesPage(page)
      await instances.waitLoaded()
      await instances.openWizard()
      await instances.goToStep('details')
      await instances.wizard.getByTestId('launch-name').fill(BFV)
      await instances.goToStep('source')
      await instances.imageRow('stackling-tiny').click()
      await instances.wizard.getByTestId('launch-boot-volume-toggle').check()
      await instances.wizard.getByTestId('launch-volume-delete-on-termination').check()
      await instances.goToStep('flavor')
      await instances.flavorRow('m1.nano').click()
      const cli = (await instances.wizard.getByTestId('launch-cli').locator('code').textContent()) ?? ''
      assert.match(cli, /--block-device uuid=[0-9a-f-]{36},source_type=image,destination_type=volume,volume_size=\d+,boot_index=0,delete_on_termination=true/)
      await instances.launch()
      await instances.wizard.waitFor({ state: 'detached' })
      await instances.row(BFV).waitFor()
      bfvId = (await instances.row(BFV).getAttribute('data-id')) ?? ''
      await instances.waitForStatus(BFV, 'ACTIVE', BOOT_MS)

      await shell.open('/storage/volumes')
      const vols = new VolumesPage(page)
      await vols.waitLoaded()
      const row = vols.root.locator('[data-testid="volume-row"][data-status="in-use"]').filter({ has: page.getByTestId('volume-attached-server').filter({ hasText: BFV }) })
      await row.waitFor({ timeout: 60_000 })
      assert.match((await row.textContent()) ?? '', /image stackling-tiny/)
      await page.screenshot({ path: path.join(SHOTS, 'dashboard-volumes-boot-volume.png'), fullPage: true })
      const volumeId = (await row.getAttribute('data-id')) ?? ''

      // delete_on_termination: the volume goes with the instance.
      assert.equal((await api.call('DELETE', `/compute/v2.1/servers/${bfvId}`)).status, 204)
      await until('the instance to go', 90_000, async () => ((await api.call('GET', `/compute/v2.1/servers/${bfvId}`)).status === 404 ? true : undefined))
      bfvId = ''
      await vols.root.locator(`[data-testid="volume-row"][data-id="${volumeId}"]`).waitFor({ state: 'detached', timeout: 90_000 })
      assert.deepEqual(problems, [], 'no console errors or CSP violations')
    })
  },
)
