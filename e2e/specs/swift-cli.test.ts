import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'

/** Environment of a sourced <user>-openrc.sh (the file the cloud writes), for python3-swiftclient. */
export function openrcEnv(file: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' }
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (\w+)=(?:'([^']*)'|(\S*))$/.exec(line)
    if (m) env[m[1]!] = m[2] ?? m[3] ?? ''
  }
  return env
}

/** Runs the real `swift` CLI with an argument array. */
export function swift(env: Record<string, string>, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('swift', args, { env, cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')

describe('swift CLI (python3-swiftclient) against the object store', () => {
  let cloud: RunningCloud
  let work: string
  let env: Record<string, string>
  const ok = async (args: string[], cwd?: string) => {
    const r = await swift(env, args, cwd)
    assert.equal(r.code, 0, `swift ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }

  before(async () => {
    cloud = await startTestCloud()
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-swift-'))
    env = openrcEnv(path.join(cloud.dataDir, 'demo-openrc.sh'))
  })
  after(async () => {
    await cloud?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('the openrc carries OS_IDENTITY_API_VERSION=3 and swift stat works', async () => {
    assert.equal(env.OS_IDENTITY_API_VERSION, '3')
    const out = await ok(['stat'])
    assert.match(out, /Account: AUTH_[0-9a-f]+/)
    assert.match(out, /Containers: 0/)
  })

  it('uploads a folder, lists, downloads byte-identical, posts metadata, deletes', async () => {
    const up = path.join(work, 'up')
    mkdirSync(path.join(up, 'sub'), { recursive: true })
    const big = randomBytes(3 * 1024 * 1024 + 7)
    writeFileSync(path.join(up, 'big.bin'), big)
    writeFileSync(path.join(up, 'sub', 'a.txt'), 'hello\n')
    await ok(['upload', 'c1', 'up'], work)
    assert.deepEqual((await ok(['list', 'c1'])).trim().split('\n'), ['up/big.bin', 'up/sub/a.txt'])
    const dl = path.join(work, 'dl')
    mkdirSync(dl)
    await ok(['download', 'c1'], dl)
    assert.equal(md5(readFileSync(path.join(dl, 'up', 'big.bin'))), md5(big))
    assert.equal(readFileSync(path.join(dl, 'up', 'sub', 'a.txt'), 'utf8'), 'hello\n')
    await ok(['post', '-m', 'color:red', 'c1'])
    assert.match(await ok(['stat', 'c1']), /Meta Color: red/)
    assert.match(await ok(['stat', 'c1']), /Objects: 2/)
    await ok(['delete', 'c1', 'up/sub/a.txt'])
    assert.deepEqual((await ok(['list', 'c1'])).trim().split('\n'), ['up/big.bin'])
  })

  for (const mode of ['dlo', 'slo'] as const) {
    it(`uploads with --segment-size as a ${mode.toUpperCase()} and downloads it whole`, async () => {
      const file = path.join(work, `${mode}.bin`)
      const data = randomBytes(5 * 1024 * 1024 + 11)
      writeFileSync(file, data)
      await ok(['upload', ...(mode === 'slo' ? ['--use-slo'] : []), '--segment-size', String(1024 * 1024), `seg-${mode}`, `${mode}.bin`], work)
      const stat = await ok(['stat', `seg-${mode}`, `${mode}.bin`])
      assert.match(stat, new RegExp(`Content Length: ${data.length}`))
      if (mode === 'slo') assert.match(stat, /X-Static-Large-Object: True/)
      else assert.match(stat, /Manifest: /)
      const out = path.join(work, `${mode}.out`)
      await ok(['download', `seg-${mode}`, `${mode}.bin`, '-o', out])
      assert.equal(md5(readFileSync(out)), md5(data))
      assert.equal((await ok(['list', `seg-${mode}_segments`])).trim().split('\n').length, 6)
      await ok(['delete', `seg-${mode}`, `${mode}.bin`])
      assert.equal((await ok(['list', `seg-${mode}_segments`])).trim(), '')
    })
  }

  it('a public-read container is readable with a plain fetch, without a token; TempURLs give time-limited links', async () => {
    writeFileSync(path.join(work, 'pub.txt'), 'for everyone')
    await ok(['upload', 'pub', 'pub.txt'], work)
    const storageUrl = /OS_STORAGE_URL=(\S+)/.exec(await ok(['auth']))![1]!
    assert.equal((await fetch(`${storageUrl}/pub/pub.txt`)).status, 401)
    await ok(['post', '-r', '.r:*,.rlistings', 'pub'])
    assert.equal(await (await fetch(`${storageUrl}/pub/pub.txt`)).text(), 'for everyone')
    assert.equal(await (await fetch(`${storageUrl}/pub`)).text(), 'pub.txt\n')
    await ok(['post', '-r', '', 'pub'])
    assert.equal((await fetch(`${storageUrl}/pub/pub.txt`)).status, 401)

    await ok(['post', '-m', 'Temp-URL-Key:k3y'])
    const objPath = new URL(`${storageUrl}/pub/pub.txt`).pathname
    for (const digest of ['sha256', 'sha1']) {
      const signed = (await ok(['tempurl', '--digest', digest, 'GET', '60', objPath, 'k3y'])).trim()
      const res = await fetch(cloud.url + signed)
      assert.equal(res.status, 200, digest)
      assert.equal(await res.text(), 'for everyone')
    }
    const wrongKey = (await ok(['tempurl', 'GET', '60', objPath, 'other'])).trim()
    assert.equal((await fetch(cloud.url + wrongKey)).status, 401)
    const expired = (await ok(['tempurl', 'GET', '1', objPath, 'k3y'])).trim()
    await new Promise((r) => setTimeout(r, 2100))
    assert.equal((await fetch(cloud.url + expired)).status, 401)
  })

  it('another project gets 403 on the account; admins reach any account', async () => {
    const adminEnv = openrcEnv(path.join(cloud.dataDir, 'admin-openrc.sh'))
    const demoUrl = /OS_STORAGE_URL=(\S+)/.exec(await ok(['auth']))![1]!
    const adminAuth = await swift(adminEnv, ['auth'])
    const adminUrl = /OS_STORAGE_URL=(\S+)/.exec(adminAuth.stdout)![1]!
    await ok(['post', 'private'])
    const denied = await swift({ ...env, OS_STORAGE_URL: adminUrl }, ['list'])
    assert.notEqual(denied.code, 0)
    assert.match(denied.stderr, /403/)
    const asAdmin = await swift({ ...adminEnv, OS_STORAGE_URL: demoUrl }, ['list'])
    assert.equal(asAdmin.code, 0, asAdmin.stderr)
    assert.match(asAdmin.stdout, /private/)
  })
})
