import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { GuestShell } from '../fixtures/guest-shell'
import { openstack, openstackJson } from '../fixtures/openstack-cli'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The network data plane with real guests (QEMU/TCG on stackling-tiny) on the userspace switch: DHCP, L2 between
 * guests, security groups (stateful, live), port security, a router joining two networks, SNAT to the computer,
 * a floating IP's host port, the metadata service, and a restart of the cloud with the guests running. Resources
 * are made with the unmodified `openstack` CLI where it has a command for them.
 */
describe('network data plane with real guests', () => {
  let cloud: RunningCloud
  let token = ''
  let hostServer: http.Server
  let hostPort = 0
  const shells = new Map<string, GuestShell>()
  const servers: Record<string, { id: string; ip: string; name: string }> = {}

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(cloud.url + path, { method, headers: { 'X-Auth-Token': token, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const cli = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const cliRun = async (args: string[]) => {
    const r = await openstack(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
    assert.equal(r.code, 0, `openstack ${args.join(' ')}: ${r.stderr}`)
    return r
  }
  const sh = async (name: string) => {
    let s = shells.get(name)
    if (!s) {
      s = await GuestShell.open(call, servers[name]!.id)
      shells.set(name, s)
    }
    return s
  }
  /** Runs a command in a guest until it exits 0 (changes reach running guests within a second or so). */
  const eventually = async (name: string, cmd: string, timeoutMs = 20_000) => {
    const end = Date.now() + timeoutMs
    let last = { code: -1, output: '' }
    while (Date.now() < end) {
      last = await (await sh(name)).run(cmd)
      if (last.code === 0) return last.output
      await sleep(500)
    }
    assert.fail(`in ${name}, '${cmd}' kept failing: ${last.output}`)
  }
  const fails = async (name: string, cmd: string) => {
    const r = await (await sh(name)).run(cmd)
    assert.notEqual(r.code, 0, `in ${name}, '${cmd}' should have failed: ${r.output}`)
  }
  const launch = async (name: string, args: string[]) => {
    const s = await cli(['server', 'create', '--image', 'stackling-tiny', '--flavor', 'm1.tiny', ...args, name])
    return s.id as string
  }
  const waitActive = async (name: string, id: string) => {
    const end = Date.now() + 180_000
    for (;;) {
      const r = await call('GET', `/compute/v2.1/servers/${id}`)
      const s = r.body.server
      if (s.status === 'ERROR') assert.fail(`${name} went to ERROR: ${JSON.stringify(s.fault)}`)
      const ips = Object.values(s.addresses as Record<string, { addr: string; 'OS-EXT-IPS:type': string }[]>).flat().filter((a) => a['OS-EXT-IPS:type'] === 'fixed')
      if (s.status === 'ACTIVE' && ips.length) return (servers[name] = { id, ip: ips[0]!.addr, name })
      if (Date.now() > end) assert.fail(`${name} never became ACTIVE with an address: ${JSON.stringify(s)}`)
      await sleep(1000)
    }
  }

  before(async () => {
    hostServer = http.createServer((_req, res) => res.end('hello from the computer\n'))
    await new Promise<void>((r) => hostServer.listen(0, '127.0.0.1', () => r()))
    hostPort = (hostServer.address() as AddressInfo).port
    cloud = await startTestCloud({ env: { STACKLING_ON_QUIT: 'keep' } })
    token = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    // A group that lets nothing in, and a second network with no router yet.
    await cli(['security', 'group', 'create', 'web'])
    await cli(['network', 'create', 'second'])
    await cli(['subnet', 'create', '--network', 'second', '--subnet-range', '192.168.50.0/24', 'second-subnet'])
    const ids = {
      a: await launch('a', ['--network', 'private']),
      b: await launch('b', ['--network', 'private']),
      c: await launch('c', ['--network', 'private', '--security-group', 'web']),
      d: await launch('d', ['--network', 'second']),
    }
    for (const [name, id] of Object.entries(ids)) await waitActive(name, id)
  })

  after(async () => {
    for (const s of shells.values()) s.close()
    if (cloud) {
      // Delete the guests (the cloud runs with STACKLING_ON_QUIT=keep) before stopping it.
      for (const s of Object.values(servers)) await call('DELETE', `/compute/v2.1/servers/${s.id}`).catch(() => undefined)
      const end = Date.now() + 60_000
      while (Date.now() < end) {
        const r = await call('GET', '/compute/v2.1/servers').catch(() => undefined)
        if (!r?.body?.servers?.length) break
        await sleep(500)
      }
      await cloud.stop()
      rmSync(cloud.dataDir, { recursive: true, force: true })
    }
    hostServer?.close()
  })

  it('gives each guest its Neutron port address by DHCP', async () => {
    for (const name of ['a', 'b', 'c', 'd']) {
      const out = await eventually(name, 'ip -4 -o addr show eth0')
      assert.match(out, new RegExp(`inet ${servers[name]!.ip.replace(/\./g, '\\.')}/`), `${name}: ${out}`)
    }
    const ports = (await call('GET', `/networking/v2.0/ports?device_id=${servers.a!.id}`)).body.ports
    assert.equal(ports.length, 1)
    assert.equal(ports[0].status, 'ACTIVE', 'the port is ACTIVE while its guest is connected')
  })

  it('lets two guests on one network ping each other and fetch each other\'s page', async () => {
    await eventually('a', `ping -c 2 -W 2 ${servers.b!.ip}`)
    await eventually('b', `ping -c 2 -W 2 ${servers.a!.ip}`)
    const page = await eventually('a', `timeout 5 wget -q -O - http://${servers.b!.ip}/`)
    assert.match(page, /<h1>b<\/h1>/)
  })

  it('keeps port 80 of a guest in another group closed until a rule opens it, and closed again when it goes', async () => {
    await fails('a', `timeout 5 wget -q -O - http://${servers.c!.ip}/`)
    const rule = await cli(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--remote-group', 'default', 'web'])
    const page = await eventually('a', `timeout 5 wget -q -O - http://${servers.c!.ip}/`, 10_000)
    assert.match(page, /<h1>c<\/h1>/)
    await cliRun(['security', 'group', 'rule', 'delete', rule.id])
    await sleep(1500)
    await fails('a', `timeout 5 wget -q -O - http://${servers.c!.ip}/`)
  })

  it('drops what a guest sends from an address that is not its own', async () => {
    const spoof = '10.0.0.62'
    await (await sh('a')).run(`ip addr add ${spoof}/26 dev eth0`)
    try {
      await fails('a', `ping -c 2 -W 2 -I ${spoof} ${servers.b!.ip}`)
      await eventually('a', `ping -c 1 -W 2 ${servers.b!.ip}`)
    } finally {
      await (await sh('a')).run(`ip addr del ${spoof}/26 dev eth0`)
    }
  })

  it('joins a second network only once both subnets are on one router', async () => {
    await fails('d', `ping -c 2 -W 2 ${servers.a!.ip}`)
    await cliRun(['router', 'add', 'subnet', 'router1', 'second-subnet'])
    await eventually('d', `ping -c 1 -W 2 ${servers.a!.ip}`, 20_000)
    await eventually('a', `ping -c 1 -W 2 ${servers.d!.ip}`, 10_000)
  })

  it('lets a guest fetch a page from an HTTP server on the computer through the router', async () => {
    const page = await eventually('a', `timeout 5 wget -q -O - http://172.24.4.1:${hostPort}/`)
    assert.match(page, /hello from the computer/)
  })

  it('reaches a guest\'s HTTP server from the computer through a floating IP\'s host port', async () => {
    await cliRun(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', '--remote-ip', '0.0.0.0/0', 'default'])
    const fip = await cli(['floating', 'ip', 'create', 'public'])
    await cliRun(['server', 'add', 'floating', 'ip', 'a', fip.floating_ip_address])
    const shown = (await call('GET', `/networking/v2.0/floatingips/${fip.id}`)).body.floatingip
    const http80 = (shown.host_forwards as { internal_port: number; host_port: number }[]).find((f) => f.internal_port === 80)
    assert.ok(http80, `host_forwards: ${JSON.stringify(shown.host_forwards)}`)
    const end = Date.now() + 20_000
    let body = ''
    while (Date.now() < end) {
      body = await fetch(`http://127.0.0.1:${http80.host_port}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), (e: Error) => e.message)
      if (body.includes('<h1>a</h1>')) break
      await sleep(500)
    }
    assert.match(body, /<h1>a<\/h1>/)
    const server = (await call('GET', `/compute/v2.1/servers/${servers.a!.id}`)).body.server
    const floating = Object.values(server.addresses as Record<string, { addr: string; 'OS-EXT-IPS:type': string }[]>).flat().filter((x) => x['OS-EXT-IPS:type'] === 'floating')
    assert.deepEqual(floating.map((x) => x.addr), [fip.floating_ip_address])
  })

  it('forwards a host port to a guest through a floating IP port forwarding', async () => {
    const port = (await call('GET', `/networking/v2.0/ports?device_id=${servers.b!.id}`)).body.ports[0]
    const free = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port
        probe.close(() => resolve(p))
      })
    })
    const fip = await cli(['floating', 'ip', 'create', 'public'])
    await cliRun(['floating', 'ip', 'port', 'forwarding', 'create', '--internal-ip-address', servers.b!.ip, '--port', port.id, '--internal-protocol-port', '80', '--external-protocol-port', String(free), '--protocol', 'tcp', fip.id])
    const end = Date.now() + 20_000
    let body = ''
    while (Date.now() < end) {
      body = await fetch(`http://127.0.0.1:${free}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), (e: Error) => e.message)
      if (body.includes('<h1>b</h1>')) break
      await sleep(500)
    }
    assert.match(body, /<h1>b<\/h1>/)
  })

  it('answers each guest\'s metadata requests with its own data only', async () => {
    const meta = JSON.parse(await eventually('a', 'timeout 5 wget -q -O - http://169.254.169.254/openstack/latest/meta_data.json'))
    assert.equal(meta.uuid, servers.a!.id)
    assert.equal(meta.name, 'a')
    const metaB = JSON.parse(await eventually('b', 'timeout 5 wget -q -O - http://169.254.169.254/openstack/latest/meta_data.json'))
    assert.equal(metaB.uuid, servers.b!.id)
    assert.equal((await eventually('a', 'timeout 5 wget -q -O - http://169.254.169.254/latest/meta-data/instance-id')).trim().length > 0, true)
    await fails('a', `timeout 5 wget -q -O - http://169.254.169.254/openstack/latest/user_data`)
    await fails('a', `timeout 5 wget -q -O - http://169.254.169.254/openstack/${servers.b!.id}/meta_data.json`)
  })

  it('keeps the guests connected across a restart of the cloud', async () => {
    for (const s of shells.values()) s.close()
    shells.clear()
    await cloud.stop({ keep: true })
    cloud = await startTestCloud({ dataDir: cloud.dataDir, env: { STACKLING_ON_QUIT: 'keep' } })
    token = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    // The guests ran on: the new cloud re-adopts them and its switch connects to their sockets again.
    await waitActive('a', servers.a!.id)
    await eventually('a', `ping -c 1 -W 2 ${servers.b!.ip}`, 30_000)
    await eventually('d', `ping -c 1 -W 2 ${servers.a!.ip}`, 30_000)
  })
})
