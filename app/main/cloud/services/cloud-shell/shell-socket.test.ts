import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { mkdtempSync, rmSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import WebSocket from 'ws'
import { Logger } from '../../platform/log'
import { banner, PtySessions, sessionCloudsYaml, shellEnvironment, type ShellIdentity } from './pty-sessions'
import { checkHandshake, CLOSE, isLoopback, parseClientMessage, sameOrigin, SHELL_PROTOCOL, ShellSocketServer } from './shell-socket'

const WHO: ShellIdentity = {
  token: 'good-token',
  userName: 'demo',
  projectId: 'p-123',
  projectName: 'demo',
  authUrl: 'http://127.0.0.1:1/identity/v3',
  storageUrl: 'http://127.0.0.1:1/object-store/v1/AUTH_p-123',
}

const req = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => ({ headers, socket: { remoteAddress } })

describe('cloud shell handshake', () => {
  const origin = 'http://127.0.0.1:8799'
  const ok = { origin, 'sec-websocket-protocol': SHELL_PROTOCOL }

  it('accepts the cloud own origin, as 127.0.0.1 or localhost', () => {
    assert.equal(checkHandshake(req(ok), origin), undefined)
    assert.equal(checkHandshake(req({ ...ok, origin: 'http://localhost:8799' }), origin), undefined)
    assert.equal(checkHandshake(req(ok, '::ffff:127.0.0.1'), origin), undefined)
    assert.equal(checkHandshake(req(ok, '::1'), origin), undefined)
  })

  it('refuses a foreign, missing or look-alike Origin', () => {
    for (const o of ['http://evil.example', 'http://127.0.0.1:8800', 'https://127.0.0.1:8799', 'http://127.0.0.1.evil.example:8799', 'null', 'http://127.0.0.1:8799/x']) {
      assert.equal(checkHandshake(req({ ...ok, origin: o }), origin)?.status, 403, o)
    }
    assert.equal(checkHandshake(req({ 'sec-websocket-protocol': SHELL_PROTOCOL }), origin)?.status, 403)
  })

  it('refuses a peer that is not loopback', () => {
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', '']) {
      assert.equal(checkHandshake(req(ok, a), origin)?.status, 403, a)
    }
    assert.equal(isLoopback('127.8.9.10'), true)
  })

  it('wants the subprotocol', () => {
    assert.equal(checkHandshake(req({ origin }), origin)?.status, 400)
  })

  it('compares origins exactly', () => {
    assert.equal(sameOrigin('http://localhost:8799', 'http://127.0.0.1:8799'), true)
    assert.equal(sameOrigin('http://LOCALHOST:8799', 'http://127.0.0.1:8799'), false)
    assert.equal(sameOrigin('not a url', 'http://127.0.0.1:8799'), false)
  })

  it('parses client messages strictly', () => {
    assert.deepEqual(parseClientMessage('{"type":"auth","token":"t","cols":80,"rows":24}'), { type: 'auth', token: 't', cols: 80, rows: 24 })
    assert.deepEqual(parseClientMessage('{"type":"resize","cols":100,"rows":30}'), { type: 'resize', cols: 100, rows: 30 })
    assert.equal(parseClientMessage('{"type":"auth","token":""}'), undefined)
    assert.equal(parseClientMessage('{"type":"resize","cols":-1,"rows":30}'), undefined)
    assert.equal(parseClientMessage('{"type":"resize","cols":1.5,"rows":30}'), undefined)
    assert.equal(parseClientMessage('[1]'), undefined)
    assert.equal(parseClientMessage('nope'), undefined)
  })
})

describe('cloud shell session files', () => {
  it('writes a token-only clouds.yaml and strips the cloud process credentials from the environment', () => {
    const yaml = sessionCloudsYaml(WHO)
    assert.match(yaml, /auth_type: v3token/)
    assert.match(yaml, /token: "good-token"/)
    assert.match(yaml, /project_id: "p-123"/)
    assert.doesNotMatch(yaml, /password/)
    const env = shellEnvironment({ PATH: '/bin', OS_PASSWORD: 'admin-secret', OS_USERNAME: 'admin', STACKLING_X: '1' }, WHO, '/d/clouds.yaml')
    assert.equal(env.OS_PASSWORD, undefined)
    assert.equal(env.OS_USERNAME, undefined)
    assert.equal(env.OS_CLOUD, 'stackling-shell')
    assert.equal(env.OS_CLIENT_CONFIG_FILE, '/d/clouds.yaml')
    assert.equal(env.OS_AUTH_TOKEN, 'good-token')
    assert.equal(env.OS_STORAGE_URL, WHO.storageUrl)
    assert.equal(env.PATH, '/bin')
  })
})

