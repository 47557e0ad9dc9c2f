import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { ApiDrawer } from '../pages/api-drawer'
import { FloatingIpsPage } from '../pages/floating-ips-page'
import { InstancesPage } from '../pages/instances-page'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'
import { TopologyPage } from '../pages/topology-page'

const ROOT = path.resolve(__dirname, '../../..')
const RESULTS = path.join(ROOT, 'test-results')
const GUEST_QCOW2 = path.join(ROOT, 'build/guest-image/stackling-tiny.qcow2')
const GUEST_IMAGE = 'stackling-tiny'
const FLAVOR = 'm1.nano'
const VM = 'e2e-topo-vm'
/** Real QEMU under TCG on a busy two-core machine. */
const BOOT_MS = 120_000

/** A TCP port of 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** Tries `banner` until the guest's SSH server answers (it may still be starting). */
async function sshBanner(port: number): Promise<string> {
  let said = ''
  for (let i = 0; i < 20 && !said.startsWith('SSH-'); i++) {
    said = await banner(port, 10_000)
    if (!said.startsWith('SSH-')) await new Promise((r) => setTimeout(r, 3000))
  }
  return said
}

/** The first line a TCP server on 127.0.0.1:port sends (an SSH server's banner), or the error. */
function banner(port: number, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port })
    let got = ''
    const done = (s: string) => {
      sock.destroy()
      resolve(s)
    }
    const t = setTimeout(() => done(`timeout${got ? `: ${got}` : ''}`), timeoutMs)
    sock.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\n')) {
        clearTimeout(t)
        done(got.split('\n')[0]!.trim())
      }
    })
    sock.on('error', (e) => {
      clearTimeout(t)
      done(`error: ${e.message}`)
    })
  })
}

