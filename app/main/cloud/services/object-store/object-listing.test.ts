import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

/** 10,000 objects: prefix, delimiter and marker paging stay exact, through the API and the real `swift list`. */
describe('object listings at 10,000 objects', () => {
  let t: TestCloud
  let token: string
  let acct: string
  const names: string[] = []
  for (let d = 0; d < 100; d++) for (let o = 0; o < 100; o++) names.push(`dir${String(d).padStart(2, '0')}/obj${String(o).padStart(2, '0')}`)
  const swiftEnv = () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }
    for (const line of readFileSync(path.join(t.dataDir, 'demo-openrc.sh'), 'utf8').split('\n')) {
      const m = /^export (\w+)=(?:'([^']*)'|(\S*))$/.exec(line)
      if (m) env[m[1]!] = m[2] ?? m[3] ?? ''
    }
    return env
  }
  const swift = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('swift', args, { env: swiftEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, out, errOut) => (err ? reject(new Error(errOut)) : resolve(out))),
    )

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    token = await t.login(t.demo.username, t.demo.password, t.demo.project)
    const tok = await t.call('GET', '/identity/v3/auth/tokens', { token, headers: { 'X-Subject-Token': token } })
    acct = `${t.url}/object-store/v1/AUTH_${tok.body.token.project.id}`
    await fetch(`${acct}/big`, { method: 'PUT', headers: { 'X-Auth-Token': token } })
    // Shuffled, 32 at a time: the order of the listing must come from the store, not from the inserts.
    const order = [...names].sort(() => Math.random() - 0.5)
    let next = 0
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < order.length) {
          const n = order[next++]!
          const r = await fetch(`${acct}/big/${n}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: n })
          if (r.status !== 201) throw new Error(`PUT ${n}: ${r.status}`)
        }
      }),
    )
  })
  after(() => t.close())

  const json = async (q: string) => (await (await fetch(`${acct}/big?format=json&${q}`, { headers: { 'X-Auth-Token': token } })).json()) as { name?: string; subdir?: string }[]

  it('pages with marker and limit through every name, in order, exactly once', async () => {
    const seen: string[] = []
    let marker = ''
    for (;;) {
      const page = await json(`limit=777&marker=${encodeURIComponent(marker)}`)
      if (!page.length) break
      seen.push(...page.map((p) => p.name!))
      marker = seen[seen.length - 1]!
    }
    assert.deepEqual(seen, names)
    const head = await fetch(`${acct}/big`, { method: 'HEAD', headers: { 'X-Auth-Token': token } })
    assert.equal(head.headers.get('x-container-object-count'), '10000')
  })

  it('folds pseudo-folders with delimiter, filters by prefix, honours end_marker and reverse', async () => {
    const dirs = await json('delimiter=/')
    assert.equal(dirs.length, 100)
    assert.deepEqual(dirs.slice(0, 2), [{ subdir: 'dir00/' }, { subdir: 'dir01/' }])
    assert.deepEqual((await json('delimiter=/&limit=10&marker=dir09/')).map((d) => d.subdir), Array.from({ length: 10 }, (_, i) => `dir${10 + i}/`))
    const in42 = await json('prefix=dir42/')
    assert.equal(in42.length, 100)
    assert.ok(in42.every((o) => o.name!.startsWith('dir42/')))
    assert.deepEqual((await json('marker=dir10/obj98&end_marker=dir11/obj02')).map((o) => o.name), ['dir10/obj99', 'dir11/obj00', 'dir11/obj01'])
    assert.deepEqual((await json('reverse=true&limit=2')).map((o) => o.name), ['dir99/obj99', 'dir99/obj98'])
  })

  it('swift list returns all 10,000 names and respects --prefix and --delimiter', async () => {
    assert.deepEqual((await swift(['list', 'big'])).trim().split('\n'), names)
    assert.equal((await swift(['list', '--prefix', 'dir07/', 'big'])).trim().split('\n').length, 100)
    assert.equal((await swift(['list', '--delimiter', '/', 'big'])).trim().split('\n').length, 100)
  })
})
