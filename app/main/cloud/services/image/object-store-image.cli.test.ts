import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

const run = promisify(execFile)
const hasGlance = (() => {
  try {
    execFileSync('glance', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/**
 * The unmodified python-glanceclient (`glance … --store`, Glance multi-store) against the object-store backend.
 * OpenStackClient 6.0 has no --store on `image create`, so this is the CLI that exercises the header.
 */
describe('glance CLI: images in the object store', { skip: hasGlance ? false : 'the glance CLI is not installed' }, () => {
  let t: TestCloud
  let work: string
  const glance = async (args: string[]) => {
    const env = {
      ...process.env,
      OS_AUTH_URL: `${t.url}/identity/v3`,
      OS_USERNAME: t.demo.username,
      OS_PASSWORD: t.demo.password,
      OS_PROJECT_NAME: t.demo.project,
      OS_USER_DOMAIN_ID: 'default',
      OS_PROJECT_DOMAIN_ID: 'default',
      OS_IDENTITY_API_VERSION: '3',
      OS_IMAGE_API_VERSION: '2',
      OS_CLOUD: '',
    }
    // Async: the cloud runs in this process and must keep answering while the CLI waits.
    return (await run('glance', args, { env, timeout: 60_000 })).stdout
  }

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-glance-cli-'))
  })
  after(async () => {
    await t.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('lists the stores, creates with --store object-store, shows where it is and downloads byte-identical', async () => {
    const stores = await glance(['stores-info'])
    assert.match(stores, /object-store/)
    assert.match(stores, /file/)

    const file = path.join(work, 'disk.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '24M'])
    const data = readFileSync(file)
    const created = await glance(['image-create', '--name', 'cli-swift', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', file, '--store', 'object-store'])
    const id = /\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/.exec(created)?.[1]
    assert.ok(id, created)
    const shown = await glance(['image-show', id])
    assert.match(shown, /\|\s*status\s*\|\s*active\s*\|/)
    assert.match(shown, /\|\s*stores\s*\|\s*object-store\s*\|/)
    assert.match(shown, new RegExp(`\\|\\s*checksum\\s*\\|\\s*${createHash('md5').update(data).digest('hex')}\\s*\\|`))

    const out = path.join(work, 'saved.qcow2')
    await glance(['image-download', '--file', out, id])
    assert.ok(readFileSync(out).equals(data), 'byte-identical')

    await assert.rejects(glance(['image-create', '--name', 'bad', '--disk-format', 'qcow2', '--container-format', 'bare', '--file', file, '--store', 'ceph']))
    await glance(['image-delete', id])
  })
})
