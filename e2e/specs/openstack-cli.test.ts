import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

/** The unmodified `openstack` CLI (python3-openstackclient) against a cloud started as `npm run serve` would. */
describe('openstack CLI against a Stackling cloud', () => {
  let cloud: RunningCloud
  const admin = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling', ...args])
  const run = (cloudName: string, args: string[], env?: Record<string, string>) => openstack(cloud.cloudsYaml, ['--os-cloud', cloudName, ...args], env)

  before(async () => {
    cloud = await startTestCloud()
  })
  after(async () => {
    await cloud?.stop()
  })

  it('issues a token for the admin cloud and the demo cloud', async () => {
    const tok = await admin(['token', 'issue'])
    assert.ok(tok.id.length > 20)
    assert.ok(Date.parse(tok.expires) > Date.now())
    const demo = await openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', 'token', 'issue'])
    assert.notEqual(demo.project_id, tok.project_id)
  })

  it('lists the catalog with every service', async () => {
    const catalog: { Type: string; Endpoints: unknown }[] = await admin(['catalog', 'list'])
    const types = catalog.map((c) => c.Type).sort()
    assert.deepEqual(types, ['block-storage', 'compute', 'identity', 'image', 'network', 'object-store', 'volumev3'])
    const endpoints = await admin(['endpoint', 'list', '--service', 'identity'])
    assert.deepEqual(endpoints.map((e: { Interface: string }) => e.Interface).sort(), ['admin', 'internal', 'public'])
  })

  it('creates, lists and deletes projects, users and role assignments', async () => {
    const p = await admin(['project', 'create', '--description', 'e2e project', 'e2e-p'])
    assert.equal(p.name, 'e2e-p')
    assert.ok((await admin(['project', 'list'])).some((x: { Name: string }) => x.Name === 'e2e-p'))

    const u = await admin(['user', 'create', '--password', 'e2e-secret', '--project', 'e2e-p', 'e2e-u'])
    assert.equal(u.default_project_id, p.id)
    assert.ok((await admin(['user', 'list'])).some((x: { Name: string }) => x.Name === 'e2e-u'))

    const role = await admin(['role', 'create', 'e2e-role'])
    assert.equal(role.name, 'e2e-role')
    assert.equal((await run('stackling', ['role', 'add', '--project', 'e2e-p', '--user', 'e2e-u', 'member'])).code, 0)
    const assignments = await admin(['role', 'assignment', 'list', '--names', '--project', 'e2e-p'])
    assert.deepEqual(assignments.map((a: { Role: string; User: string }) => [a.Role, a.User]), [['member', 'e2e-u@Default']])
    const effective = await admin(['role', 'assignment', 'list', '--names', '--effective', '--user', 'e2e-u'])
    assert.deepEqual(effective.map((a: { Role: string }) => a.Role).sort(), ['member', 'reader'])

    // The new user can log in with its password, on its project.
    const env = {
      OS_AUTH_URL: `${cloud.url}/identity`,
      OS_USERNAME: 'e2e-u',
      OS_PASSWORD: 'e2e-secret',
      OS_PROJECT_NAME: 'e2e-p',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
    }
    const own = await openstack(cloud.cloudsYaml, ['token', 'issue', '-f', 'json'], env)
    assert.equal(own.code, 0, own.stderr)
    assert.equal(JSON.parse(own.stdout).project_id, p.id)

    assert.equal((await run('stackling', ['role', 'remove', '--project', 'e2e-p', '--user', 'e2e-u', 'member'])).code, 0)
    assert.deepEqual(await admin(['role', 'assignment', 'list', '--project', 'e2e-p']), [])
    for (const args of [['role', 'delete', 'e2e-role'], ['user', 'delete', 'e2e-u'], ['project', 'delete', 'e2e-p']]) {
      const r = await run('stackling', args)
      assert.equal(r.code, 0, r.stderr)
    }
    assert.ok(!(await admin(['project', 'list'])).some((x: { Name: string }) => x.Name === 'e2e-p'))
  })

  it('refuses a project create from the demo member with 403', async () => {
    const r = await run('stackling-demo', ['project', 'create', 'not-allowed'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /HTTP 403/)
    assert.match(r.stderr, /identity:create_project/)
  })

  it('kills a token when its user is disabled', async () => {
    await admin(['user', 'create', '--password', 'pw-dis', '--project', 'demo', 'e2e-disabled'])
    assert.equal((await run('stackling', ['role', 'add', '--project', 'demo', '--user', 'e2e-disabled', 'member'])).code, 0)
    const env = {
      OS_AUTH_URL: `${cloud.url}/identity`,
      OS_USERNAME: 'e2e-disabled',
      OS_PASSWORD: 'pw-dis',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_IDENTITY_API_VERSION: '3',
    }
    const issued = await openstack(cloud.cloudsYaml, ['token', 'issue', '-f', 'value', '-c', 'id'], env)
    assert.equal(issued.code, 0, issued.stderr)
    const token = issued.stdout.trim()
    const useToken = () =>
      openstack(cloud.cloudsYaml, ['project', 'show', 'demo', '-f', 'value', '-c', 'name'], {
        OS_AUTH_TYPE: 'token',
        OS_AUTH_URL: `${cloud.url}/identity`,
        OS_TOKEN: token,
        OS_PROJECT_NAME: 'demo',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_IDENTITY_API_VERSION: '3',
      })
    const before = await useToken()
    assert.equal(before.code, 0, before.stderr)
    assert.equal((await run('stackling', ['user', 'set', '--disable', 'e2e-disabled'])).code, 0)
    const afterDisable = await useToken()
    assert.notEqual(afterDisable.code, 0)
    assert.match(afterDisable.stderr, /401|authenticat/i)
  })

  it('lists what every service of the catalog holds, with one token', async () => {
    for (const args of [['server', 'list'], ['image', 'list'], ['network', 'list'], ['volume', 'list'], ['container', 'list']]) {
      const r = await run('stackling', args)
      assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`)
    }
  })
})
