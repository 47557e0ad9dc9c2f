import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Logger } from '../../platform/log'
import type { MetadataHandler } from '../../drivers/network/network-driver'
import { ec2Listing, metaData, netmaskOf, networkData, type MetadataInput } from './instance-metadata'
import type { Vif } from './instance-network'
import { createMetadataHandler } from './metadata-server'
import type { Instance } from './models'

const INSTANCE_A = '8f3c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'
const INSTANCE_B = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
const PORT_A = 'aaaaaaaa-1111-4111-8111-111111111111'
const PORT_A2 = 'aaaaaaaa-2222-4222-8222-222222222222'
const PORT_B = 'bbbbbbbb-1111-4111-8111-111111111111'
const NET = 'cccccccc-1111-4111-8111-111111111111'
const SUBNET = 'dddddddd-1111-4111-8111-111111111111'

function instance(id: string, over: Partial<Instance> = {}): Instance {
  return {
    id,
    name: 'Web.One',
    project_id: 'p1',
    user_id: 'u1',
    image_id: 'e1e2e3e4-0000-4000-8000-000000000000',
    flavor_id: '42',
    flavor: { id: '42', name: 'm1.nano', vcpus: 1, ram: 128, disk: 1, ephemeral: 0, swap: 0, rxtx_factor: 1, is_public: true, description: null, extra_specs: {} },
    vm_state: 'active',
    task_state: null,
    power_state: 1,
    key_name: 'mykey',
    key_data: 'ssh-ed25519 AAAAC3Nza mykey',
    user_data: Buffer.from('#!/bin/sh\necho hello\n').toString('base64'),
    config_drive: false,
    availability_zone: 'nova',
    host: 'h',
    networks: [{ network_id: NET }],
    security_group_ids: null,
    addresses: {},
    metadata: { role: 'web' },
    fault: null,
    reservation_id: 'r-0123abcd',
    launch_index: 0,
    access_ipv4: '',
    access_ipv6: '',
    launched_at: null,
    terminated_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  }
}

function vif(portId: string, ip: string, floating: string[] = []): Vif {
  return {
    port: { id: portId, project_id: 'p1', network_id: NET, mac_address: `fa:16:3e:00:00:${ip.split('.').pop()!.padStart(2, '0')}`, fixed_ips: [{ subnet_id: SUBNET, ip_address: ip }], device_id: INSTANCE_A, device_owner: 'compute:nova', status: 'ACTIVE', 'binding:host_id': 'h', port_security_enabled: true, security_groups: ['sg1'] },
    network: { id: NET, name: 'private', project_id: 'p1', shared: false, 'router:external': false, mtu: 1442, subnets: [SUBNET] },
    subnets: new Map([[SUBNET, { id: SUBNET, network_id: NET, cidr: '10.0.0.0/26', ip_version: 4, gateway_ip: '10.0.0.1', dns_nameservers: ['10.0.0.2'], host_routes: [], enable_dhcp: true }]]),
    floatingIps: floating,
  }
}

/** Two instances; the handler is asked for one port at a time, as the switch would. */
const DATA: Record<string, { input: MetadataInput; nicIndex: number }> = {
  [PORT_A]: { input: { instance: instance(INSTANCE_A), nics: [{ kind: 'port', vif: vif(PORT_A, '10.0.0.5', ['172.24.4.9']), userMode: false }, { kind: 'port', vif: vif(PORT_A2, '10.0.0.6'), userMode: false }], securityGroupNames: ['default', 'web'] }, nicIndex: 0 },
  [PORT_A2]: { input: { instance: instance(INSTANCE_A), nics: [{ kind: 'port', vif: vif(PORT_A, '10.0.0.5', ['172.24.4.9']), userMode: false }, { kind: 'port', vif: vif(PORT_A2, '10.0.0.6'), userMode: false }], securityGroupNames: ['default', 'web'] }, nicIndex: 1 },
  [PORT_B]: { input: { instance: instance(INSTANCE_B, { name: 'other', key_name: null, key_data: null, user_data: null }), nics: [{ kind: 'port', vif: vif(PORT_B, '10.0.0.7'), userMode: false }], securityGroupNames: ['default'] }, nicIndex: 0 },
}

