import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { readdirSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

function rawPut(url: string, token: string, body: string): Promise<number> {
  const u = new URL(url)
  const pathOnly = url.slice(u.origin.length)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: pathOnly, headers: { 'X-Auth-Token': token, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(body)
  })
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex')

describe('object store (Swift v1) API', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let demoProject: string
  let adminProject: string
  let acct: string
  const call = (method: string, p: string, opts: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {}) =>
    fetch(t.url + p, { method, headers: { ...(opts.token ? { 'X-Auth-Token': opts.token } : {}), ...opts.headers }, body: opts.body })

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, t.admin.project)
    demo = await t.login(t.demo.username, t.demo.password, t.demo.project)
    const tok = await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })
    demoProject = tok.body.token.project.id
    const tokA = await t.call('GET', '/identity/v3/auth/tokens', { token: admin, headers: { 'X-Subject-Token': admin } })
    adminProject = tokA.body.token.project.id
    acct = `/object-store/v1/AUTH_${demoProject}`
  })
  after(() => t.close())

  it('serves /info with the capabilities clients look for', async () => {
    const info = await (await call('GET', '/object-store/info')).json() as any
    for (const k of ['swift', 'slo', 'tempurl', 'container_quotas']) assert.ok(info[k], k)
    assert.equal(info.swift.container_listing_limit, 10000)
  })

  it('creates containers, stores objects with md5 ETags, lists and reports usage', async () => {
    assert.equal((await call('PUT', `${acct}/docs`, { token: demo, headers: { 'X-Container-Meta-Color': 'blue' } })).status, 201)
    assert.equal((await call('PUT', `${acct}/docs`, { token: demo })).status, 202)
    const data = Buffer.from('hello swift')
    const put = await call('PUT', `${acct}/docs/a/b.txt`, { token: demo, body: data, headers: { 'Content-Disposition': 'attachment', 'X-Object-Meta-Kind': 'greeting' } })
    assert.equal(put.status, 201)
    assert.equal(put.headers.get('etag'), md5(data))
    const get = await call('GET', `${acct}/docs/a/b.txt`, { token: demo })
    assert.equal(await get.text(), 'hello swift')
    assert.equal(get.headers.get('etag'), md5(data))
    assert.equal(get.headers.get('content-type'), 'text/plain')
    assert.equal(get.headers.get('content-disposition'), 'attachment')
    assert.equal(get.headers.get('x-object-meta-kind'), 'greeting')
    const head = await call('HEAD', `${acct}/docs/a/b.txt`, { token: demo })
    assert.equal(head.headers.get('content-length'), String(data.length))
    const c = await call('HEAD', `${acct}/docs`, { token: demo })
    assert.equal(c.headers.get('x-container-object-count'), '1')
    assert.equal(c.headers.get('x-container-bytes-used'), String(data.length))
    assert.equal(c.headers.get('x-container-meta-color'), 'blue')
    const a = await call('HEAD', acct, { token: demo })
    assert.equal(a.headers.get('x-account-container-count'), '1')
    assert.equal(a.headers.get('x-account-bytes-used'), String(data.length))
    const list = await (await call('GET', `${acct}?format=json`, { token: demo })).json() as any
    assert.equal(list[0].name, 'docs')
    const xml = await (await call('GET', `${acct}/docs?format=xml`, { token: demo })).text()
    assert.match(xml, /<name>a\/b.txt<\/name>/)
    assert.equal((await call('DELETE', `${acct}/docs`, { token: demo })).status, 409)
    assert.equal((await call('PUT', `${acct}/docs/a/b.txt`, { token: demo, body: 'x', headers: { 'If-None-Match': '*' } })).status, 412)
  })

  it('refuses a body that does not match its ETag with 422 and keeps nothing', async () => {
    const r = await call('PUT', `${acct}/docs/bad`, { token: demo, body: 'abc', headers: { ETag: md5('abd') } })
    assert.equal(r.status, 422)
    assert.equal((await call('HEAD', `${acct}/docs/bad`, { token: demo })).status, 404)
    assert.deepEqual(readdirSync(path.join(t.dataDir, 'objects', '.incoming')), [])
  })

  it('accepts chunked transfer encoding (no Content-Length) and refuses a PUT with neither (411)', async () => {
    const parts = ['chunk-one;', 'chunk-two;', 'chunk-three']
    const body = new ReadableStream({
      start(controller) {
        for (const p of parts) controller.enqueue(new TextEncoder().encode(p))
        controller.close()
      },
    })
    const r = await fetch(`${t.url}${acct}/docs/chunked`, { method: 'PUT', headers: { 'X-Auth-Token': demo }, body, duplex: 'half' } as RequestInit)
    assert.equal(r.status, 201)
    assert.equal(r.headers.get('etag'), md5(parts.join('')))
    assert.equal(await (await call('GET', `${acct}/docs/chunked`, { token: demo })).text(), parts.join(''))
    const u = new URL(t.url)
    // Raw bytes: Node's client would add Content-Length: 0 itself.
    const status = await new Promise<number>((resolve, reject) => {
      const sock = net.connect(Number(u.port), u.hostname, () => {
        sock.write(`PUT ${acct}/docs/nolength HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${demo}\r\nConnection: close\r\n\r\n`)
      })
      let reply = ''
      sock.on('data', (d) => (reply += d))
      sock.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(reply)?.[1] ?? 0)))
      sock.on('error', reject)
    })
    assert.equal(status, 411)
  })

  it('lists with prefix, delimiter, marker, end_marker, limit and reverse', async () => {
    await call('PUT', `${acct}/list`, { token: demo })
    for (const n of ['a1', 'a2', 'b/1', 'b/2', 'c/x/1', 'd']) await call('PUT', `${acct}/list/${n}`, { token: demo, body: n })
    const names = async (q: string) => (await (await call('GET', `${acct}/list?format=json&${q}`, { token: demo })).json() as any).map((e: any) => e.name ?? e.subdir)
    assert.deepEqual(await names('delimiter=/'), ['a1', 'a2', 'b/', 'c/', 'd'])
    assert.deepEqual(await names('delimiter=/&marker=b/'), ['c/', 'd'])
    assert.deepEqual(await names('prefix=b/&delimiter=/'), ['b/1', 'b/2'])
    assert.deepEqual(await names('prefix=c/&delimiter=/'), ['c/x/'])
    assert.deepEqual(await names('marker=a2&end_marker=c/x/1'), ['b/1', 'b/2'])
    assert.deepEqual(await names('limit=2'), ['a1', 'a2'])
    assert.deepEqual(await names('reverse=true&limit=3'), ['d', 'c/x/1', 'b/2'])
    assert.deepEqual(await names('reverse=true&delimiter=/'), ['d', 'c/', 'b/', 'a2', 'a1'])
    const plain = await (await call('GET', `${acct}/list?prefix=a`, { token: demo })).text()
    assert.equal(plain, 'a1\na2\n')
  })

  it('serves ranges (one and several) and conditional requests', async () => {
    await call('PUT', `${acct}/docs/digits`, { token: demo, body: '0123456789' })
    const one = await call('GET', `${acct}/docs/digits`, { token: demo, headers: { Range: 'bytes=2-4' } })
    assert.equal(one.status, 206)
    assert.equal(await one.text(), '234')
    assert.equal(one.headers.get('content-range'), 'bytes 2-4/10')
    const suffix = await call('GET', `${acct}/docs/digits`, { token: demo, headers: { Range: 'bytes=-3' } })
    assert.equal(await suffix.text(), '789')
    const multi = await call('GET', `${acct}/docs/digits`, { token: demo, headers: { Range: 'bytes=0-1,8-' } })
    assert.equal(multi.status, 206)
    assert.match(multi.headers.get('content-type')!, /^multipart\/byteranges;boundary=/)
    const body = await multi.text()
    assert.match(body, /Content-Range: bytes 0-1\/10\r\n\r\n01\r\n/)
    assert.match(body, /Content-Range: bytes 8-9\/10\r\n\r\n89\r\n--/)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { Range: 'bytes=20-' } })).status, 416)
    const etag = md5('0123456789')
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { 'If-None-Match': `"${etag}"` } })).status, 304)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { 'If-Match': '"nope"' } })).status, 412)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { 'If-Match': etag } })).status, 200)
    const future = new Date(Date.now() + 3600_000).toUTCString()
    const past = new Date(Date.now() - 3600_000).toUTCString()
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { 'If-Modified-Since': future } })).status, 304)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: demo, headers: { 'If-Unmodified-Since': past } })).status, 412)
  })

  it('copies (COPY and X-Copy-From), updates metadata with POST, expires objects', async () => {
    await call('PUT', `${acct}/docs/src`, { token: demo, body: 'copy me', headers: { 'X-Object-Meta-A': '1', 'Content-Type': 'text/x-src' } })
    assert.equal((await call('COPY', `${acct}/docs/src`, { token: demo, headers: { Destination: 'docs/dst1' } })).status, 201)
    assert.equal((await call('PUT', `${acct}/docs/dst2`, { token: demo, headers: { 'X-Copy-From': '/docs/src', 'Content-Length': '0' } })).status, 201)
    for (const d of ['dst1', 'dst2']) {
      const r = await call('GET', `${acct}/docs/${d}`, { token: demo })
      assert.equal(await r.text(), 'copy me')
      assert.equal(r.headers.get('x-object-meta-a'), '1')
      assert.equal(r.headers.get('content-type'), 'text/x-src')
    }
    assert.equal((await call('POST', `${acct}/docs/src`, { token: demo, headers: { 'X-Object-Meta-B': '2' } })).status, 202)
    const h = await call('HEAD', `${acct}/docs/src`, { token: demo })
    assert.equal(h.headers.get('x-object-meta-b'), '2')
    assert.equal(h.headers.get('x-object-meta-a'), null)
    await call('PUT', `${acct}/docs/ephemeral`, { token: demo, body: 'x', headers: { 'X-Delete-At': String(Math.floor(Date.now() / 1000) + 1) } })
    assert.equal((await call('GET', `${acct}/docs/ephemeral`, { token: demo })).status, 200)
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await call('GET', `${acct}/docs/ephemeral`, { token: demo })).status, 404)
    assert.equal((await call('PUT', `${acct}/docs/bad-exp`, { token: demo, body: 'x', headers: { 'X-Delete-At': '10' } })).status, 400)
  })

  it('keeps names with ../ and any UTF-8 as names inside their container', async () => {
    await call('PUT', `${acct}/names`, { token: demo })
    const name = '../../../etc/é 名前/../x'
    const enc = encodeURIComponent(name)
    // Dots sent raw, as swiftclient does (fetch would resolve them): the gateway must not resolve them either.
    const rawName = '../../x'
    assert.equal(await rawPut(`${t.url}${acct}/names/${rawName}`, demo, 'raw'), 201)
    assert.equal((await call('PUT', `${acct}/names/${enc}`, { token: demo, body: 'dots' })).status, 201)
    const list = await (await call('GET', `${acct}/names?format=json&prefix=..`, { token: demo })).json() as any
    assert.deepEqual(list.map((o: any) => o.name).sort(), [rawName, name].sort())
    assert.equal(await (await call('GET', `${acct}/names/${enc}`, { token: demo })).text(), 'dots')
    for (const f of readdirSync(path.join(t.dataDir, 'objects', 'data'))) assert.match(f, /^[0-9a-f-]{36}$/)
    assert.equal((await call('PUT', `${acct}/names/${'x'.repeat(1025)}`, { token: demo, body: 'x' })).status, 400)
  })

  it('isolates projects: 403 for another project, admins reach any account, anonymous 401', async () => {
    const adminAcct = `/object-store/v1/AUTH_${adminProject}`
    assert.equal((await call('PUT', `${adminAcct}/secret`, { token: admin })).status, 201)
    assert.equal((await call('GET', adminAcct, { token: demo })).status, 403)
    assert.equal((await call('PUT', `${adminAcct}/secret/x`, { token: demo, body: 'x' })).status, 403)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: admin })).status, 200)
    assert.equal((await call('GET', `${acct}/docs/digits`)).status, 401)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: 'bogus' })).status, 401)
  })

  it('public-read containers (.r:*, .rlistings) and X-Container-Read/Write ACLs', async () => {
    await call('PUT', `${acct}/pub`, { token: demo, headers: { 'X-Container-Read': '.r:*' } })
    await call('PUT', `${acct}/pub/file`, { token: demo, body: 'public' })
    assert.equal(await (await call('GET', `${acct}/pub/file`)).text(), 'public')
    assert.equal((await call('GET', `${acct}/pub`)).status, 401)
    assert.equal((await call('PUT', `${acct}/pub/anon`, { body: 'x' })).status, 401)
    await call('POST', `${acct}/pub`, { token: demo, headers: { 'X-Container-Read': '.r:*,.rlistings' } })
    assert.equal(await (await call('GET', `${acct}/pub`)).text(), 'file\n')
    assert.equal((await call('HEAD', `${acct}/pub`)).headers.get('x-container-read'), null)
    await call('PUT', `${acct}/shared`, { token: demo, headers: { 'X-Container-Write': `${adminProject}:*` } })
    assert.equal((await call('PUT', `${acct}/shared/from-admin-project`, { token: admin, body: 'x' })).status, 201)
    assert.equal((await call('PUT', `${acct}/shared`, { token: demo, headers: { 'X-Container-Read': 'bad acl with space' } })).status, 400)
  })

  it('TempURL: HMAC-SHA256 and SHA1 signatures open one object until they expire', async () => {
    await call('POST', acct, { token: demo, headers: { 'X-Account-Meta-Temp-URL-Key': 'sekrit' } })
    const objPath = `${acct}/docs/digits`
    const expires = Math.floor(Date.now() / 1000) + 60
    for (const [alg, p] of [['sha256', objPath], ['sha1', objPath.replace('/object-store', '')]] as const) {
      const sig = createHmac(alg, 'sekrit').update(`GET\n${expires}\n${p}`).digest('hex')
      const r = await call('GET', `${objPath}?temp_url_sig=${sig}&temp_url_expires=${expires}`)
      assert.equal(r.status, 200, alg)
      assert.equal(await r.text(), '0123456789')
    }
    const sig = createHmac('sha256', 'sekrit').update(`GET\n${expires}\n${objPath}`).digest('hex')
    assert.equal((await call('GET', `${acct}/docs/src?temp_url_sig=${sig}&temp_url_expires=${expires}`)).status, 401)
    const old = Math.floor(Date.now() / 1000) - 1
    const oldSig = createHmac('sha256', 'sekrit').update(`GET\n${old}\n${objPath}`).digest('hex')
    assert.equal((await call('GET', `${objPath}?temp_url_sig=${oldSig}&temp_url_expires=${old}`)).status, 401)
    const putSig = createHmac('sha256', 'sekrit').update(`PUT\n${expires}\n${acct}/docs/uploaded`).digest('hex')
    assert.equal((await call('PUT', `${acct}/docs/uploaded?temp_url_sig=${putSig}&temp_url_expires=${expires}`, { body: 'up' })).status, 201)
  })

  it('enforces container quotas (bytes and count) with 413', async () => {
    await call('PUT', `${acct}/quota`, { token: demo, headers: { 'X-Container-Meta-Quota-Bytes': '10', 'X-Container-Meta-Quota-Count': '2' } })
    assert.equal((await call('PUT', `${acct}/quota/a`, { token: demo, body: '12345' })).status, 201)
    assert.equal((await call('PUT', `${acct}/quota/b`, { token: demo, body: '123456' })).status, 413)
    assert.equal((await call('PUT', `${acct}/quota/b`, { token: demo, body: '1' })).status, 201)
    assert.equal((await call('PUT', `${acct}/quota/c`, { token: demo, body: '1' })).status, 413)
  })

  it('static and dynamic large objects', async () => {
    await call('PUT', `${acct}/segs`, { token: demo })
    const parts = ['aaaa', 'bbbb', 'cc']
    for (const [i, p] of parts.entries()) await call('PUT', `${acct}/segs/big/${i}`, { token: demo, body: p })
    const manifest = parts.map((p, i) => ({ path: `/segs/big/${i}`, etag: md5(p), size_bytes: p.length }))
    const put = await call('PUT', `${acct}/docs/slo?multipart-manifest=put`, { token: demo, body: JSON.stringify(manifest) })
    assert.equal(put.status, 201)
    const get = await call('GET', `${acct}/docs/slo`, { token: demo })
    assert.equal(await get.text(), 'aaaabbbbcc')
    assert.equal(get.headers.get('x-static-large-object'), 'True')
    assert.equal(get.headers.get('etag'), `"${md5(parts.map(md5).join(''))}"`)
    const range = await call('GET', `${acct}/docs/slo`, { token: demo, headers: { Range: 'bytes=3-8' } })
    assert.equal(await range.text(), 'abbbbc')
    const m = await (await call('GET', `${acct}/docs/slo?multipart-manifest=get`, { token: demo })).json() as any
    assert.equal(m.length, 3)
    const bad = await call('PUT', `${acct}/docs/slo2?multipart-manifest=put`, { token: demo, body: JSON.stringify([{ path: '/segs/big/0', etag: 'x' }]) })
    assert.equal(bad.status, 400)
    await call('PUT', `${acct}/docs/dlo`, { token: demo, body: '', headers: { 'X-Object-Manifest': 'segs/big/' } })
    assert.equal(await (await call('GET', `${acct}/docs/dlo`, { token: demo })).text(), 'aaaabbbbcc')
    assert.equal((await call('DELETE', `${acct}/docs/slo?multipart-manifest=delete`, { token: demo })).status, 200)
    assert.equal((await call('HEAD', `${acct}/segs/big/0`, { token: demo })).status, 404)
  })

  it('versions objects: X-Versions-Location (stack) and X-History-Location (history)', async () => {
    await call('PUT', `${acct}/archive`, { token: demo })
    await call('PUT', `${acct}/stack`, { token: demo, headers: { 'X-Versions-Location': 'archive' } })
    for (const v of ['v1', 'v2', 'v3']) await call('PUT', `${acct}/stack/doc`, { token: demo, body: v })
    const archived = await (await call('GET', `${acct}/archive?format=json`, { token: demo })).json() as any
    assert.deepEqual(archived.map((o: any) => o.name.replace(/\/[\d.]+$/, '')), ['003doc', '003doc'])
    assert.equal((await call('DELETE', `${acct}/stack/doc`, { token: demo })).status, 204)
    assert.equal(await (await call('GET', `${acct}/stack/doc`, { token: demo })).text(), 'v2')
    await call('DELETE', `${acct}/stack/doc`, { token: demo })
    assert.equal(await (await call('GET', `${acct}/stack/doc`, { token: demo })).text(), 'v1')
    await call('DELETE', `${acct}/stack/doc`, { token: demo })
    assert.equal((await call('GET', `${acct}/stack/doc`, { token: demo })).status, 404)

    await call('PUT', `${acct}/hist`, { token: demo, headers: { 'X-History-Location': 'archive' } })
    await call('PUT', `${acct}/hist/h`, { token: demo, body: 'h1' })
    await call('PUT', `${acct}/hist/h`, { token: demo, body: 'h2' })
    assert.equal((await call('DELETE', `${acct}/hist/h`, { token: demo })).status, 204)
    assert.equal((await call('GET', `${acct}/hist/h`, { token: demo })).status, 404)
    const hist = await (await call('GET', `${acct}/archive?format=json&prefix=001h/`, { token: demo })).json() as any
    assert.equal(hist.length, 2)
  })

  it('reader role reads but cannot write', async () => {
    const users = await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'swift-reader', password: 'pw-reader-1', domain_id: 'default' } } })
    const roles = await t.call('GET', '/identity/v3/roles?name=reader', { token: admin })
    await t.call('PUT', `/identity/v3/projects/${demoProject}/users/${users.body.user.id}/roles/${roles.body.roles[0].id}`, { token: admin })
    const reader = await t.login('swift-reader', 'pw-reader-1', t.demo.project)
    assert.equal((await call('GET', `${acct}/docs/digits`, { token: reader })).status, 200)
    assert.equal((await call('PUT', `${acct}/docs/nope`, { token: reader, body: 'x' })).status, 403)
    assert.equal((await call('DELETE', `${acct}/docs/digits`, { token: reader })).status, 403)
  })
})
