import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

/** The project in Cinder's URL never chooses where a request acts: it must be the token's (400 otherwise). */
describe('volume API: the URL project is the token\'s', () => {
  let t: TestCloud
  let demo = ''
  let demoProject = ''
  let adminProject = ''

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    demo = await t.login(t.demo.username, t.demo.password, t.demo.project)
    const admin = await t.login(t.admin.username, t.admin.password, t.admin.project)
    demoProject = (await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })).body.token.project.id
    adminProject = (await t.call('GET', '/identity/v3/auth/tokens', { token: admin, headers: { 'X-Subject-Token': admin } })).body.token.project.id
  })
  after(() => t.close())

  it('refuses a create or a list under another project\'s URL, and creates nothing there', async () => {
    const create = await t.call('POST', `/volume/v3/${adminProject}/volumes`, { token: demo, body: { volume: { size: 1, name: 'sneaky' } } })
    assert.equal(create.status, 400)
    assert.match(create.body.badRequest.message, /Malformed request URL/)
    assert.equal((await t.call('GET', `/volume/v3/${adminProject}/volumes`, { token: demo })).status, 400)
    const own = await t.call('GET', `/volume/v3/${demoProject}/volumes`, { token: demo })
    assert.equal(own.status, 200)
    assert.equal(own.body.volumes.some((v: { name: string }) => v.name === 'sneaky'), false)
  })
})