describe(
  'dashboard: network topology and floating IPs (browser against the real cloud and a real guest)',
  { timeout: 600_000, skip: existsSync(GUEST_QCOW2) ? false : `no guest image at ${GUEST_QCOW2}: run npm run build:guest-image first` },
  () => {
    let cloud: RunningCloud
    let browser: Browser
    let page: Page
    let problems: string[] = []
    let imageId = ''
    let fip = ''
    let sshPort = 0

    before(async () => {
      mkdirSync(RESULTS, { recursive: true })
      cloud = await startTestCloud({ timeoutMs: 60_000 })
      ;({ browser, page, problems } = await launchDashboardBrowser({ timeoutMs: 45_000 }))
    })

    after(async () => {
      await browser?.close()
      const code = await cloud?.stop()
      if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
    })

    it("draws DevStack's topology to the demo user: public, router1 and private", async () => {
      const login = new LoginPage(page)
      await login.goto(cloud.url)
      await login.login(cloud.demo)
      const shell = new Shell(page)
      await shell.open('/network/topology')
      const topo = new TopologyPage(page)
      await topo.waitLoaded()
      await topo.network('public').waitFor()
      await topo.network('private').waitFor()
      await topo.router('router1').waitFor()
      assert.equal(await topo.network('public').getAttribute('data-external'), 'true')
      assert.match((await topo.network('public').textContent()) ?? '', /172\.24\.4\.0\/24/)
      assert.match((await topo.network('private').textContent()) ?? '', /10\.0\.0\.0\/26/)
      assert.match((await topo.link('gateway', 'router1', 'public').getAttribute('data-label')) ?? '', /^gateway 172\.24\.4\.\d+ SNAT on$/)
      assert.equal(await topo.link('interface', 'router1', 'private').getAttribute('data-label'), '10.0.0.1')
      // Every element opens its panel.
      await topo.network('private').click()
      await page.getByTestId('network-detail').getByTestId('network-title').filter({ hasText: 'private' }).waitFor()
      await page.getByTestId('network-detail').locator('[data-testid="subnet-row"][data-cidr="10.0.0.0/26"]').waitFor()
      await page.goBack()
      await topo.router('router1').waitFor()
      const drawer = new ApiDrawer(page)
      await drawer.open()
      assert.equal(await drawer.cli(drawer.call('GET', '/networking/v2.0/ports').first()).textContent(), '$ openstack port list')
      assert.equal(await drawer.cli(drawer.call('GET', '/networking/v2.0/routers').first()).textContent(), '$ openstack router list')
      await drawer.close()
    })

    it('launches an instance on private with the default security group from the wizard', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/instances')
      const instances = new InstancesPage(page)
      await instances.waitLoaded()
      await instances.root.getByTestId('launch-open').or(instances.root.getByTestId('launch-open-empty')).first().click()
      await instances.wizard.waitFor()
      await instances.wizard.getByTestId('launch-name').fill(VM)
      await instances.goToStep('source')
      await instances.imageRow(GUEST_IMAGE).click()
      imageId = (await instances.imageRow(GUEST_IMAGE).getAttribute('data-id')) ?? ''
      await instances.goToStep('flavor')
      await instances.flavorRow(FLAVOR).click()
      await instances.goToStep('networks')
      // The project's private network and the default group come chosen; the external network is not offered to a member.
      await instances.networkRow('private').waitFor()
      assert.equal(await instances.networkRow('private').getAttribute('data-chosen'), 'yes')
      assert.equal(await instances.networkRow('public').count(), 0)
      assert.equal(await instances.groupRow('default').locator('input').isChecked(), true)
      await instances.goToStep('review')
      assert.match((await instances.wizard.getByTestId('review-networks').textContent()) ?? '', /^private \(10\.0\.0\.0\/26\)$/)
      assert.equal(await instances.wizard.getByTestId('review-groups').textContent(), 'default')
      const cli = `$ openstack server create --image ${imageId} --flavor 42 --network private --security-group default --wait ${VM}`
      assert.equal(await instances.wizard.getByTestId('launch-cli').locator('code').textContent(), cli)
      await instances.launch()
      await instances.wizard.waitFor({ state: 'detached' })
      await instances.row(VM).waitFor()
      await instances.waitForStatus(VM, 'ACTIVE', BOOT_MS)
      assert.match((await instances.row(VM).getByTestId('instance-addresses').textContent()) ?? '', /10\.0\.0\.\d+/)
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.call('POST', '/compute/v2.1/servers').first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '202')
      assert.equal(await drawer.cli(post).textContent(), cli)
      await drawer.close()
    })

    it('shows the instance in the topology, linked to private by its port', async () => {
      const shell = new Shell(page)
      await shell.open('/network/topology')
      const topo = new TopologyPage(page)
      await topo.waitLoaded()
      await topo.instance(VM, 'ACTIVE').waitFor()
      // The picture refreshes itself: the port may be drawn a poll after the instance.
      const port = topo.link('port', VM, 'private')
      await port.waitFor({ timeout: 30_000 })
      assert.match((await port.getAttribute('data-label')) ?? '', /^10\.0\.0\.\d+$/)
      await page.screenshot({ path: path.join(RESULTS, 'dashboard-topology.png'), fullPage: true })
    })

    it('allocates a floating IP, associates it with the instance and shows the ssh line', async () => {
      const shell = new Shell(page)
      await shell.open('/network/floating-ips')
      const fips = new FloatingIpsPage(page)
      await fips.waitLoaded()
      fip = await fips.allocate('public')
      assert.match(fip, /^172\.24\.4\.\d+$/)
      assert.equal(await fips.row(fip).getAttribute('data-associated'), 'no')
      await fips.associate(fip, VM)
      await fips.row(fip).and(page.locator('[data-associated="yes"]')).waitFor()
      assert.match((await fips.row(fip).getByTestId('fip-target').textContent()) ?? '', new RegExp(`${VM}10\\.0\\.0\\.\\d+`))
      const ssh = fips.row(fip).getByTestId('ssh-command')
      await ssh.waitFor({ timeout: 30_000 })
      const line = (await ssh.textContent()) ?? ''
      const m = /^ssh -p (\d+) root@127\.0\.0\.1$/.exec(line)
      assert.ok(m, `an ssh line: ${line}`)
      sshPort = Number(m[1])
      await fips.row(fip).getByTestId('copy-ssh').waitFor()
      const http = fips.row(fip).getByTestId('http-link')
      assert.match((await http.getAttribute('href')) ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/)

      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.call('POST', '/networking/v2.0/floatingips').first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '201')
      assert.equal(await drawer.cli(post).textContent(), '$ openstack floating ip create public')
      const put = drawer.calls.filter({ hasText: 'openstack floating ip set --port' }).first()
      assert.equal((await drawer.status(put).textContent())?.trim(), '200')
      await drawer.close()

      // The instance's page shows the floating IP on its port, with the same line; the topology shows it on the box.
      await shell.open('/compute/instances')
      const instances = new InstancesPage(page)
      await instances.waitLoaded()
      await instances.openDetail(VM)
      const onPort = instances.detail.locator(`[data-testid="instance-network"][data-network="private"] [data-testid="instance-fip"][data-address="${fip}"]`)
      await onPort.getByTestId('ssh-command').filter({ hasText: line }).waitFor()
      // The default group lets in only its own members: the page says ssh needs a rule first.
      await onPort.getByTestId('ssh-blocked').waitFor()
      await shell.open('/network/topology')
      const topo = new TopologyPage(page)
      await topo.instance(VM).getByTestId('topology-floating-ip').filter({ hasText: fip }).waitFor()
      await page.screenshot({ path: path.join(RESULTS, 'dashboard-topology-fip.png'), fullPage: true })
    })

    it("opens TCP 22 in the default group, and then reaches the guest's ssh server through the ssh line's port", async () => {
      assert.ok(sshPort > 0, 'the previous test found the ssh line')
      const shell = new Shell(page)
      await shell.open('/network/security-groups')
      const group = page.getByTestId('security-group').filter({ hasText: 'default' }).first()
      await group.getByTestId('add-rule').click()
      const dialog = page.getByTestId('add-rule-dialog')
      await dialog.getByTestId('rule-ports').fill('22')
      assert.match((await dialog.getByTestId('rule-summary').textContent()) ?? '', /Allow inbound TCP port 22 from 0\.0\.0\.0\/0/)
      await dialog.getByTestId('add-rule-submit').click()
      await dialog.waitFor({ state: 'detached' })
      await shell.open('/compute/instances')
      const instances = new InstancesPage(page)
      await instances.waitLoaded()
      await instances.openDetail(VM)
      const onPort = instances.detail.locator(`[data-testid="instance-fip"][data-address="${fip}"]`)
      await onPort.getByTestId('ssh-command').waitFor()
      // No warning once a rule lets ssh in (the groups are read again after the change).
      await onPort.getByTestId('ssh-blocked').waitFor({ state: 'detached' })
      // The guest's dropbear starts once it has booted; try until it answers.
      assert.match(await sshBanner(sshPort), /^SSH-2\.0-/, `127.0.0.1:${sshPort} answers as an SSH server`)
    })

    it('disassociates and releases the floating IP after confirmation', async () => {
      const shell = new Shell(page)
      await shell.open('/network/floating-ips')
      const fips = new FloatingIpsPage(page)
      await fips.waitLoaded()
      await fips.row(fip).getByTestId('fip-disassociate').click()
      assert.match((await fips.confirmDialog.textContent()) ?? '', /ssh sessions through it break/)
      await fips.confirm()
      await fips.row(fip).and(page.locator('[data-associated="no"]')).waitFor()
      assert.equal(await fips.row(fip).getByTestId('ssh-command').count(), 0)
      await fips.row(fip).getByTestId('fip-release').click()
      assert.match((await fips.confirmDialog.textContent()) ?? '', /goes back to the pool of public/)
      await fips.confirm()
      await fips.row(fip).waitFor({ state: 'detached' })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const unset = drawer.calls.filter({ hasText: 'openstack floating ip unset --port' }).first()
      assert.equal((await drawer.status(unset).textContent())?.trim(), '200')
      const del = drawer.calls.filter({ hasText: 'openstack floating ip delete' }).first()
      assert.equal((await drawer.status(del).textContent())?.trim(), '204')
      await drawer.close()
    })

    it('forwards a port of 127.0.0.1 to the instance with a port forwarding on another floating IP, then deletes it', async () => {
      const shell = new Shell(page)
      await shell.open('/network/floating-ips')
      const fips = new FloatingIpsPage(page)
      await fips.waitLoaded()
      const address = await fips.allocate('public')
      await fips.row(address).getByTestId('fip-link').click()
      const detail = page.getByTestId('fip-detail')
      await detail.getByTestId('fip-title').filter({ hasText: address }).waitFor()
      const fipId = (await detail.getAttribute('data-id')) ?? ''
      await detail.getByTestId('no-pf').waitFor()
      await detail.getByTestId('add-pf').click()
      const dialog = page.getByTestId('pf-dialog')
      await dialog.waitFor()
      const select = dialog.getByTestId('pf-instance')
      await select.selectOption((await select.locator('option').filter({ hasText: VM }).first().getAttribute('value')) ?? '')
      await dialog.getByTestId('pf-port').locator('option', { hasText: /^10\.0\.0\.\d+$/ }).first().waitFor({ state: 'attached' })
      const external = await freePort()
      await dialog.getByTestId('pf-internal-port').fill('22')
      await dialog.getByTestId('pf-external-port').fill(String(external))
      assert.match(
        (await dialog.getByTestId('pf-cli').textContent()) ?? '',
        new RegExp(`openstack floating ip port forwarding create --internal-ip-address 10\\.0\\.0\\.\\d+ --port \\S+ --internal-protocol-port 22 --external-protocol-port ${external} --protocol tcp ${fipId}$`),
      )
      await dialog.getByTestId('pf-submit').click()
      await dialog.waitFor({ state: 'detached' })
      const row = detail.locator(`[data-testid="pf-row"][data-external="${external}"]`)
      await row.waitFor()
      assert.equal((await row.getByTestId('pf-external').textContent())?.trim(), `127.0.0.1:${external}`)
      assert.equal(await detail.getByTestId('fip-associate').isDisabled(), true, 'either port forwardings or an association')
      assert.match(await sshBanner(external), /^SSH-2\.0-/, `127.0.0.1:${external} reaches the guest's ssh server`)

      await row.getByTestId('delete-pf').click()
      await fips.confirm()
      await row.waitFor({ state: 'detached' })
      await detail.getByTestId('fip-release').click()
      await fips.confirm()
      await fips.row(address).waitFor({ state: 'detached' })
      const drawer = new ApiDrawer(page)
      await drawer.open()
      const post = drawer.calls.filter({ hasText: 'openstack floating ip port forwarding create' }).first()
      assert.equal((await drawer.status(post).textContent())?.trim(), '201')
      const del = drawer.calls.filter({ hasText: 'openstack floating ip port forwarding delete' }).first()
      assert.equal((await drawer.status(del).textContent())?.trim(), '204')
      await drawer.close()
    })

    it('deletes the instance, and the topology follows', async () => {
      const shell = new Shell(page)
      await shell.open('/compute/instances')
      const instances = new InstancesPage(page)
      await instances.waitLoaded()
      await instances.rowAction(VM, 'delete')
      await instances.confirm()
      await instances.row(VM).waitFor({ state: 'detached', timeout: 90_000 })
      await shell.open('/network/topology')
      const topo = new TopologyPage(page)
      await topo.waitLoaded()
      await topo.router('router1').waitFor()
      await topo.instance(VM).waitFor({ state: 'detached', timeout: 30_000 })
    })

    it('logged no console errors and no CSP violations', () => {
      assert.deepEqual(problems, [])
    })
  },
)