describe('metadata service handler', () => {
  const servers: http.Server[] = []
  const urls: Record<string, string> = {}
  const asked: string[] = []

  /** A server on 127.0.0.1:0 whose every request the handler answers as coming from `portId`. */
  const serve = async (handler: MetadataHandler, portId: string) => {
    const server = http.createServer((req, res) => handler(portId, req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    servers.push(server)
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  before(async () => {
    const handler = createMetadataHandler(async (portId) => {
      asked.push(portId)
      if (portId === 'boom') throw new Error('the database is gone')
      return DATA[portId]
    }, new Logger(undefined))
    for (const p of [PORT_A, PORT_A2, PORT_B, 'no-instance', 'boom']) urls[p] = await serve(handler, p)
  })
  after(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()))
  })

  const get = async (port: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(urls[port] + path, init)
    return { status: res.status, type: res.headers.get('content-type'), allow: res.headers.get('allow'), text: await res.text() }
  }

  it('lists the OpenStack versions and each version\'s files', async () => {
    const v = await get(PORT_A, '/openstack')
    assert.equal(v.status, 200)
    assert.equal(v.text, '2012-08-10\n2013-04-04\n2013-10-17\n2015-10-15\n2016-06-30\n2016-10-06\n2017-02-22\n2018-08-27\nlatest')
    assert.equal((await get(PORT_A, '/openstack/')).text, v.text)
    assert.equal((await get(PORT_A, '/openstack/latest/')).text, 'meta_data.json\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json\nuser_data')
    assert.equal((await get(PORT_A, '/openstack/latest')).text, 'meta_data.json\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json\nuser_data')
    assert.equal((await get(PORT_A, '/openstack/2012-08-10')).text, 'meta_data.json\nuser_data')
    assert.equal((await get(PORT_B, '/openstack/2018-08-27')).text, 'meta_data.json\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json', 'no user_data: not listed')
  })

  it('serves meta_data.json of the asking port\'s instance, per version', async () => {
    const r = await get(PORT_A, '/openstack/latest/meta_data.json')
    assert.equal(r.status, 200)
    assert.match(r.type!, /application\/json/)
    const md = JSON.parse(r.text)
    const { random_seed: seed, ...rest } = md
    assert.equal(Buffer.from(seed, 'base64').length, 512)
    assert.deepEqual(rest, {
      uuid: INSTANCE_A,
      meta: { role: 'web' },
      hostname: 'web-one',
      name: 'Web.One',
      launch_index: 0,
      availability_zone: 'nova',
      public_keys: { mykey: 'ssh-ed25519 AAAAC3Nza mykey' },
      keys: [{ name: 'mykey', type: 'ssh', data: 'ssh-ed25519 AAAAC3Nza mykey' }],
      devices: [],
      project_id: 'p1',
    })
    const old = JSON.parse((await get(PORT_A, '/openstack/2012-08-10/meta_data.json')).text)
    assert.deepEqual(Object.keys(old).sort(), ['availability_zone', 'hostname', 'launch_index', 'meta', 'name', 'public_keys', 'uuid'])
    const b = JSON.parse((await get(PORT_B, '/openstack/latest/meta_data.json')).text)
    assert.equal(b.uuid, INSTANCE_B)
    assert.equal(b.public_keys, undefined)
  })

  it('serves network_data.json, vendor data, password and user_data', async () => {
    const nd = JSON.parse((await get(PORT_A, '/openstack/latest/network_data.json')).text)
    assert.deepEqual(nd.links.map((l: { id: string }) => l.id), [`tap${PORT_A.slice(0, 11)}`, `tap${PORT_A2.slice(0, 11)}`])
    assert.deepEqual(nd.networks.map((n: { ip_address: string }) => n.ip_address), ['10.0.0.5', '10.0.0.6'])
    assert.deepEqual(nd.services, [{ type: 'dns', address: '10.0.0.2' }])
    assert.equal((await get(PORT_A, '/openstack/latest/vendor_data.json')).text, '{}')
    assert.equal((await get(PORT_A, '/openstack/2016-10-06/vendor_data2.json')).text, '{}')
    assert.equal((await get(PORT_A, '/openstack/2016-06-30/vendor_data2.json')).status, 404, 'not in that version')
    const pw = await get(PORT_A, '/openstack/latest/password')
    assert.deepEqual([pw.status, pw.text], [200, ''])
    const ud = await get(PORT_A, '/openstack/latest/user_data')
    assert.deepEqual([ud.status, ud.text], [200, '#!/bin/sh\necho hello\n'])
    assert.equal((await get(PORT_B, '/openstack/latest/user_data')).status, 404)
  })

  it('answers the EC2 API: versions, the meta-data folder, keys, addresses of the asking NIC', async () => {
    assert.equal((await get(PORT_A, '/')).text, '1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n2008-02-01\n2008-09-01\n2009-04-04\nlatest')
    assert.equal((await get(PORT_A, '/latest')).text, 'meta-data/\nuser-data')
    assert.equal((await get(PORT_B, '/latest/')).text, 'meta-data/')
    const dirList = (await get(PORT_A, '/latest/meta-data/')).text.split('\n')
    assert.deepEqual(dirList, [
      'ami-id', 'ami-launch-index', 'ami-manifest-path', 'block-device-mapping/', 'hostname', 'instance-action', 'instance-id', 'instance-type',
      'local-hostname', 'local-ipv4', 'placement/', 'public-hostname', 'public-ipv4', 'public-keys/', 'reservation-id', 'security-groups',
    ])
    const md = async (port: string, key: string) => (await get(port, `/latest/meta-data/${key}`)).text
    assert.equal(await md(PORT_A, 'instance-id'), 'i-8f3c1d2e')
    assert.equal(await md(PORT_A, 'ami-id'), 'ami-e1e2e3e4')
    assert.equal(await md(PORT_A, 'hostname'), 'web-one')
    assert.equal(await md(PORT_A, 'local-ipv4'), '10.0.0.5')
    assert.equal(await md(PORT_A, 'public-ipv4'), '172.24.4.9', 'the floating IP')
    assert.equal(await md(PORT_A2, 'local-ipv4'), '10.0.0.6', 'the address of the NIC the request came in on')
    assert.equal(await md(PORT_B, 'public-ipv4'), '')
    assert.equal(await md(PORT_A, 'security-groups'), 'default\nweb')
    assert.equal(await md(PORT_A, 'reservation-id'), 'r-0123abcd')
    assert.equal(await md(PORT_A, 'instance-type'), 'm1.nano')
    assert.equal(await md(PORT_A, 'placement/'), 'availability-zone')
    assert.equal(await md(PORT_A, 'placement/availability-zone'), 'nova')
    assert.equal(await md(PORT_A, 'public-keys/'), '0=mykey')
    assert.equal(await md(PORT_A, 'public-keys/0/'), 'openssh-key')
    assert.equal(await md(PORT_A, 'public-keys/0/openssh-key'), 'ssh-ed25519 AAAAC3Nza mykey')
    assert.equal((await get(PORT_A, '/latest/meta-data/public-keys/0/_name')).status, 404)
    assert.equal((await get(PORT_B, '/latest/meta-data/public-keys/')).status, 404)
    assert.equal((await get(PORT_A, '/2009-04-04/user-data')).text, '#!/bin/sh\necho hello\n')
    assert.equal((await get(PORT_B, '/latest/user-data')).status, 404)
    // Older versions have fewer keys.
    assert.ok(!(await get(PORT_A, '/1.0/meta-data/')).text.split('\n').includes('public-ipv4'))
  })

  it('404 for anything else, 405 for anything but GET, 404 for a port no instance has, 500 on a failure', async () => {
    for (const p of ['/openstack/2011-01-01/meta_data.json', '/openstack/latest/nope.json', '/openstack/latest/meta_data.json/x', '/2099-01-01/meta-data/', '/latest/meta-data/nope', '/latest/meta-data/hostname/x', '/%E0%A4%A']) {
      assert.equal((await get(PORT_A, p)).status, 404, p)
    }
    const post = await get(PORT_A, '/openstack/latest/password', { method: 'POST', body: 'secret' })
    assert.deepEqual([post.status, post.allow], [405, 'GET'])
    assert.equal((await get(PORT_A, '/openstack/latest/meta_data.json', { method: 'PUT', body: '{}' })).status, 405)
    assert.equal((await get('no-instance', '/openstack/latest/meta_data.json')).status, 404)
    assert.equal((await get('no-instance', '/')).status, 404)
    assert.equal((await get('boom', '/openstack')).status, 500)
  })

  it('takes the instance from the port only: nothing in the request can point at another instance', async () => {
    asked.length = 0
    const tries: [string, RequestInit?][] = [
      [`/openstack/latest/meta_data.json?instance_id=${INSTANCE_B}`],
      [`/openstack/latest/meta_data.json`, { headers: { 'X-Instance-ID': INSTANCE_B, 'X-Forwarded-For': '10.0.0.7', 'X-Instance-ID-Signature': 'x' } }],
      [`/openstack/../openstack/latest/meta_data.json`],
      [`//openstack//latest//meta_data.json`],
    ]
    for (const [p, init] of tries) {
      const r = await get(PORT_A, p, init)
      assert.equal(r.status, 200, p)
      assert.equal(JSON.parse(r.text).uuid, INSTANCE_A, p)
    }
    assert.ok(asked.every((p) => p === PORT_A), 'only the port the request came in on was looked up')
  })
})

