import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'

const GiB = 1024 ** 3

/** Streams `total` bytes to a PUT, and calls `midway` once `killAt` bytes were accepted by the socket. */
function streamingPut(url: string, token: string, total: number, killAt: number, midway: () => void): Promise<string> {
  const u = new URL(url)
  const block = randomBytes(1024 * 1024)
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Length': total } })
    req.on('response', (res) => resolve(`answered ${res.statusCode}`))
    req.on('error', (err) => resolve(`failed: ${err.message}`))
    let sent = 0
    const pump = () => {
      while (sent < total) {
        if (sent >= killAt) {
          midway()
          return
        }
        sent += block.length
        if (!req.write(block)) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

describe('object store durability (kill -9, restart, reconcile)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-swift-kill-'))
  let cloud: RunningCloud | undefined
  after(async () => {
    await cloud?.stop({ keep: true })
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps acknowledged PUTs and leaves no trace of an upload killed at 600 MiB of 1 GiB', async () => {
    cloud = await startTestCloud({ dataDir })
    const token = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    const storage = (await (await fetch(`${cloud.url}/identity/v3/auth/tokens`, { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } })).json()) as { token: { project: { id: string } } }
    const acct = `${cloud.url}/object-store/v1/AUTH_${storage.token.project.id}`
    assert.equal((await fetch(`${acct}/keep`, { method: 'PUT', headers: { 'X-Auth-Token': token } })).status, 201)
    const small = randomBytes(100_000)
    const put = await fetch(`${acct}/keep/acknowledged`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: small })
    assert.equal(put.status, 201)
    for (const n of ['victim-a', 'victim-b']) await fetch(`${acct}/keep/${n}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: n })

    const child = cloud.process
    const outcome = await streamingPut(`${acct}/keep/huge`, token, GiB, 600 * 1024 * 1024, () => child.kill('SIGKILL'))
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))
    assert.match(outcome, /failed|answered 5/)
    const incoming = path.join(dataDir, 'objects', '.incoming')
    const partial = readdirSync(incoming)
    assert.equal(partial.length, 1, 'the interrupted upload left its temp file (removed at the next start)')
    assert.ok(statSync(path.join(incoming, partial[0]!)).size > 100 * 1024 * 1024)

    // Damage behind the store's back: a file no row names, and a row whose file is gone.
    const data = path.join(dataDir, 'objects', 'data')
    writeFileSync(path.join(data, '00000000-0000-4000-8000-000000000000'), 'stray')
    const files = readdirSync(data).filter((f) => !f.startsWith('00000000'))
    assert.equal(files.length, 3)

    cloud = await startTestCloud({ dataDir })
    const token2 = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    const acct2 = acct.replace(/^http:\/\/[^/]+/, cloud.url)
    assert.deepEqual(readdirSync(incoming), [])
    assert.ok(!readdirSync(data).includes('00000000-0000-4000-8000-000000000000'))
    const got = await fetch(`${acct2}/keep/acknowledged`, { headers: { 'X-Auth-Token': token2 } })
    assert.equal(got.status, 200)
    assert.equal(createHash('md5').update(Buffer.from(await got.arrayBuffer())).digest('hex'), createHash('md5').update(small).digest('hex'))
    assert.equal((await fetch(`${acct2}/keep/huge`, { method: 'HEAD', headers: { 'X-Auth-Token': token2 } })).status, 404)
    const head = await fetch(`${acct2}/keep`, { method: 'HEAD', headers: { 'X-Auth-Token': token2 } })
    assert.equal(head.headers.get('x-container-object-count'), '3')
    assert.equal(head.headers.get('x-container-bytes-used'), String(small.length + 16))

    // Now a row without its file: stop, remove one data file, start again.
    await cloud.stop({ keep: true })
    const sizes = readdirSync(data).map((n) => ({ n, size: statSync(path.join(data, n)).size }))
    const victim = sizes.find((s) => s.size === 8)!
    unlinkSync(path.join(data, victim.n))
    cloud = await startTestCloud({ dataDir })
    const token3 = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    const acct3 = acct.replace(/^http:\/\/[^/]+/, cloud.url)
    const list = (await (await fetch(`${acct3}/keep?format=json`, { headers: { 'X-Auth-Token': token3 } })).json()) as { name: string }[]
    assert.equal(list.length, 2)
    const head3 = await fetch(`${acct3}/keep`, { method: 'HEAD', headers: { 'X-Auth-Token': token3 } })
    assert.equal(head3.headers.get('x-container-object-count'), '2')
    assert.equal(head3.headers.get('x-container-bytes-used'), String(small.length + 8))
  })
})
