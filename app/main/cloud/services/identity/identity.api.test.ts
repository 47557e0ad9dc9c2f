import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

const pwAuth = (name: string, password: string, scope?: unknown) => ({
  auth: { identity: { methods: ['password'], password: { user: { name, domain: { name: 'Default' }, password } } }, ...(scope ? { scope } : {}) },
})

describe('identity API (Keystone v3) against an in-process cloud', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let adminProjectId: string
  let demoProjectId: string

  before(async () => {
    t = await startInProcessCloud()
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const projects = (await t.call('GET', '/identity/v3/projects', { token: admin })).body.projects
    adminProjectId = projects.find((p: any) => p.name === 'admin').id
    demoProjectId = projects.find((p: any) => p.name === 'demo').id
  })
  after(() => t.close())

  describe('version discovery', () => {
    it('answers 300 with the v3 document at the service root and 200 at /v3', async () => {
      const root = await t.call('GET', '/identity')
      assert.equal(root.status, 300)
      assert.equal(root.body.versions.values[0].id, 'v3.14')
      assert.equal(root.body.versions.values[0].links[0].href, `${t.url}/identity/v3/`)
      const v3 = await t.call('GET', '/identity/v3')
      assert.equal(v3.status, 200)
      assert.equal(v3.body.version.status, 'stable')
    })
    it('lets every other service answer its version document without a token', async () => {
      assert.equal((await t.call('GET', '/compute/')).body.versions[0].id, 'v2.1')
      assert.equal((await t.call('GET', '/compute/v2.1')).body.version.min_version, '2.1')
      assert.equal((await t.call('GET', '/image/')).status, 300)
      assert.equal((await t.call('GET', '/volume/')).body.versions[0].id, 'v3.0')
      assert.equal((await t.call('GET', '/networking/')).body.versions[0].id, 'v2.0')
      assert.equal((await t.call('GET', '/object-store/info')).status, 200)
    })
  })

  describe('tokens', () => {
    it('issues a project-scoped token with roles, expiry and a catalog of every service', async () => {
      const res = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('admin', t.admin.password, { project: { name: 'admin', domain: { id: 'default' } } }) })
      assert.equal(res.status, 201)
      assert.match(res.headers.get('x-subject-token')!, /^[A-Za-z0-9_-]{43}$/)
      assert.match(res.headers.get('x-openstack-request-id')!, /^req-[0-9a-f-]{36}$/)
      const tok = res.body.token
      assert.deepEqual(tok.methods, ['password'])
      assert.match(tok.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      assert.ok(Date.parse(tok.expires_at) > Date.now() + 3000_000)
      assert.equal(tok.project.name, 'admin')
      assert.deepEqual(tok.project.domain, { id: 'default', name: 'Default' })
      assert.deepEqual(tok.roles.map((r: any) => r.name).sort(), ['admin', 'member', 'reader'])
      const types = tok.catalog.map((s: any) => s.type).sort()
      assert.deepEqual(types, ['block-storage', 'compute', 'identity', 'image', 'network', 'object-store', 'volumev3'])
      for (const s of tok.catalog) {
        assert.deepEqual(s.endpoints.map((e: any) => e.interface).sort(), ['admin', 'internal', 'public'])
        for (const e of s.endpoints) {
          assert.equal(e.region, 'RegionOne')
          assert.equal(e.region_id, 'RegionOne')
          assert.ok(e.url.startsWith(t.url + '/'))
        }
      }
      const volume = tok.catalog.find((s: any) => s.type === 'volumev3')
      assert.equal(volume.endpoints[0].url, `${t.url}/volume/v3/${tok.project.id}`)
    })

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const wrong = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('admin', 'not-the-password') })
      const unknown = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('nobody', 'x') })
      assert.equal(wrong.status, 401)
      assert.equal(unknown.status, 401)
      assert.deepEqual(wrong.body, unknown.body)
      assert.deepEqual(wrong.body.error, { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' })
    })

    it('issues domain-scoped and unscoped tokens, and rescopes with the token method', async () => {
      const dom = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('admin', t.admin.password, { domain: { name: 'Default' } }) })
      assert.equal(dom.status, 201)
      assert.equal(dom.body.token.domain.id, 'default')
      assert.equal(dom.body.token.project, undefined)
      const un = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('admin', t.admin.password, 'unscoped') })
      assert.equal(un.status, 201)
      assert.equal(un.body.token.roles, undefined)
      assert.equal(un.body.token.catalog, undefined)
      const unscoped = un.headers.get('x-subject-token')!
      const projects = await t.call('GET', '/identity/v3/auth/projects', { token: unscoped })
      assert.deepEqual(projects.body.projects.map((p: any) => p.name), ['admin'])
      const re = await t.call('POST', '/identity/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { id: adminProjectId } } } },
      })
      assert.equal(re.status, 201)
      assert.equal(re.body.token.project.id, adminProjectId)
      assert.equal(re.body.token.expires_at, un.body.token.expires_at)
    })

    it('refuses a scope the user holds no role on', async () => {
      const res = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('demo', t.demo.password, { project: { name: 'admin', domain: { id: 'default' } } }) })
      assert.equal(res.status, 401)
    })

    it('validates (GET, HEAD), hides the catalog on request, and revokes (DELETE)', async () => {
      const tok = await t.login('demo', t.demo.password, 'demo')
      const get = await t.call('GET', '/identity/v3/auth/tokens', { token: tok, headers: { 'X-Subject-Token': tok } })
      assert.equal(get.status, 200)
      assert.equal(get.headers.get('x-subject-token'), tok)
      assert.equal(get.body.token.user.name, 'demo')
      assert.ok(Array.isArray(get.body.token.catalog))
      const nocat = await t.call('GET', '/identity/v3/auth/tokens?nocatalog', { token: admin, headers: { 'X-Subject-Token': tok } })
      assert.equal(nocat.body.token.catalog, undefined)
      assert.equal((await t.call('HEAD', '/identity/v3/auth/tokens', { token: tok, headers: { 'X-Subject-Token': tok } })).status, 200)
      // A member may not validate somebody else's token.
      assert.equal((await t.call('GET', '/identity/v3/auth/tokens', { token: tok, headers: { 'X-Subject-Token': admin } })).status, 403)
      assert.equal((await t.call('DELETE', '/identity/v3/auth/tokens', { token: tok, headers: { 'X-Subject-Token': tok } })).status, 204)
      assert.equal((await t.call('GET', '/identity/v3/auth/tokens', { token: admin, headers: { 'X-Subject-Token': tok } })).status, 404)
      assert.equal((await t.call('GET', '/identity/v3/auth/catalog', { token: tok })).status, 401)
      assert.equal((await t.call('GET', '/identity/v3/auth/tokens', { token: admin, headers: { 'X-Subject-Token': 'garbage' } })).status, 404)
    })

    it('needs a token everywhere but discovery and token issue, and says where to get one', async () => {
      const res = await t.call('GET', '/identity/v3/projects')
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), `Keystone uri="${t.url}/identity"`)
      assert.equal((await t.call('GET', '/identity/v3/projects', { token: 'made-up' })).status, 401)
      assert.equal((await t.call('GET', '/compute/v2.1/servers')).status, 401)
      assert.equal((await t.call('GET', '/networking/v2.0/networks')).status, 401)
    })
  })

  describe('projects, users, roles', () => {
    it('creates, finds by name, updates, lists and deletes a project', async () => {
      const created = await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'p-crud', description: 'd', tags: ['a'] } } })
      assert.equal(created.status, 201)
      const p = created.body.project
      assert.equal(p.domain_id, 'default')
      assert.equal(p.parent_id, 'default')
      assert.equal(p.links.self, `${t.url}/identity/v3/projects/${p.id}`)
      // The openstack CLI looks a name up as an id first and needs a 404, then lists with ?name=.
      assert.equal((await t.call('GET', '/identity/v3/projects/p-crud', { token: admin })).status, 404)
      const byName = await t.call('GET', '/identity/v3/projects?name=p-crud', { token: admin })
      assert.deepEqual(byName.body.projects.map((x: any) => x.id), [p.id])
      const patched = await t.call('PATCH', `/identity/v3/projects/${p.id}`, { token: admin, body: { project: { description: 'new', enabled: false } } })
      assert.equal(patched.body.project.description, 'new')
      assert.equal(patched.body.project.enabled, false)
      assert.equal((await t.call('DELETE', `/identity/v3/projects/${p.id}`, { token: admin })).status, 204)
      assert.equal((await t.call('GET', `/identity/v3/projects/${p.id}`, { token: admin })).status, 404)
    })

    it('lets exactly one of two parallel creates of the same name win (the other gets 409)', async () => {
      const results = await Promise.all(
        [1, 2, 3].map(() => t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'race' } } })),
      )
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409])
      assert.match(results.find((r) => r.status === 409)!.body.error.message, /same name/)
    })

    it('creates a user, grants a role, lists assignments with names and effective roles', async () => {
      const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'p-roles' } } })).body.project
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'u-roles', password: 'pw-1', default_project_id: p.id } } })).body.user
      assert.equal(u.default_project_id, p.id)
      assert.equal(u.password, undefined)
      const member = (await t.call('GET', '/identity/v3/roles?name=member', { token: admin })).body.roles[0]
      assert.equal((await t.call('PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`, { token: admin })).status, 204)
      assert.equal((await t.call('HEAD', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`, { token: admin })).status, 204)
      const named = await t.call('GET', `/identity/v3/role_assignments?include_names&user.id=${u.id}`, { token: admin })
      assert.equal(named.body.role_assignments.length, 1)
      const a = named.body.role_assignments[0]
      assert.deepEqual(a.role, { id: member.id, name: 'member' })
      assert.deepEqual(a.user, { id: u.id, name: 'u-roles', domain: { id: 'default', name: 'Default' } })
      assert.equal(a.scope.project.name, 'p-roles')
      assert.equal(a.links.assignment, `${t.url}/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`)
      const eff = await t.call('GET', `/identity/v3/role_assignments?effective&user.id=${u.id}`, { token: admin })
      assert.deepEqual(eff.body.role_assignments.map((x: any) => x.role.id).length, 2, 'member implies reader')
      // Without scope the user lands in its default project.
      const tok = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('u-roles', 'pw-1') })
      assert.equal(tok.body.token.project.id, p.id)
      assert.equal((await t.call('DELETE', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`, { token: admin })).status, 204)
      assert.equal((await t.call('GET', '/identity/v3/auth/catalog', { token: tok.headers.get('x-subject-token')! })).status, 401, 'a token dies with its last role')
    })

    it('grants through a group', async () => {
      const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'p-group' } } })).body.project
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'u-group', password: 'pw' } } })).body.user
      const g = (await t.call('POST', '/identity/v3/groups', { token: admin, body: { group: { name: 'g1' } } })).body.group
      const reader = (await t.call('GET', '/identity/v3/roles?name=reader', { token: admin })).body.roles[0]
      assert.equal((await t.call('PUT', `/identity/v3/groups/${g.id}/users/${u.id}`, { token: admin })).status, 204)
      assert.equal((await t.call('PUT', `/identity/v3/projects/${p.id}/groups/${g.id}/roles/${reader.id}`, { token: admin })).status, 204)
      const tok = await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('u-group', 'pw', { project: { id: p.id } }) })
      assert.equal(tok.status, 201)
      assert.deepEqual(tok.body.token.roles.map((r: any) => r.name), ['reader'])
      const eff = await t.call('GET', `/identity/v3/role_assignments?effective&user.id=${u.id}`, { token: admin })
      assert.equal(eff.body.role_assignments[0].links.membership, `${t.url}/identity/v3/groups/${g.id}/users/${u.id}`)
    })

    it('kills a user\'s tokens when the user is disabled, its password changes, or it is deleted', async () => {
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'u-life', password: 'first' } } })).body.user
      const member = (await t.call('GET', '/identity/v3/roles?name=member', { token: admin })).body.roles[0]
      await t.call('PUT', `/identity/v3/projects/${demoProjectId}/users/${u.id}/roles/${member.id}`, { token: admin })
      const alive = (tok: string) => t.call('GET', '/identity/v3/auth/catalog', { token: tok }).then((r) => r.status)

      let tok = await t.login('u-life', 'first', 'demo')
      assert.equal(await alive(tok), 200)
      await t.call('PATCH', `/identity/v3/users/${u.id}`, { token: admin, body: { user: { enabled: false } } })
      assert.equal(await alive(tok), 401)
      assert.equal((await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('u-life', 'first') })).status, 401)
      await t.call('PATCH', `/identity/v3/users/${u.id}`, { token: admin, body: { user: { enabled: true } } })

      tok = await t.login('u-life', 'first', 'demo')
      const change = await t.call('POST', `/identity/v3/users/${u.id}/password`, { token: tok, body: { user: { original_password: 'first', password: 'second' } } })
      assert.equal(change.status, 204)
      assert.equal(await alive(tok), 401)
      assert.equal((await t.call('POST', '/identity/v3/auth/tokens', { body: pwAuth('u-life', 'first') })).status, 401)
      tok = await t.login('u-life', 'second', 'demo')
      const wrongOriginal = await t.call('POST', `/identity/v3/users/${u.id}/password`, { token: tok, body: { user: { original_password: 'nope', password: 'third' } } })
      assert.equal(wrongOriginal.status, 401)

      assert.equal((await t.call('DELETE', `/identity/v3/users/${u.id}`, { token: admin })).status, 204)
      assert.equal(await alive(tok), 401)
    })
  })

  describe('policy and isolation', () => {
    it('refuses identity writes to a member with 403 and the action name', async () => {
      const res = await t.call('POST', '/identity/v3/projects', { token: demo, body: { project: { name: 'nope' } } })
      assert.equal(res.status, 403)
      assert.equal(res.body.error.message, 'You are not authorized to perform the requested action: identity:create_project.')
      assert.equal((await t.call('GET', '/identity/v3/users', { token: demo })).status, 403)
    })

    it('hides another project from a member with 404, shows its own', async () => {
      const other = await t.call('GET', `/identity/v3/projects/${adminProjectId}`, { token: demo })
      assert.equal(other.status, 404)
      assert.equal(other.body.error.message, `Could not find project: ${adminProjectId}.`)
      assert.equal((await t.call('GET', `/identity/v3/projects/${demoProjectId}`, { token: demo })).status, 200)
    })

    it('lets a member but not a reader create application credentials, which then log in', async () => {
      const reader = (await t.call('GET', '/identity/v3/roles?name=reader', { token: admin })).body.roles[0]
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'u-reader', password: 'pw' } } })).body.user
      await t.call('PUT', `/identity/v3/projects/${demoProjectId}/users/${u.id}/roles/${reader.id}`, { token: admin })
      const readerTok = await t.login('u-reader', 'pw', 'demo')
      const refused = await t.call('POST', `/identity/v3/users/${u.id}/application_credentials`, { token: readerTok, body: { application_credential: { name: 'ac' } } })
      assert.equal(refused.status, 403)

      const demoUser = (await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })).body.token.user
      const made = await t.call('POST', `/identity/v3/users/${demoUser.id}/application_credentials`, { token: demo, body: { application_credential: { name: 'ci' } } })
      assert.equal(made.status, 201)
      const cred = made.body.application_credential
      assert.ok(cred.secret.length > 20)
      const login = await t.call('POST', '/identity/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['application_credential'], application_credential: { id: cred.id, secret: cred.secret } } } },
      })
      assert.equal(login.status, 201)
      assert.equal(login.body.token.project.id, demoProjectId)
      const bad = await t.call('POST', '/identity/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['application_credential'], application_credential: { id: cred.id, secret: 'wrong' } } } },
      })
      assert.equal(bad.status, 401)
      // Someone else's credentials are not theirs to list.
      assert.equal((await t.call('GET', `/identity/v3/users/${u.id}/application_credentials`, { token: demo })).status, 403)
    })
  })

  describe('bad input', () => {
    it('names the field that is wrong', async () => {
      const res = await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 42 } } })
      assert.equal(res.status, 400)
      assert.equal(res.body.error.message, "Invalid input for field 'project/name': must be of type string")
      const missing = await t.call('POST', '/identity/v3/users', { token: admin, body: { user: {} } })
      assert.equal(missing.status, 400)
      assert.match(missing.body.error.message, /'user\/name'/)
      const extra = await t.call('POST', `/identity/v3/users/x/password`, { token: demo, body: { user: { original_password: 'a', password: 'b', sneaky: 1 } } })
      assert.equal(extra.status, 400)
      assert.match(extra.body.error.message, /sneaky/)
    })

    it('answers malformed JSON 400, a wrong content type 415, a huge body 413, an empty body 400', async () => {
      assert.equal((await t.call('POST', '/identity/v3/projects', { token: admin, body: '{"project":' })).status, 400)
      assert.equal((await t.call('POST', '/identity/v3/projects', { token: admin, body: '{}', headers: { 'Content-Type': 'text/plain' } })).status, 415)
      const huge = await t.call('POST', '/identity/v3/projects', { token: admin, body: JSON.stringify({ project: { name: 'x', description: 'a'.repeat(200_000) } }) })
      assert.equal(huge.status, 413)
      assert.equal(huge.body.error.title, 'Request Entity Too Large')
      const empty = await t.call('POST', '/identity/v3/projects', { token: admin, headers: { 'Content-Type': 'application/json' } })
      assert.equal(empty.status, 400)
    })

    it('answers unknown paths 404, wrong methods 405, and never leaks a stack trace', async () => {
      const nf = await t.call('GET', '/identity/v3/nothing-here', { token: admin })
      assert.equal(nf.status, 404)
      assert.equal(nf.body.error.code, 404)
      const m = await t.call('PUT', '/identity/v3/projects', { token: admin })
      assert.equal(m.status, 405)
      assert.match(m.headers.get('allow')!, /GET/)
      for (const r of [nf, m]) assert.doesNotMatch(r.text, /at .*\.js:\d+/)
    })

    it('refuses a foreign Host header (DNS rebinding)', async () => {
      // fetch() may not set Host, so use node:http.
      const status = await new Promise<number>((resolve, reject) => {
        const u = new URL(`${t.url}/identity/v3`)
        http
          .get({ host: u.hostname, port: u.port, path: u.pathname, headers: { Host: 'evil.example' } }, (res) => {
            res.resume()
            resolve(res.statusCode!)
          })
          .on('error', reject)
      })
      assert.equal(status, 400)
    })
  })

  describe('every service behind one token', () => {
    it('answers each in its own fault shape', async () => {
      assert.equal((await t.call('GET', '/networking/v2.0/networks', { token: demo })).status, 200)
      const neutron = await t.call('GET', '/networking/v2.0/no-such-collection', { token: demo })
      assert.equal(neutron.status, 404)
      assert.equal(neutron.body.NeutronError.type, 'HTTPNotFound')
      const cinder = await t.call('GET', `/volume/v3/${demoProjectId}/volumes`, { token: demo })
      assert.equal(cinder.status, 200)
      assert.ok(cinder.headers.get('x-openstack-request-id'))
      const swift = await t.call('GET', `/object-store/v1/AUTH_${demoProjectId}`, { token: demo })
      assert.ok([200, 204].includes(swift.status), `swift answered ${swift.status}`)
      const foreign = await t.call('GET', `/object-store/v1/AUTH_${'0'.repeat(32)}`, { token: demo })
      assert.equal(foreign.status, 403)
    })
  })

  it('logs every request with its id as JSON lines', async () => {
    const res = await t.call('GET', '/identity/v3', {})
    const id = res.headers.get('x-openstack-request-id')!
    await new Promise((r) => setTimeout(r, 50))
    const lines = readFileSync(path.join(t.dataDir, 'logs', 'stackling.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const entry = lines.find((l) => l.request_id === id)
    assert.equal(entry.status, 200)
    assert.equal(entry.path, '/identity/v3')
  })
})
