import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { DurableFileWriter } from './durable-writer'
import { ParallelHasher } from './parallel-hash'

describe('ParallelHasher', () => {
  it('computes the same digests as node:crypto over odd-sized chunks', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 17)
    const h = new ParallelHasher(['md5', 'sha512'], 2)
    for (let i = 0; i < data.length; i += 100_003) await h.update(data.subarray(i, i + 100_003))
    const [md5, sha512] = await h.digest()
    assert.equal(md5, createHash('md5').update(data).digest('hex'))
    assert.equal(sha512, createHash('sha512').update(data).digest('hex'))
  })
  it('hashes nothing as the empty digest', async () => {
    const [md5] = await new ParallelHasher(['md5']).digest()
    assert.equal(md5, 'd41d8cd98f00b204e9800998ecf8427e')
  })
})

describe('DurableFileWriter', () => {
  it('writes every byte, syncing along the way, and refuses to overwrite', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-dw-'))
    try {
      const file = path.join(dir, 'out')
      const data = randomBytes(3 * 1024 * 1024 + 5)
      await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), new DurableFileWriter(file, { syncEvery: 1024 * 1024 }))
      assert.ok(readFileSync(file).equals(data))
      await assert.rejects(pipeline(Readable.from([Buffer.from('x')]), new DurableFileWriter(file)), /EEXIST/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
