/**
 * Dashboard first paint after login, in headless Chromium (playwright-core, /usr/bin/chromium), against a near-empty
 * page served by the same server. The cloud is a child process like `npm run serve`, whose static root is a temp
 * copy of build/renderer with one extra file, empty.html (serve.js has no option for another dashboard folder, and
 * the build output is not ours to add files to). Each run uses a fresh browser context (no HTTP cache, no session),
 * and the two kinds of run alternate.
 *
 * - login → overview painted: from the login button's click (its event timestamp) to the first frame after the
 *   overview page is in the DOM (requestAnimationFrame, then a task: the frame has been produced). It includes
 *   Keystone's password check (scrypt) and the catalog; the dashboard's own code and rendering are the rest.
 * - first contentful paint of the dashboard (the login form, a cold load of index.html + the JS/CSS bundle) and of
 *   empty.html, from the navigation start (`performance.getEntriesByType('paint')`, the same event a Playwright
 *   trace shows).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/fixtures/browser'
import type { Credentials } from '../e2e/fixtures/cloud'
import { LoginPage } from '../e2e/pages/login-page'
import { median } from './lib/load'
import { makeTempDir, removeTempDir, spawnNode } from './lib/processes'
import { figure, type BenchOutput } from './lib/report'

const RUNS = 7
const WARMUP = 1
const ROOT = path.resolve(__dirname, '../..')
const RENDERER = path.join(ROOT, 'build', 'renderer')
const START_CLOUD_JS = path.join(ROOT, 'build', 'app', 'main', 'cloud', 'start-cloud.js')
const READY = /Dashboard bench cloud is ready: (http:\/\/127\.0\.0\.1:\d+)/

/** One line of text: a blank page has no contentful paint to measure. */
const EMPTY_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body><p>Stackling</p></body></html>\n'

/** What the child runs: start-cloud.ts as serve.ts does, but with `dashboardDir` pointing at the temp copy. */
const CHILD = `
const { startCloud } = require(${JSON.stringify(START_CLOUD_JS)})
const [dataDir, dashboardDir] = process.argv.slice(1)
startCloud({ dataDir, port: 0, dashboardDir }).then((cloud) => {
  process.stdout.write('Dashboard bench cloud is ready: ' + cloud.url + '\\n')
  const stop = () => cloud.stop().then(() => process.exit(0), () => process.exit(1))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}, (err) => {
  process.stderr.write(String(err && err.stack || err) + '\\n')
  process.exit(1)
})
`

// The in-page parts are strings: the bench compiles without the DOM library (tsconfig.node.json), like e2e/.

/**
 * Installed before the click: `window.__benchFrame` resolves with performance.now() of the first frame after
 * `selector` is in the DOM (requestAnimationFrame, then a task, so the frame has been produced), and
 * `window.__benchClick` gets the click event's timestamp (same clock).
 */
const armFrameProbe = (selector: string) => `(() => {
  window.__benchFrame = new Promise((resolve) => {
    const painted = () => requestAnimationFrame(() => {
      const ch = new MessageChannel()
      ch.port1.onmessage = () => resolve(performance.now())
      ch.port2.postMessage(0)
    })
    const mo = new MutationObserver(() => {
      if (!document.querySelector(${JSON.stringify(selector)})) return
      mo.disconnect()
      painted()
    })
    mo.observe(document.body, { childList: true, subtree: true })
  })
  document.addEventListener('click', (e) => { window.__benchClick = e.timeStamp }, { capture: true, once: true })
})()`

/** The frame and click times, and how long the login's POST /identity/v3/auth/tokens took (Resource Timing). */
const FRAME_TIMES = `window.__benchFrame.then((frame) => {
  const auth = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/identity/v3/auth/tokens') && e.startTime >= window.__benchClick)
  return { frame, click: window.__benchClick, auth: auth.length ? auth[0].duration : undefined }
})`

/** FP and FCP of the current document, waiting (up to 5 s) for the FCP entry, which may come after 'load'. */
const PAINT_ENTRIES = `new Promise((resolve) => {
  const get = (name) => { const e = performance.getEntriesByType('paint').find((x) => x.name === name); return e ? e.startTime : undefined }
  const started = performance.now()
  const poll = () => {
    const r = { fp: get('first-paint'), fcp: get('first-contentful-paint') }
    if (r.fcp !== undefined || performance.now() - started > 5000) resolve(r)
    else setTimeout(poll, 10)
  }
  poll()
})`

interface DashboardRun {
  /** Navigation start → first contentful paint of the login form. */
  loginFcp: number
  loginFp?: number
  /** Login click → first frame with the overview. */
  loginToOverview: number
  /** Of which the POST /identity/v3/auth/tokens (request sent → answer read). */
  authMs?: number
}

