import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { countActiveServers, RunningInstancesMonitor, SessionRefused, type FetchLike } from './running-instances'

const CLOUD = 'http://127.0.0.1:8799'

interface Call {
  url: string
  token: string | undefined
}

/** A fake compute API: `pages` answered in turn (each a status and a body), every call recorded. */
function fakeFetch(answer: (url: string, token: string | undefined, n: number) => { status: number; body?: unknown }) {
  const calls: Call[] = []
  const fetchFn: FetchLike = async (url, init) => {
    const token = init.headers['X-Auth-Token']
    calls.push({ url, token })
    const a = answer(url, token, calls.length)
    return { status: a.status, json: async () => a.body }
  }
  return { calls, fetchFn }
}

const servers = (n: number) => ({ servers: Array.from({ length: n }, (_, i) => ({ id: `s${i}` })) })

describe('countActiveServers', () => {
  it('asks for ACTIVE servers of every project, as admin, and counts them', async () => {
    const { calls, fetchFn } = fakeFetch(() => ({ status: 200, body: servers(3) }))
    assert.equal(await countActiveServers(`${CLOUD}/`, 'tok', fetchFn), 3)
    assert.equal(calls.length, 1)
    const u = new URL(calls[0]!.url)
    assert.equal(u.origin + u.pathname, `${CLOUD}/compute/v2.1/servers`)
    assert.equal(u.searchParams.get('all_tenants'), '1')
    assert.equal(u.searchParams.get('status'), 'ACTIVE')
    assert.equal(calls[0]!.token, 'tok')
  })

  it("follows servers_links on the cloud's own origin, and never elsewhere", async () => {
    const next = `${CLOUD}/compute/v2.1/servers?all_tenants=1&status=ACTIVE&limit=2&marker=s1`
    const { calls, fetchFn } = fakeFetch((url) =>
      url === next ? { status: 200, body: servers(1) } : { status: 200, body: { ...servers(2), servers_links: [{ rel: 'next', href: next }] } },
    )
    assert.equal(await countActiveServers(CLOUD, 'tok', fetchFn), 3)
    assert.equal(calls.length, 2)

    const away = fakeFetch(() => ({ status: 200, body: { ...servers(2), servers_links: [{ rel: 'next', href: 'http://evil.example/compute/v2.1/servers' }] } }))
    assert.equal(await countActiveServers(CLOUD, 'tok', away.fetchFn), 2)
    assert.equal(away.calls.length, 1)
  })

  it('throws SessionRefused on 401 and an Error on anything else unexpected', async () => {
    await assert.rejects(countActiveServers(CLOUD, 'old', fakeFetch(() => ({ status: 401, body: {} })).fetchFn), SessionRefused)
    await assert.rejects(countActiveServers(CLOUD, 't', fakeFetch(() => ({ status: 500, body: {} })).fetchFn), /answered 500/)
    await assert.rejects(countActiveServers(CLOUD, 't', fakeFetch(() => ({ status: 200, body: { nope: 1 } })).fetchFn), /without a servers list/)
  })
})

describe('RunningInstancesMonitor', () => {
  const setup = (answer: Parameters<typeof fakeFetch>[0], opts: { now?: () => number } = {}) => {
    const f = fakeFetch(answer)
    const reports: (number | undefined)[] = []
    const logs: string[] = []
    let sessions = 0
    const monitor = new RunningInstancesMonitor({
      cloudUrl: CLOUD,
      intervalMs: 60_000, // the tests drive it with refresh()
      fetch: f.fetchFn,
      now: opts.now,
      session: async () => {
        sessions++
        return { token: `tok${sessions}`, expiresAt: new Date(Date.UTC(2030, 0, 1, 1)).toISOString() }
      },
      onChange: (n) => void reports.push(n),
      log: (m) => void logs.push(m),
    })
    return { ...f, reports, logs, monitor, sessions: () => sessions }
  }

  it('reports the first count and then only changes, with one token for every request', async () => {
    let active = 1
    const t = setup(() => ({ status: 200, body: servers(active) }), { now: () => Date.UTC(2030, 0, 1, 0) })
    try {
      await t.monitor.refresh()
      await t.monitor.refresh()
      active = 2
      await t.monitor.refresh()
      active = 0
      await t.monitor.refresh()
      assert.deepEqual(t.reports, [1, 2, 0])
      assert.equal(t.sessions(), 1)
      assert.ok(t.calls.every((c) => c.token === 'tok1'))
    } finally {
      t.monitor.dispose()
    }
  })

  it('renews the token shortly before it expires', async () => {
    let now = Date.UTC(2030, 0, 1, 0)
    const t = setup(() => ({ status: 200, body: servers(1) }), { now: () => now })
    try {
      await t.monitor.refresh()
      now = Date.UTC(2030, 0, 1, 0, 59, 30) // 30 s before the 01:00 expiry
      await t.monitor.refresh()
      assert.equal(t.sessions(), 2)
      assert.deepEqual(
        t.calls.map((c) => c.token),
        ['tok1', 'tok2'],
      )
    } finally {
      t.monitor.dispose()
    }
  })

  it('gets a new session when the token is refused, and asks again at once', async () => {
    const t = setup((_url, token) => (token === 'tok1' ? { status: 401, body: {} } : { status: 200, body: servers(4) }), { now: () => Date.UTC(2030, 0, 1, 0) })
    try {
      await t.monitor.refresh()
      assert.deepEqual(t.reports, [4])
      assert.equal(t.sessions(), 2)
    } finally {
      t.monitor.dispose()
    }
  })

  it('reports undefined while the cloud cannot be asked, logs that once, and recovers', async () => {
    let up = false
    const t = setup(() => (up ? { status: 200, body: servers(2) } : { status: 503, body: {} }), { now: () => Date.UTC(2030, 0, 1, 0) })
    try {
      await t.monitor.refresh()
      await t.monitor.refresh()
      up = true
      await t.monitor.refresh()
      assert.deepEqual(t.reports, [undefined, 2])
      assert.equal(t.logs.filter((l) => l.includes('could not count')).length, 1)
      assert.equal(t.logs.filter((l) => l.includes('works again')).length, 1)
    } finally {
      t.monitor.dispose()
    }
  })

  it('joins a count in progress instead of starting a second request', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let calls = 0
    const monitor = new RunningInstancesMonitor({
      cloudUrl: CLOUD,
      intervalMs: 60_000,
      session: async () => ({ token: 't', expiresAt: '2999-01-01T00:00:00Z' }),
      fetch: async () => {
        calls++
        await gate
        return { status: 200, json: async () => servers(1) }
      },
      onChange: () => undefined,
    })
    try {
      const a = monitor.refresh()
      const b = monitor.refresh()
      release()
      await Promise.all([a, b])
      assert.equal(calls, 1)
    } finally {
      monitor.dispose()
    }
  })

  it('counts again by itself every intervalMs, and not after dispose', async () => {
    const reports: (number | undefined)[] = []
    let n = 0
    const monitor = new RunningInstancesMonitor({
      cloudUrl: CLOUD,
      intervalMs: 5,
      session: async () => ({ token: 't', expiresAt: '2999-01-01T00:00:00Z' }),
      fetch: async () => ({ status: 200, json: async () => servers(++n) }),
      onChange: (c) => void reports.push(c),
    })
    monitor.start()
    const deadline = Date.now() + 2000
    while (reports.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    monitor.dispose()
    assert.ok(reports.length >= 3, `only ${reports.length} counts`)
    const after = reports.length
    await new Promise((r) => setTimeout(r, 40))
    assert.equal(reports.length, after)
  })
})
