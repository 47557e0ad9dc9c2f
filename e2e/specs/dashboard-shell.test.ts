import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import WebSocket from 'ws'
import { launchDashboardBrowser } from '../fixtures/browser'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstackJson } from '../fixtures/openstack-cli'
import { LoginPage } from '../pages/login-page'
import { Shell } from '../pages/shell'
import { CloudShellPage } from '../pages/shell-page'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return !alive(pid)
}

/** Opens the cloud shell socket from Node (any Origin), sends `first` once open, and reports how it ended. */
function trySocket(cloud: RunningCloud, origin: string | undefined, first?: object): Promise<{ status?: number; code?: number; reason?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${cloud.url.replace('http', 'ws')}/cloud-shell/v1/socket`, ['stackling-shell.v1'], { headers: origin ? { Origin: origin } : {} })
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }))
    ws.on('error', () => undefined)
    ws.on('open', () => first && ws.send(JSON.stringify(first)))
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
}

describe('dashboard: cloud shell (browser against the real cloud)', { timeout: 180_000 }, () => {
  let cloud: RunningCloud
  let browser: Browser
  let page: Page
  let problems: string[] = []
  let demoProjectId: string
  let shellPage: CloudShellPage

  before(async () => {
    cloud = await startTestCloud({ timeoutMs: 60_000 })
    demoProjectId = (await openstackJson<{ id: string }>(cloud.cloudsYaml, ['--os-cloud', 'stackling', 'project', 'show', 'demo'])).id
    ;({ browser, page, problems } = await launchDashboardBrowser())
  })

  after(async () => {
    await browser?.close()
    const code = await cloud?.stop()
    if (code !== 0 && code !== null && cloud) process.stderr.write(`cloud exited with ${code}:\n${cloud.output()}\n`)
  })

  it("opens a shell where openstack acts as the dashboard's user on its project", async () => {
    const login = new LoginPage(page)
    await login.goto(cloud.url)
    await login.login(cloud.demo)
    await new Shell(page).open('/cloud-shell')
    shellPage = new CloudShellPage(page)
    await shellPage.waitOpen()
    await shellPage.waitForText(/Stackling cloud shell.*as demo on project demo/)
    await shellPage.run('openstack token issue -f value -c project_id')
    await shellPage.waitForText(new RegExp(`^${demoProjectId}$`, 'm'), 60_000)
    // No admin credentials leak into the shell: only the session's own clouds.yaml, 0600, under the data dir.
    await shellPage.run('echo "CFG=$OS_CLIENT_CONFIG_FILE MODE=$(stat -c %a "$OS_CLIENT_CONFIG_FILE") PW=${OS_PASSWORD:-none}"')
    const m = await shellPage.waitForText(/CFG=(\S+) MODE=600 PW=none/)
    assert.ok(m[1]!.startsWith(cloud.dataDir), m[1])
    // swift reads no clouds.yaml: it gets the token and the project's account URL.
    await shellPage.run('echo "SURL=$OS_STORAGE_URL"')
    await shellPage.waitForText(new RegExp(`SURL=${cloud.url}/object-store/v1/AUTH_${demoProjectId}`))
  })

  it('resizes the pty with the window', async () => {
    await shellPage.run('clear; stty size | sed "s/^/SIZE1=/"')
    const [, r1, c1] = (await shellPage.waitForText(/SIZE1=(\d+) (\d+)/)).map(Number)
    await page.setViewportSize({ width: 1000, height: 650 })
    await page.waitForTimeout(300)
    await shellPage.run('stty size | sed "s/^/SIZE2=/"')
    const [, r2, c2] = (await shellPage.waitForText(/SIZE2=(\d+) (\d+)/)).map(Number)
    assert.ok(c2! < c1! && r2! < r1!, `${r1}x${c1} → ${r2}x${c2}`)
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('refuses a websocket from another Origin, without an Origin, or without a valid token', async () => {
    assert.equal((await trySocket(cloud, 'http://evil.example')).status, 403)
    assert.equal((await trySocket(cloud, undefined)).status, 403)
    const origin = new URL(cloud.url).origin
    assert.deepEqual(await trySocket(cloud, origin, { type: 'auth', token: 'not-a-token' }), { code: 4401, reason: 'invalid or expired token' })
    assert.equal((await trySocket(cloud, origin, { type: 'input', data: 'id\r' })).code, 4400)
    // The same from the dashboard's own page: the browser sets the Origin, the token is what is missing.
    const code = await page.evaluate(
      `new Promise((resolve) => {
        const ws = new WebSocket(location.origin.replace('http', 'ws') + '/cloud-shell/v1/socket', ['stackling-shell.v1'])
        ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: 'forged' }))
        ws.onclose = (e) => resolve(e.code)
      })`,
    )
    assert.equal(code, 4401)
  })

  it('runs several tabs, each its own shell; closing a tab ends its process', async () => {
    await shellPage.run('echo "PID1=$$"')
    const pid1 = Number((await shellPage.waitForText(/PID1=(\d+)/))[1])
    await shellPage.newTab()
    await shellPage.waitOpen()
    await shellPage.run('sleep 600 & echo "PID2=$$ JOB=$!"')
    const m2 = await shellPage.waitForText(/PID2=(\d+) JOB=(\d+)/)
    const [pid2, job] = [Number(m2[1]), Number(m2[2])]
    assert.notEqual(pid1, pid2)
    assert.ok(alive(pid1) && alive(pid2) && alive(job))
    // The first tab kept its shell and its screen.
    await shellPage.tab(0).getByTestId('shell-tab-select').click()
    await shellPage.waitForText(/PID1=\d+/)
    await shellPage.closeTab(1)
    assert.ok(await waitGone(pid2), `the second tab's shell (${pid2}) ended`)
    assert.ok(await waitGone(job), `its background job (${job}) ended`)
    assert.ok(alive(pid1), 'the first shell still runs')
    await shellPage.closeTab(0)
    assert.ok(await waitGone(pid1), 'the first shell ended')
    assert.deepEqual(problems, [])
  })
})
