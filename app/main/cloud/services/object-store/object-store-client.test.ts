import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { Logger } from '../../platform/log'
import { DataPaths } from '../../platform/paths'
import { PolicyEnforcer } from '../../platform/policy'
import { loadConfig } from '../../platform/config'
import type { AuthContext } from '../../platform/auth-context'
import type { ServiceClients } from '../clients'
import { createObjectStoreService } from './index'
import { authorize, validTempUrl } from './access'
import { checkConditions, parseRange } from './api/http-conditions'

describe('ObjectStoreClient (what volume backups and the image store use)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-osc-'))
  let db: Database
  let service: Awaited<ReturnType<typeof createObjectStoreService>>
  before(async () => {
    db = await Database.open(path.join(dir, 'db.sqlite'))
    const policy = new PolicyEnforcer()
    service = await createObjectStoreService({
      db,
      paths: new DataPaths(dir),
      log: new Logger(undefined),
      policy,
      config: loadConfig({}, {}),
      baseUrl: () => 'http://127.0.0.1:1',
      catalog: () => [],
      clients: {} as ServiceClients,
    })
    policy.register(service.policies)
    await migrate(db, service.migrations)
    await service.start!()
  })
  after(async () => {
    await service.stop!()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('puts a stream, gets it back, lists and deletes', async () => {
    const c = service.client
    await c.ensureContainer('p1', 'backups')
    await c.ensureContainer('p1', 'backups')
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 7)
    const put = await c.putObject('p1', 'backups', 'vol-1/chunk-0', Readable.from([data]), { metadata: { Volume: 'vol-1' }, size: data.length })
    assert.equal(put.etag, createHash('md5').update(data).digest('hex'))
    const got = await c.getObject('p1', 'backups', 'vol-1/chunk-0')
    assert.ok(got)
    const chunks: Buffer[] = []
    for await (const ch of got.open()) chunks.push(ch as Buffer)
    assert.ok(Buffer.concat(chunks).equals(data))
    assert.deepEqual((await c.listObjects('p1', 'backups', 'vol-1/')).map((o) => o.name), ['vol-1/chunk-0'])
    await c.deleteObject('p1', 'backups', 'vol-1/chunk-0')
    await c.deleteObject('p1', 'backups', 'vol-1/chunk-0')
    assert.equal(await c.getObject('p1', 'backups', 'vol-1/chunk-0'), undefined)
    await assert.rejects(c.putObject('p1', 'missing', 'x', Readable.from([Buffer.from('x')])), /could not be found/)
  })
})

describe('access rules', () => {
  const policy = new PolicyEnforcer()
  policy.register({ 'object-store:read': (ctx, t) => ctx.roles.includes('reader') && t.project_id === ctx.projectId, 'object-store:write': (ctx, t) => ctx.roles.includes('member') && t.project_id === ctx.projectId })
  const user = (projectId: string, roles: string[]) => ({ userId: 'u', userName: 'alice', projectId, projectName: 'pn', roles }) as unknown as AuthContext

  it('owner by policy, others by ACL, anonymous only through .r:*', () => {
    assert.deepEqual(authorize(policy, { ctx: user('p1', ['member', 'reader']) }, 'p1', 'write'), { owner: true })
    assert.throws(() => authorize(policy, { ctx: user('p1', ['reader']) }, 'p1', 'write'), /denied/)
    assert.throws(() => authorize(policy, { ctx: user('p2', ['member', 'reader']) }, 'p1', 'read'), /denied/)
    assert.deepEqual(authorize(policy, { ctx: user('p2', ['member']) }, 'p1', 'read', { 'x-container-read': 'p2:u' }), { owner: false })
    assert.deepEqual(authorize(policy, { ctx: user('p2', ['member']) }, 'p1', 'write', { 'x-container-write': 'pn:alice' }), { owner: false })
    assert.throws(() => authorize(policy, { ctx: undefined }, 'p1', 'read', {}), /authorized/)
    assert.deepEqual(authorize(policy, { ctx: undefined }, 'p1', 'read', { 'x-container-read': '.r:*' }), { owner: false })
    assert.throws(() => authorize(policy, { ctx: undefined }, 'p1', 'list', { 'x-container-read': '.r:*' }))
    assert.deepEqual(authorize(policy, { ctx: undefined }, 'p1', 'list', { 'x-container-read': '.r:*,.rlistings' }), { owner: false })
    assert.throws(() => authorize(policy, { ctx: undefined }, 'p1', 'write', { 'x-container-read': '.r:*', 'x-container-write': '.r:*' }))
    assert.deepEqual(authorize(policy, { ctx: undefined, referer: 'https://www.example.com/x' }, 'p1', 'read', { 'x-container-read': '.r:.example.com' }), { owner: false })
    assert.throws(() => authorize(policy, { ctx: undefined, referer: 'https://evil.org/' }, 'p1', 'read', { 'x-container-read': '.r:.example.com' }))
  })

  it('TempURL signatures: hex sha1/sha256/sha512, prefixed base64, expiry, method', () => {
    const p = '/v1/AUTH_p1/c/o'
    const exp = String(Math.floor(Date.now() / 1000) + 60)
    const sig = (alg: string, method = 'GET') => createHmac(alg, 'k').update(`${method}\n${exp}\n${p}`).digest()
    for (const alg of ['sha1', 'sha256', 'sha512']) assert.ok(validTempUrl({ method: 'GET', sig: sig(alg).toString('hex'), expires: exp, paths: [p], keys: ['k'] }), alg)
    assert.ok(validTempUrl({ method: 'GET', sig: 'sha256:' + sig('sha256').toString('base64url'), expires: exp, paths: [p], keys: ['other', 'k'] }))
    assert.ok(validTempUrl({ method: 'HEAD', sig: sig('sha256').toString('hex'), expires: exp, paths: [p], keys: ['k'] }))
    assert.ok(!validTempUrl({ method: 'PUT', sig: sig('sha256').toString('hex'), expires: exp, paths: [p], keys: ['k'] }))
    assert.ok(!validTempUrl({ method: 'GET', sig: sig('sha256').toString('hex'), expires: exp, paths: ['/v1/AUTH_p1/c/other'], keys: ['k'] }))
    assert.ok(!validTempUrl({ method: 'GET', sig: sig('sha256').toString('hex'), expires: exp, paths: [p], keys: ['k'], now: Number(exp) + 1 }))
    assert.ok(!validTempUrl({ method: 'GET', sig: sig('md5' as string).toString('hex'), expires: exp, paths: [p], keys: ['k'] }))
  })

  it('ranges and conditions', () => {
    assert.deepEqual(parseRange('bytes=0-0,-1', 10), [{ start: 0, end: 0 }, { start: 9, end: 9 }])
    assert.deepEqual(parseRange('bytes=5-100', 10), [{ start: 5, end: 9 }])
    assert.equal(parseRange('items=0-1', 10), undefined)
    assert.equal(parseRange('bytes=5-2', 10), undefined)
    assert.throws(() => parseRange('bytes=10-', 10), /not satisfiable/)
    assert.equal(checkConditions({ 'if-none-match': '*' }, 'e', 100, true), 304)
    assert.throws(() => checkConditions({ 'if-none-match': '*' }, 'e', 100, false), /precondition/)
    assert.equal(checkConditions({ 'if-match': '"a", "e"' }, 'e', 100, true), undefined)
  })
})
