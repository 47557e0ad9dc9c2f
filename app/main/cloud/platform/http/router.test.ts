import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Router } from './router'
import { json } from './types'

describe('Router', () => {
  const r = new Router()
    .get('/v3/projects', { policy: 'public' }, () => json(200, 'list'))
    .get('/v3/projects/:project_id', { policy: 'public' }, () => json(200, 'one'))
    .delete('/v3/projects/:project_id', { policy: 'public' }, () => json(204, null))
    .get('/files/*', { policy: 'public' }, () => json(200, 'rest'))

  it('matches params, decoding them, with or without a trailing slash', () => {
    const m = r.match('GET', '/v3/projects/a%20b/') as any
    assert.equal(m.route.pattern, '/v3/projects/:project_id')
    assert.deepEqual(m.params, { project_id: 'a b' })
  })
  it('answers HEAD with the GET route', () => {
    assert.equal((r.match('HEAD', '/v3/projects') as any).route.method, 'GET')
  })
  it('reports the allowed methods for a known path', () => {
    assert.deepEqual(r.match('PUT', '/v3/projects/x'), { methodNotAllowed: ['GET', 'DELETE'] })
  })
  it('returns nothing for an unknown path and keeps the tail of a wildcard', () => {
    assert.equal(r.match('GET', '/v2/nothing'), undefined)
    assert.deepEqual((r.match('GET', '/files/a/b/c') as any).params, { rest: 'a/b/c' })
  })
  it('does not let a param swallow a slash', () => {
    assert.equal(r.match('GET', '/v3/projects/a/b'), undefined)
  })
})
