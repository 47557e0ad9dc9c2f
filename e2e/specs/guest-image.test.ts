import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/**
 * Boots the built stackling-tiny image (`npm run build:guest-image`) under bare QEMU/TCG, as the compute service
 * will: a qcow2 overlay on the image, a VFAT config drive labelled config-2, user networking with host forwards,
 * QMP on a unix socket. One VM serves every check below, in boot order.
 */

const ROOT = path.resolve(__dirname, '../../..')
// Where `npm run build:guest-image` puts it; STACKLING_GUEST_IMAGE_DIR as for the cloud itself.
const IMAGE_DIR = process.env.STACKLING_GUEST_IMAGE_DIR || path.join(ROOT, 'build', 'guest-image')
const IMAGE = path.join(IMAGE_DIR, 'stackling-tiny.qcow2')

/** The guest's console marker words (resources/guest-image/markers.json). */
interface GuestMarkers {
  boot: string
  net: string
  metadata: string
  sshHostKey: string
  userData: string
  ready: string
  shutdown: string
}
const MARKERS = JSON.parse(readFileSync(path.join(ROOT, 'resources', 'guest-image', 'markers.json'), 'utf8')) as GuestMarkers

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5ZBYa9O1Y1WxqTtqh1nVQmq4Zy0Lz7Rn4kq0pEwK7b stackling-e2e'
const META_DATA = {
  uuid: '0c6f3a2e-8d4b-4f7e-9a51-2b7c9e1d4f60',
  hostname: 'vm-test',
  name: 'vm-test',
  public_keys: { k: PUBLIC_KEY },
  launch_index: 0,
}
const USER_DATA = '#!/bin/sh\necho USERDATA-RAN\necho "USERDATA-KEYS $(cat /root/.ssh/authorized_keys)"\n'

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** A VFAT config drive as Nova lays it out: openstack/latest/{meta_data.json,user_data}, made with mtools. */
function makeConfigDrive(dir: string): string {
  const img = path.join(dir, 'config-2.img')
  writeFileSync(path.join(dir, 'meta_data.json'), JSON.stringify(META_DATA))
  writeFileSync(path.join(dir, 'user_data'), USER_DATA)
  run('mformat', ['-C', '-i', img, '-T', '2880', '-v', 'config-2', '::'])
  run('mmd', ['-i', img, '::/openstack', '::/openstack/latest'])
  run('mcopy', ['-i', img, path.join(dir, 'meta_data.json'), path.join(dir, 'user_data'), '::/openstack/latest/'])
  return img
}

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')))
    req.on('error', reject)
  })
}

function sshBanner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1')
    let data = ''
    sock.setTimeout(5000, () => sock.destroy(new Error('no SSH banner within 5 s')))
    sock.on('data', (d) => {
      data += d.toString('latin1')
      if (data.includes('\n')) {
        sock.destroy()
        resolve(data.split(/\r?\n/)[0]!)
      }
    })
    sock.on('error', reject)
    sock.on('close', () => reject(new Error(`connection closed before a banner (got ${JSON.stringify(data)})`)))
  })
}

/** Retries `fn` until it succeeds or `timeoutMs` passes (slirp forwards refuse until the guest listens). */
async function retry<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