describe('metadata builders', () => {
  it('netmasks of both families', () => {
    assert.equal(netmaskOf('10.0.0.0/26'), '255.255.255.192')
    assert.equal(netmaskOf('0.0.0.0/0'), '0.0.0.0')
    assert.equal(netmaskOf('10.1.2.3/32'), '255.255.255.255')
    assert.equal(netmaskOf('fd00::/64'), 'ffff:ffff:ffff:ffff::')
    assert.equal(netmaskOf('fd00::/56'), 'ffff:ffff:ffff:ff00::')
    assert.equal(netmaskOf('::/0'), '::')
    assert.equal(netmaskOf('fd00::1/128'), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
  })

  it('network_data.json: IPv6 subnets are static ipv6; user-mode NICs use DHCP; no key for no user data', () => {
    const v = vif(PORT_A, '10.0.0.5')
    const v6: Vif = {
      ...v,
      port: { ...v.port, fixed_ips: [{ subnet_id: 's6', ip_address: 'fd00::5' }] },
      subnets: new Map([['s6', { id: 's6', network_id: NET, cidr: 'fd00::/64', ip_version: 6, gateway_ip: 'fd00::1', dns_nameservers: [], host_routes: [], enable_dhcp: true }]]),
    }
    const nd = networkData([{ kind: 'port', vif: v6, userMode: false }, { kind: 'port', vif: vif(PORT_B, '10.0.0.7'), userMode: true }, { kind: 'user', mac: 'fa:16:3e:01:02:03' }])
    assert.deepEqual(nd.networks, [
      { id: 'network0', type: 'ipv6', link: `tap${PORT_A.slice(0, 11)}`, ip_address: 'fd00::5', netmask: 'ffff:ffff:ffff:ffff::', routes: [{ network: '::', netmask: '::', gateway: 'fd00::1' }], network_id: NET, services: [] },
      { id: 'network1', type: 'ipv4_dhcp', link: `tap${PORT_B.slice(0, 11)}`, network_id: NET },
      { id: 'network2', type: 'ipv4_dhcp', link: 'tap2', network_id: 'user-net' },
    ])
    assert.equal(metaData(instance(INSTANCE_A), 'latest').project_id, 'p1')
    assert.equal(ec2Listing({ b: 'x', a: { c: 'y' }, k: { _name: '0=k', 'openssh-key': 'z' } }), 'a/\nb\n0=k')
  })
})