async function dashboardRun(browser: Browser, url: string, creds: Credentials): Promise<DashboardRun> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
  try {
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    const login = new LoginPage(page)
    await login.goto(url)
    const paint = await page.evaluate<{ fp?: number; fcp?: number }>(PAINT_ENTRIES)
    await login.fill(creds)
    await page.evaluate(armFrameProbe('[data-testid="overview-page"]'))
    await page.getByTestId('login-submit').click()
    const times = await page.evaluate<{ frame: number; click?: number; auth?: number }>(FRAME_TIMES)
    if (times.click === undefined) throw new Error('the login click was not seen by the page')
    if (paint.fcp === undefined) throw new Error('no first-contentful-paint entry for the dashboard')
    return { loginFcp: paint.fcp, loginFp: paint.fp, loginToOverview: times.frame - times.click, authMs: times.auth }
  } finally {
    await context.close()
  }
}

async function emptyRun(browser: Browser, url: string): Promise<{ fcp: number; fp?: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
  try {
    const page: Page = await context.newPage()
    const res = await page.goto(`${url}/empty.html`)
    if (res?.status() !== 200) throw new Error(`GET /empty.html answered ${res?.status()}`)
    if (!(await page.content()).includes('<p>Stackling</p>')) throw new Error('/empty.html was not the empty page (the SPA fallback?)')
    const paint = await page.evaluate<{ fp?: number; fcp?: number }>(PAINT_ENTRIES)
    if (paint.fcp === undefined) throw new Error('no first-contentful-paint entry for the empty page')
    return { fcp: paint.fcp, fp: paint.fp }
  } finally {
    await context.close()
  }
}

export async function runDashboardBench(log: (msg: string) => void): Promise<BenchOutput> {
  if (!existsSync(path.join(RENDERER, 'index.html'))) throw new Error('build/renderer/index.html is missing: run `npm run build:renderer` first')
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: the dashboard bench needs Chromium`)
  const dataDir = makeTempDir('stackling-bench-dashboard-')
  const webRoot = makeTempDir('stackling-bench-dashboard-web-')
  cpSync(RENDERER, webRoot, { recursive: true })
  writeFileSync(path.join(webRoot, 'empty.html'), EMPTY_HTML)

  const cloud = await spawnNode(['-e', CHILD, dataDir, webRoot], READY, { timeoutMs: 30_000 })
  let browser: Browser | undefined
  try {
    const url = cloud.match
    const creds = (JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as Record<string, Credentials>).demo!
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
    log(`${WARMUP} warm-up and ${RUNS} measured runs of each page, alternating, each in a fresh browser context`)
    for (let i = 0; i < WARMUP; i++) {
      await emptyRun(browser, url)
      await dashboardRun(browser, url, creds)
    }
    const dash: DashboardRun[] = []
    const empty: { fcp: number; fp?: number }[] = []
    for (let i = 0; i < RUNS; i++) {
      if (i % 2 === 0) {
        empty.push(await emptyRun(browser, url))
        dash.push(await dashboardRun(browser, url, creds))
      } else {
        dash.push(await dashboardRun(browser, url, creds))
        empty.push(await emptyRun(browser, url))
      }
    }
    const emptyFcp = median(empty.map((r) => r.fcp))
    const loginFcp = median(dash.map((r) => r.loginFcp))
    const overview = median(dash.map((r) => r.loginToOverview))
    const round = (xs: number[]) => xs.map((x) => Math.round(x * 10) / 10)
    const auth = dash.flatMap((r) => (r.authMs === undefined ? [] : [r.authMs]))
    const authMedian = auth.length ? median(auth) : undefined
    const baseline = { label: 'empty.html FCP', value: emptyFcp }
    return {
      name: 'dashboard',
      figures: [
        figure({ id: 'dashboard.overview-after-login', label: 'dashboard: login click → overview painted (median)', unit: 'ms', value: overview, baseline }),
        figure({ id: 'dashboard.fcp', label: 'dashboard first contentful paint (login form, cold load)', unit: 'ms', value: loginFcp, baseline }),
      ],
      raw: {
        runs: RUNS,
        warmup: WARMUP,
        loginToOverviewMs: round(dash.map((r) => r.loginToOverview)),
        authTokensPostMs: round(auth),
        dashboardFcpMs: round(dash.map((r) => r.loginFcp)),
        dashboardFpMs: round(dash.flatMap((r) => (r.loginFp === undefined ? [] : [r.loginFp]))),
        emptyFcpMs: round(empty.map((r) => r.fcp)),
        emptyFpMs: round(empty.flatMap((r) => (r.fp === undefined ? [] : [r.fp]))),
      },
      notes: [
        `Dashboard: login → overview runs ${round(dash.map((r) => r.loginToOverview)).join(', ')} ms; its FCP ${round(dash.map((r) => r.loginFcp)).join(', ')} ms; empty.html FCP ${round(empty.map((r) => r.fcp)).join(', ')} ms.`,
        `The login → overview time is measured from the click event to the first frame after the overview is in the DOM; it includes the password check (POST /identity/v3/auth/tokens, scrypt: median ${authMedian === undefined ? 'n/a' : `${authMedian.toFixed(0)} ms`} as the page saw it) and the overview's first render.`,
        'The ratios compare with the FCP of a one-line page from the same static server (fresh context, cold cache): the floor for putting anything on screen from that server in this browser.',
      ],
    }
  } finally {
    await browser?.close().catch(() => undefined)
    await cloud.stop()
    removeTempDir(webRoot)
    removeTempDir(dataDir)
  }
}
