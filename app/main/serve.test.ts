import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from './serve'
import { passwordLogin } from './cloud/testing/password-login'

const SERVE = path.join(__dirname, 'serve.js')

function run(args: string[]) {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /Stackling is ready: (http:\/\/\S+?)\/ /.exec(out)
      if (m) resolve(m[1]!)
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  ready.catch(() => undefined)
  return { child, ready, exited, output: () => out }
}

const login = passwordLogin

describe('parseArgs', () => {
  it('reads --data-dir and --port in both spellings', () => {
    assert.deepEqual(parseArgs(['--data-dir', '/d', '--port=1234'], {}), { dataDir: '/d', port: 1234 })
  })
  it('rejects a bad port or an unknown flag with a message', () => {
    assert.match((parseArgs(['--port', 'abc'], {}) as { error: string }).error, /--port needs a number/)
    assert.match((parseArgs(['--port', '70000'], {}) as { error: string }).error, /--port/)
    assert.match((parseArgs(['--bogus'], {}) as { error: string }).error, /unknown option '--bogus'/)
  })
})

describe('npm run serve (the headless process)', () => {
  it('starts, prints one ready line, keeps data across restarts, rewrites clouds.yaml, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-serve-'))
    try {
      const first = run(['--data-dir', dir, '--port', '0'])
      const url = await first.ready
      assert.match(first.output(), /First start: created the admin and demo accounts/)
      assert.equal(first.output().match(/Stackling is ready/g)!.length, 1)
      const creds = JSON.parse(readFileSync(path.join(dir, 'credentials.json'), 'utf8'))
      const token = await login(url, 'admin', creds.admin.password, 'admin')
      const made = await fetch(`${url}/identity/v3/projects`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
        body: JSON.stringify({ project: { name: 'kept' } }),
      })
      assert.equal(made.status, 201)
      first.child.kill('SIGTERM')
      assert.equal(await first.exited, 0)

      const second = run(['--data-dir', dir, '--port', '0'])
      const url2 = await second.ready
      assert.doesNotMatch(second.output(), /First start/)
      assert.match(readFileSync(path.join(dir, 'clouds.yaml'), 'utf8'), new RegExp(`auth_url: ${url2}/identity`))
      const token2 = await login(url2, 'admin', creds.admin.password, 'admin')
      const list = (await (await fetch(`${url2}/identity/v3/projects?name=kept`, { headers: { "X-Auth-Token": token2 } })).json()) as { projects: unknown[] }
      assert.equal(list.projects.length, 1)
      // A token issued before the restart is still valid after it.
      assert.equal((await fetch(`${url2}/identity/v3/auth/catalog`, { headers: { 'X-Auth-Token': token } })).status, 200)
      second.child.kill('SIGINT')
      assert.equal(await second.exited, 0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('loses nothing it acknowledged when killed with SIGKILL mid-work', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-kill-'))
    try {
      const a = run(['--data-dir', dir, '--port', '0'])
      const url = await a.ready
      const creds = JSON.parse(readFileSync(path.join(dir, 'credentials.json'), 'utf8'))
      const token = await login(url, 'admin', creds.admin.password, 'admin')
      const acknowledged: string[] = []
      const create = async (i: number) => {
        const res = await fetch(`${url}/identity/v3/projects`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
          body: JSON.stringify({ project: { name: `k${i}` } }),
        }).catch(() => undefined)
        if (res?.status === 201) acknowledged.push(`k${i}`)
      }
      // Writers in flight when the kill lands.
      const inflight = Array.from({ length: 40 }, (_, i) => new Promise((r) => setTimeout(r, i * 3)).then(() => create(i)))
      await new Promise((r) => setTimeout(r, 60))
      a.child.kill('SIGKILL')
      await Promise.all(inflight)
      await a.exited
      assert.ok(acknowledged.length > 0, 'some creates were acknowledged before the kill')

      const b = run(['--data-dir', dir, '--port', '0'])
      const url2 = await b.ready
      const token2 = await login(url2, 'admin', creds.admin.password, 'admin')
      const names = new Set((((await (await fetch(`${url2}/identity/v3/projects`, { headers: { "X-Auth-Token": token2 } })).json()) as { projects: { name: string }[] }).projects).map((p) => p.name))
      for (const n of acknowledged) assert.ok(names.has(n), `acknowledged project ${n} survived`)
      b.child.kill('SIGTERM')
      await b.exited
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('says clearly when the port is taken', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-port-'))
    try {
      const a = run(['--data-dir', dir, '--port', '0'])
      const port = new URL(await a.ready).port
      const b = run(['--data-dir', path.join(dir, 'other'), '--port', port])
      assert.equal(await b.exited, 2)
      assert.match(b.output(), new RegExp(`Port ${port} on 127.0.0.1 is already in use .*--port`))
      a.child.kill('SIGTERM')
      await a.exited
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
