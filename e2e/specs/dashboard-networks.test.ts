import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { LoginPage } from '../pages/login-page'
import { ApiDrawer } from '../pages/api-drawer'
import { NetworkDetailPage, NetworksPage } from '../pages/networks-page'
import { PortsPage } from '../pages/ports-page'
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

  it("adds and deletes subnets on a network's page", async () => {
    const nets = new NetworksPage(page)
    await nets.create({ name: 'e2e-subnets', cidr: '10.78.0.0/24' })
    await nets.dialog.waitFor({ state: 'detached' })
    const detail = new NetworkDetailPage(page)
    await detail.open(nets, 'e2e-subnets')
    await detail.subnet('10.78.0.0/24').waitFor()
    // An overlapping range is refused before anything is sent.
    await detail.createSubnet({ cidr: '10.78.0.0/16' })
    assert.match((await detail.subnetDialog.getByTestId('field-error').first().textContent()) ?? '', /Overlaps 10\.78\.0\.0\/24/)
    await detail.subnetDialog.getByTestId('subnet-cidr').fill('10.79.0.0/24')
    await detail.subnetDialog.getByTestId('subnet-dns').fill('9.9.9.9')
    await detail.subnetDialog.getByTestId('subnet-pool-start').fill('10.79.0.10')
    await detail.subnetDialog.getByTestId('subnet-pool-end').fill('10.79.0.20')
    await detail.subnetDialog.getByTestId('subnet-dhcp').uncheck()
    assert.match(
      (await detail.subnetDialog.getByTestId('subnet-cli').textContent()) ?? '',
      /openstack subnet create --network e2e-subnets --subnet-range 10\.79\.0\.0\/24 --no-dhcp --dns-nameserver 9\.9\.9\.9 --allocation-pool start=10\.79\.0\.10,end=10\.79\.0\.20 e2e-subnets-subnet/,
    )
    await detail.subnetDialog.getByTestId('create-subnet-submit').click()
    await detail.subnetDialog.waitFor({ state: 'detached' })
    const added = detail.subnet('10.79.0.0/24')
    await added.waitFor()
    assert.match((await added.textContent()) ?? '', /10\.79\.0\.10 – 10\.79\.0\.20/)
    assert.equal((await added.getByTestId('subnet-dhcp-cell').textContent())?.trim(), 'off')
    await detail.deleteSubnet('10.79.0.0/24')
    await added.waitFor({ state: 'detached' })
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const del = drawer.calls.filter({ hasText: 'openstack subnet delete' }).first()
    assert.equal((await drawer.status(del).textContent())?.trim(), '204')
    await drawer.close()
    await detail.back()
    await nets.row('e2e-subnets').waitFor()
  })

  it('lists ports with filters, creates one with chosen security groups, edits them and deletes it', async () => {
    const shell = new Shell(page)
    await shell.open('/network/ports')
    const ports = new PortsPage(page)
    await ports.waitLoaded()
    // router1's interface on private is the subnet's gateway address, bound: ACTIVE.
    await ports.filter({ network: 'private', owner: 'Router interfaces' })
    const iface = ports.rowByIp('10.0.0.1')
    await iface.waitFor()
    assert.equal(await iface.getAttribute('data-status'), 'ACTIVE')
    assert.equal(await iface.getByTestId('delete-port').isDisabled(), false, 'an admin may, after a warning')
    assert.equal(await iface.getByTestId('edit-port-groups').isDisabled(), true)
    const drawer = new ApiDrawer(page)
    await drawer.open()
    const list = drawer.calls.filter({ hasText: 'openstack port list --network' }).first()
    assert.match((await drawer.cli(list).textContent()) ?? '', /^\$ openstack port list --network \S+ --device-owner network:router_interface$/)
    await drawer.close()

    await ports.filter({ network: 'e2e-subnets', owner: 'Any' })
    await ports.root.getByTestId('create-port').click()
    await ports.createDialog.waitFor()
    await ports.createDialog.getByTestId('port-name').fill('e2e-port')
    await ports.createDialog.getByTestId('port-ip').fill('10.78.0.50')
    assert.match((await ports.createDialog.getByTestId('port-cli').textContent()) ?? '', /openstack port create --network \S+ --fixed-ip ip-address=10\.78\.0\.50 --security-group \S+ e2e-port/)
    await ports.createDialog.getByTestId('create-port-submit').click()
    await ports.createDialog.waitFor({ state: 'detached' })
    const row = ports.rowByName('e2e-port')
    await row.waitFor()
    assert.equal(await row.getAttribute('data-status'), 'DOWN', 'nothing uses it yet')
    assert.match((await row.textContent()) ?? '', /default/)

    await row.getByTestId('edit-port-groups').click()
    await ports.groupsDialog.waitFor()
    await ports.groupsDialog.locator('[data-testid="port-group"][data-name="default"] input').uncheck()
    assert.match((await ports.groupsDialog.getByTestId('port-groups-cli').textContent()) ?? '', /openstack port set --no-security-group \S+$/)
    await ports.groupsDialog.getByTestId('port-groups-submit').click()
    await ports.groupsDialog.waitFor({ state: 'detached' })
    await row.filter({ hasNotText: 'default' }).waitFor()

    await row.getByTestId('delete-port').click()
    await page.getByTestId('confirm-dialog').getByTestId('confirm-button').click()
    await row.waitFor({ state: 'detached' })

    await shell.open('/network/networks')
    const nets = new NetworksPage(page)
    await nets.waitLoaded()
    await nets.delete('e2e-subnets')
    await nets.row('e2e-subnets').waitFor({ state: 'detached' })
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