describe('cloud shell banner', () => {
  it('says who the shell acts as, and how to install the CLI where it is missing', () => {
    const none = banner(WHO, { PATH: '/nonexistent' })
    assert.match(none, /act as demo on project demo/)
    assert.match(none, /openstack CLI is not installed/)
    assert.match(none, /pip install --user python-openstackclient python-swiftclient/)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-bin-'))
    try {
      writeFileSync(path.join(dir, 'openstack'), '#!/bin/sh\n', { mode: 0o755 })
      assert.doesNotMatch(banner(WHO, { PATH: dir }), /not installed/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('cloud shell websocket', { skip: process.platform === 'win32' ? 'posix shell' : false }, () => {
  let dataDir: string
  let server: http.Server
  let origin: string
  let sessions: PtySessions
  let shells: ShellSocketServer
  let log: Logger

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-shell-'))
    log = new Logger(path.join(dataDir, 'log'), {})
    sessions = new PtySessions(dataDir, { shell: { file: '/bin/sh', args: [] }, cwd: dataDir })
    server = http.createServer()
    shells = new ShellSocketServer(
      sessions,
      async (token) => {
        if (token !== 'good-token') throw new Error('invalid')
        return WHO
      },
      () => origin,
      log,
    )
    server.on('upgrade', (r, s, h) => shells.handleUpgrade(r, s, h))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  after(async () => {
    shells.close()
    sessions.closeAll()
    await new Promise((r) => server.close(r))
    await log.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const open = (headers: Record<string, string> = { Origin: origin }, protocols = [SHELL_PROTOCOL]) =>
    new WebSocket(`${origin.replace('http', 'ws')}/cloud-shell/v1/socket`, protocols, { headers })

  const closed = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })))
  const refused = (ws: WebSocket) => new Promise<number>((r) => ws.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)))

  it('refuses a foreign Origin at the handshake', async () => {
    const ws = open({ Origin: 'http://evil.example' })
    ws.on('error', () => undefined)
    assert.equal(await refused(ws), 403)
  })

  it('refuses a socket without an Origin', async () => {
    const ws = open({})
    ws.on('error', () => undefined)
    assert.equal(await refused(ws), 403)
  })

  it('closes with 4401 on an invalid token, 4400 on a first message that is not auth', async () => {
    const a = open()
    a.once('open', () => a.send(JSON.stringify({ type: 'auth', token: 'bad-token' })))
    assert.deepEqual(await closed(a), { code: CLOSE.unauthorized, reason: 'invalid or expired token' })
    const b = open()
    b.once('open', () => b.send(JSON.stringify({ type: 'input', data: 'id\r' })))
    assert.equal((await closed(b)).code, CLOSE.badMessage)
    assert.equal(sessions.size, 0)
  })

  it('runs a shell with the session clouds.yaml, resizes, and kills its process group on close', async () => {
    const ws = open()
    let out = ''
    ws.on('message', (d, binary) => {
      if (binary) out += d.toString()
    })
    await new Promise((r) => ws.once('open', r))
    ws.send(JSON.stringify({ type: 'auth', token: 'good-token', cols: 100, rows: 30 }))
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 25))
      assert.match(out, re)
      return re.exec(out)!
    }
    ws.send(JSON.stringify({ type: 'input', data: 'echo "cfg=$OS_CLIENT_CONFIG_FILE cloud=$OS_CLOUD pid=$$"; stty size; sleep 300 & echo "bg=$!"\r' }))
    const m = await until(/cfg=(\S+) cloud=stackling-shell pid=(\d+)/)
    const cfg = m[1]!
    const pid = Number(m[2])
    await until(/30 100/)
    const bg = Number((await until(/bg=(\d+)/))[1])
    assert.equal(statSync(cfg).mode & 0o777, 0o600)
    assert.match(readFileSync(cfg, 'utf8'), /token: "good-token"/)
    ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }))
    ws.send(Buffer.from('stty size\r'))
    await until(/40 120/)
    ws.close()
    const gone = async (p: number) => {
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(p, 0)
        } catch {
          return true
        }
        await new Promise((r) => setTimeout(r, 25))
      }
      return false
    }
    assert.ok(await gone(pid), 'the shell is gone')
    assert.ok(await gone(bg), 'its background job is gone')
    assert.equal(existsSync(cfg), false, 'clouds.yaml is deleted')
  })

  it('ends a socket that sends an oversized frame, and keeps serving', async () => {
    const big = open()
    big.on('error', () => undefined)
    await new Promise((r) => big.once('open', r))
    big.send(Buffer.alloc(3 << 20))
    assert.equal((await closed(big)).code, 1009)
    const next = open()
    await new Promise((r) => next.once('open', r))
    next.send(JSON.stringify({ type: 'auth', token: 'bad-token' }))
    assert.equal((await closed(next)).code, CLOSE.unauthorized)
  })

  it('closes the socket with 1000 when the shell exits', async () => {
    const ws = open()
    await new Promise((r) => ws.once('open', r))
    ws.send(JSON.stringify({ type: 'auth', token: 'good-token' }))
    ws.once('message', () => ws.send(JSON.stringify({ type: 'input', data: 'exit 3\r' })))
    assert.equal((await closed(ws)).code, 1000)
  })
})
