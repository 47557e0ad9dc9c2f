import assert from 'node:assert/strict'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { runHypervisorContract } from '../contract'
import { DriverError } from '../hypervisor-driver'
import { emptyQcow2, FakeDriver } from './fake-driver'

runHypervisorContract(
  'fake',
  async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-fake-'))
    const baseImage = path.join(dataDir, 'base.qcow2')
    await fs.writeFile(baseImage, emptyQcow2(64 * 1024 * 1024))
    return {
      driver: new FakeDriver({ dataDir }),
      baseImage,
      reopen: async () => new FakeDriver({ dataDir }),
      cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
    }
  },
  {
    timeoutMs: 10_000,
    guestPowersOff: async (driver, id) => (driver as FakeDriver).simulateGuestPowerOff(id),
    inspectSnapshot: async (file) => assert.equal((await fs.readFile(file)).subarray(0, 4).toString('latin1'), 'QFI\xfb'),
  },
)

describe('FakeDriver test hooks', () => {
  it('a snapshot in another format than the image is a valid empty disk of its size', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-fake-'))
    try {
      const base = path.join(dir, 'base.raw')
      await fs.writeFile(base, Buffer.alloc(3 * 1024 * 1024))
      const d = new FakeDriver()
      await d.spawn({ id: 'g2', name: 'g2', vcpus: 1, memoryMb: 64, instanceDir: path.join(dir, 'g2'), rootDisk: { baseImage: base, baseFormat: 'raw', sizeGb: 0 }, nics: [] }, { powerOn: true })
      await d.snapshot('g2', path.join(dir, 's.qcow2'), 'qcow2')
      const q = await fs.readFile(path.join(dir, 's.qcow2'))
      assert.equal(q.subarray(0, 4).toString('latin1'), 'QFI\xfb')
      assert.equal(q.readBigUInt64BE(24), BigInt(3 * 1024 * 1024))
      await d.snapshot('g2', path.join(dir, 's.raw'), 'raw')
      assert.equal((await fs.stat(path.join(dir, 's.raw'))).size, 3 * 1024 * 1024)
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it('failNext makes the next call of a method fail, once', async () => {
    const d = new FakeDriver()
    await d.initHost()
    d.failNext('initHost')
    await assert.rejects(d.initHost(), DriverError)
    await d.initHost()
    assert.deepEqual(d.calls.map((c) => c.method), ['initHost', 'initHost', 'initHost'])
  })

  it('simulateCrash reports crashed to listeners', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-fake-'))
    try {
      const base = path.join(dir, 'base')
      await fs.writeFile(base, '')
      const d = new FakeDriver()
      const seen: string[] = []
      d.onDidChangeState((e) => seen.push(`${e.id}:${e.state}`))
      await d.spawn({ id: 'g1', name: 'g1', vcpus: 1, memoryMb: 64, instanceDir: path.join(dir, 'g1'), rootDisk: { baseImage: base, baseFormat: 'raw', sizeGb: 0 }, nics: [] }, { powerOn: true })
      d.simulateCrash('g1')
      assert.deepEqual(seen, ['g1:crashed'])
      assert.equal((await d.getInfo('g1')).state, 'crashed')
      await d.powerOn('g1')
      assert.equal((await d.getInfo('g1')).state, 'running')
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })
})