/** Minimal QMP client: greeting, qmp_capabilities, then one command; resolves with the command's return. */
function qmp(socketPath: string, command: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath)
    let buf = ''
    let step = 0
    sock.setTimeout(10_000, () => sock.destroy(new Error('QMP timeout')))
    sock.on('error', reject)
    sock.on('data', (d) => {
      buf += d.toString('utf8')
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as { QMP?: unknown; return?: unknown; error?: { desc: string }; event?: string }
        buf = buf.slice(nl + 1)
        if (msg.event) continue
        if (msg.error) {
          sock.destroy()
          reject(new Error(`QMP error: ${msg.error.desc}`))
          return
        }
        if (step === 0 && msg.QMP) sock.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`)
        else if (step === 1) sock.write(`${JSON.stringify({ execute: command })}\n`)
        else if (step === 2) {
          sock.end()
          resolve(msg.return)
          return
        }
        step++
      }
    })
  })
}

describe('stackling-tiny guest image (QEMU, TCG)', { timeout: 300_000 }, () => {
  let tmp: string
  let qemu: ChildProcess | undefined
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  let consoleText = ''
  let startedAt = 0
  let httpPort = 0
  let sshPort = 0
  let qmpSocket = ''

  // Once a wait has failed the later ones fail at once instead of each waiting out its own timeout.
  let broken: Error | undefined
  const notBroken = () => {
    if (broken) throw new Error(`skipped because the guest did not boot (${broken.message.split('\n')[0]})`)
  }
  const tail = () => consoleText.split('\n').slice(-40).join('\n')
  const lines = () => consoleText.split(/\r?\n/).map((l) => l.replace(/\r/g, ''))

  /** Resolves with the first console line matching `re` (waits for it); rejects on timeout or QEMU exit. */
  function waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (broken) {
        reject(new Error(`not waiting for ${re}: an earlier step failed (${broken.message.split('\n')[0]})`))
        return
      }
      const check = (): boolean => {
        // Only complete lines count: the last element is the line still being printed.
        const found = lines().slice(0, -1).find((l) => re.test(l))
        if (found === undefined) return false
        cleanup()
        resolve(found)
        return true
      }
      const onExit = () => {
        if (check()) return
        cleanup()
        reject(new Error(`QEMU exited before a console line matched ${re}; console:\n${tail()}`))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no console line matched ${re} within ${timeoutMs} ms; console:\n${tail()}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        qemu?.stdout?.off('data', onData)
        qemu?.off('exit', onExit)
      }
      const onData = () => void check()
      if (check()) return
      qemu?.stdout?.on('data', onData)
      qemu?.once('exit', onExit)
    }).catch((err: Error) => {
      broken ??= err
      throw err
    })
  }

  before(async () => {
    if (!existsSync(IMAGE)) {
      throw new Error(`the guest image is not built (${IMAGE} is missing): run \`npm run build:guest-image\` first`)
    }
    tmp = mkdtempSync(path.join(os.tmpdir(), 'stackling-guest-'))
    const overlay = path.join(tmp, 'disk.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', IMAGE, '-F', 'qcow2', overlay])
    const configDrive = makeConfigDrive(tmp)
    httpPort = await freePort()
    sshPort = await freePort()
    qmpSocket = path.join(tmp, 'qmp.sock')
    const args = [
      '-accel', 'tcg', '-M', 'pc', '-m', '256', '-nodefaults', '-display', 'none', '-serial', 'stdio',
      '-drive', `file=${overlay},if=virtio,format=qcow2`,
      '-drive', `file=${configDrive},if=virtio,format=raw,readonly=on`,
      '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${httpPort}-:80,hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
      '-device', 'virtio-net-pci,netdev=n0,romfile=',
      '-qmp', `unix:${qmpSocket},server=on,wait=off`,
    ]
    startedAt = Date.now()
    qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    exited = new Promise((resolve) => qemu!.once('exit', (code, signal) => resolve({ code, signal })))
    qemu.stdout!.setEncoding('utf8')
    qemu.stdout!.on('data', (d: string) => (consoleText += d))
    qemu.stderr!.on('data', (d: Buffer) => (consoleText += `[qemu stderr] ${d.toString()}`))
    await new Promise<void>((resolve, reject) => {
      qemu!.once('spawn', resolve)
      qemu!.once('error', (err) => reject(new Error(`cannot start qemu-system-x86_64 (package qemu-system-x86): ${err.message}`)))
    })
  })

  after(async () => {
    if (qemu && qemu.exitCode === null && qemu.signalCode === null) {
      qemu.kill('SIGKILL')
      await exited
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  it('prints the boot marker', async (t) => {
    await waitForLine(new RegExp(`^${MARKERS.boot}$`), 120_000)
    t.diagnostic(`boot marker ${((Date.now() - startedAt) / 1000).toFixed(2)} s after spawn`)
  })

  it('gets 10.0.2.15 on eth0 by DHCP', async () => {
    const line = await waitForLine(new RegExp(`^${MARKERS.net} eth0 `), 60_000)
    assert.match(line, new RegExp(`^${MARKERS.net} eth0 10\\.0\\.2\\.15/24 52:54:00:12:34:56$`))
  })

  it('reads the config drive: hostname, SSH keys, user data, then prints the ready line', async (t) => {
    const ready = await waitForLine(new RegExp(`^${MARKERS.ready} `), 120_000)
    t.diagnostic(`ready marker ${((Date.now() - startedAt) / 1000).toFixed(2)} s after spawn`)
    assert.equal(ready, `${MARKERS.ready} hostname=vm-test ips=10.0.2.15`)
    const all = lines()
    assert.ok(all.some((l) => l.startsWith(`${MARKERS.metadata} source=config-drive:/dev/vd`)), `config drive not used:\n${tail()}`)
    assert.ok(all.includes('USERDATA-RAN'), `user data did not run:\n${tail()}`)
    assert.ok(all.includes(`USERDATA-KEYS ${PUBLIC_KEY}`), `the public key is not in authorized_keys:\n${tail()}`)
    assert.ok(all.includes(`${MARKERS.userData} exit=0`))
    assert.ok(all.indexOf('USERDATA-RAN') < all.indexOf(ready), 'user data runs before the ready line')
    assert.ok(all.some((l) => new RegExp(`^${MARKERS.sshHostKey} ed25519 SHA256:\\S+$`).test(l)), `no host key line:\n${tail()}`)
  })

  it('serves HTTP on port 80 with a page naming the host', async () => {
    notBroken()
    const res = await retry(() => httpGet(httpPort), 15_000)
    assert.equal(res.status, 200)
    assert.match(res.body, /<h1>vm-test<\/h1>/)
  })

  it('answers SSH on port 22 (dropbear)', async () => {
    notBroken()
    const banner = await retry(() => sshBanner(sshPort), 15_000)
    assert.match(banner, /^SSH-2\.0-dropbear/)
  })

  it('shuts down cleanly on QMP system_powerdown (ACPI power button)', async (t) => {
    notBroken()
    const asked = Date.now()
    await qmp(qmpSocket, 'system_powerdown')
    const result = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref()),
    ])
    assert.notEqual(result, 'timeout', `QEMU still runs 20 s after system_powerdown; console:\n${tail()}`)
    t.diagnostic(`QEMU exited ${((Date.now() - asked) / 1000).toFixed(2)} s after system_powerdown`)
    assert.deepEqual(result, { code: 0, signal: null })
    assert.ok(lines().includes(MARKERS.shutdown), `no shutdown marker line:\n${tail()}`)
    assert.match(consoleText, /reboot: Power down/)
  })
})
