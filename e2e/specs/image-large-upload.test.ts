import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { Readable } from 'node:stream'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'

const GiB = 1024 ** 3

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : 0
}

/** 2 GiB through the real server process: its memory must stay flat both ways (streamed end to end). */
describe('a 2 GiB image upload and download', () => {
  let cloud: RunningCloud
  let token: string

  before(async () => {
    cloud = await startTestCloud()
    token = await passwordLogin(cloud.url, 'admin', cloud.admin.password, 'admin')
  })
  after(async () => {
    await cloud?.stop()
  })

  it('keeps the server RSS flat', async (t) => {
    const pid = cloud.process.pid!
    const create = await fetch(`${cloud.url}/image/v2/images`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
      body: JSON.stringify({ name: 'two-gib', disk_format: 'raw', container_format: 'bare' }),
    })
    const { id } = (await create.json()) as { id: string }
    const baseline = rssMb(pid)
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100)
    try {
      const chunk = Buffer.alloc(1024 * 1024, 0x5a)
      let sent = 0
      const body = new Readable({
        read() {
          if (sent >= 2 * GiB) return this.push(null)
          sent += chunk.length
          this.push(chunk)
        },
      })
      const u = new URL(cloud.url)
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: u.hostname, port: u.port, method: 'PUT', path: `/image/v2/images/${id}/file`, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': 2 * GiB } },
          (res) => {
            res.resume()
            resolve(res.statusCode!)
          },
        )
        req.on('error', reject)
        body.pipe(req)
      })
      assert.equal(status, 204)
      const uploadPeak = peak

      const dl = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: u.hostname, port: u.port, path: `/image/v2/images/${id}/file`, headers: { 'X-Auth-Token': token } }, (res) => {
            let n = 0
            res.on('data', (d: Buffer) => (n += d.length))
            res.on('end', () => resolve(n))
          })
          .on('error', reject)
      })
      assert.equal(dl, 2 * GiB)
      t.diagnostic(`server RSS: baseline ${baseline.toFixed(0)} MB, upload peak ${uploadPeak.toFixed(0)} MB, download peak ${peak.toFixed(0)} MB`)
      // Streaming keeps a few MiB in flight; buffering would add 2 GiB.
      assert.ok(uploadPeak - baseline < 150, `upload grew RSS by ${(uploadPeak - baseline).toFixed(0)} MB (baseline ${baseline.toFixed(0)} MB)`)
      assert.ok(peak - baseline < 150, `download grew RSS by ${(peak - baseline).toFixed(0)} MB`)
    } finally {
      clearInterval(sampler)
    }
  })
})

describe('a cloud killed with SIGKILL in the middle of an upload', () => {
  it('restarts with the image queued again and no partial bytes on disk', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs')
    const os = await import('node:os')
    const path = await import('node:path')
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-img-kill-'))
    try {
      const first = await startTestCloud({ dataDir })
      const login = (url: string) => passwordLogin(url, 'admin', first.admin.password, 'admin')
      const token = await login(first.url)
      const created = await fetch(`${first.url}/image/v2/images`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token },
        body: JSON.stringify({ name: 'doomed', disk_format: 'raw', container_format: 'bare' }),
      })
      const { id } = (await created.json()) as { id: string }
      const u = new URL(first.url)
      const req = http.request({ host: u.hostname, port: u.port, method: 'PUT', path: `/image/v2/images/${id}/file`, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': GiB } })
      req.on('error', () => undefined)
      const chunk = Buffer.alloc(1024 * 1024)
      for (let i = 0; i < 64; i++) req.write(chunk)
      await new Promise((r) => setTimeout(r, 300))
      first.process.kill('SIGKILL')
      await new Promise((r) => first.process.once('exit', r))
      req.destroy()

      const second = await startTestCloud({ dataDir })
      try {
        const t2 = await login(second.url)
        const shown = (await (await fetch(`${second.url}/image/v2/images/${id}`, { headers: { 'X-Auth-Token': t2 } })).json()) as { status: string; size: number | null }
        assert.equal(shown.status, 'queued')
        assert.equal(shown.size, null)
        assert.deepEqual(readdirSync(path.join(dataDir, 'images', '.incoming')), [])
        assert.ok(!readdirSync(path.join(dataDir, 'images')).includes(id))
      } finally {
        await second.stop()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
