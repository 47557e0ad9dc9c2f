import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Gateway } from './gateway'
import { Router } from './router'
import { Logger } from '../log'
import { PolicyEnforcer } from '../policy'
import { Unauthorized } from '../errors'
import type { AuthContext } from '../auth-context'
import type { Service } from '../../services/service'

const ctx = { userId: 'u1', projectId: 'p1', roles: ['member'] } as unknown as AuthContext

function service(prefix: string, rawPaths: boolean): Service {
  const router = new Router()
  router.get('/optional/*', { policy: 'public', auth: 'optional' }, (req) => ({ status: 200, body: { user: req.ctx?.userId ?? null, rest: req.params.rest } }))
  router.get('/public', { policy: 'public' }, (req) => ({ status: 200, body: { user: req.ctx?.userId ?? null } }))
  return { type: prefix.slice(1), prefix, catalog: [], router, policies: {}, migrations: [], maxBodyBytes: 1024, rawPaths, renderFault: (e) => ({ contentType: 'text/plain', body: e.message }) }
}

function get(port: number, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: token ? { 'X-Auth-Token': token } : {} }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      })
      .on('error', reject)
  })
}

/** The two access extensions the object store needs: optional auth, and routing on the raw path. */
describe('gateway: optional auth and raw paths', () => {
  let server: http.Server
  let port: number
  before(async () => {
    const gw = new Gateway([service('/raw', true), service('/plain', false)], {
      authenticator: () => ({
        authenticate: async (token: string) => {
          if (token === 'good') return ctx
          throw new Unauthorized()
        },
      }),
      policy: new PolicyEnforcer(),
      log: new Logger(undefined),
      baseUrl: () => `http://127.0.0.1:${port}`,
    })
    server = gw.createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    port = (server.address() as AddressInfo).port
  })
  after(() => new Promise<void>((r) => server.close(() => r())))

  it('optional auth: anonymous without a token, the caller with a valid one, anonymous with an invalid one', async () => {
    assert.deepEqual(JSON.parse((await get(port, '/raw/optional/x')).body), { user: null, rest: 'x' })
    assert.deepEqual(JSON.parse((await get(port, '/raw/optional/x', 'good')).body), { user: 'u1', rest: 'x' })
    assert.deepEqual(JSON.parse((await get(port, '/raw/optional/x', 'bad')).body), { user: null, rest: 'x' })
  })

  it('plain public routes still never authenticate', async () => {
    assert.deepEqual(JSON.parse((await get(port, '/raw/public', 'good')).body), { user: null })
  })

  it('a rawPaths service sees dot segments as data; other services get the resolved path', async () => {
    assert.equal(JSON.parse((await get(port, '/raw/optional/a/../../b')).body).rest, 'a/../../b')
    assert.equal(JSON.parse((await get(port, '/raw/optional/%2E%2E/x')).body).rest, '../x')
    // Resolved: /plain/optional/a/../b → /plain/optional/b
    assert.equal(JSON.parse((await get(port, '/plain/optional/a/../b')).body).rest, 'b')
    // A raw path cannot climb out of its service: /raw/../plain/… stays with /raw, which has no such route.
    assert.equal((await get(port, '/raw/../plain/optional/z')).status, 404)
  })
})
