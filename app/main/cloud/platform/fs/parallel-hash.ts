import { Worker } from 'node:worker_threads'

// Runs in the worker: hashes the batches it is sent (views of shared memory) and gives each back when done.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const hash = require('node:crypto').createHash(workerData.algorithm)
const buffers = workerData.buffers
parentPort.on('message', (m) => {
  if (m === null) { parentPort.postMessage({ digest: hash.digest('hex') }); return }
  hash.update(new Uint8Array(buffers[m.slot], 0, m.length))
  parentPort.postMessage({ done: m.slot })
})
`

const BATCH = 4 * 1024 * 1024

/**
 * Hashes a stream of chunks with several algorithms, each in a worker thread of its own, so that hashing a
 * multi-GiB upload does not hold up the thread that serves HTTP. Chunks are copied once into a fixed ring of
 * shared-memory batches (`slots` × 4 MiB) that every worker reads; a batch is reused only when all workers are
 * done with it, and `update` waits for a free one, so memory stays bounded whatever the size of the stream.
 */
export class ParallelHasher {
  private readonly buffers: SharedArrayBuffer[]
  private readonly pending: number[]
  private readonly free: number[]
  private readonly waiters: (() => void)[] = []
  private readonly workers: { worker: Worker; digest: Promise<string> }[]
  private slot = -1
  private filled = 0

  constructor(algorithms: string[], slots = 8) {
    this.buffers = Array.from({ length: slots }, () => new SharedArrayBuffer(BATCH))
    this.pending = new Array<number>(slots).fill(0)
    this.free = [...this.buffers.keys()]
    this.workers = algorithms.map((algorithm) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, buffers: this.buffers } })
      const digest = new Promise<string>((resolve, reject) => {
        worker.on('message', (m: { done?: number; digest?: string }) => {
          if (m.done !== undefined) {
            if (--this.pending[m.done]! === 0) {
              this.free.push(m.done)
              this.waiters.shift()?.()
            }
          } else if (m.digest !== undefined) resolve(m.digest)
        })
        worker.once('error', reject)
        worker.once('exit', (code) => reject(new Error(`hash worker exited with ${code}`)))
      })
      digest.catch(() => undefined)
      return { worker, digest }
    })
  }

  async update(chunk: Buffer): Promise<void> {
    let offset = 0
    while (offset < chunk.length) {
      if (this.slot < 0) {
        while (!this.free.length) await new Promise<void>((r) => this.waiters.push(r))
        this.slot = this.free.shift()!
        this.filled = 0
      }
      const n = Math.min(chunk.length - offset, BATCH - this.filled)
      new Uint8Array(this.buffers[this.slot]!, this.filled, n).set(chunk.subarray(offset, offset + n))
      this.filled += n
      offset += n
      if (this.filled === BATCH) this.send()
    }
  }

  /** The hex digests, in the order of the algorithms; the workers end. */
  async digest(): Promise<string[]> {
    if (this.slot >= 0 && this.filled > 0) this.send()
    for (const w of this.workers) w.worker.postMessage(null)
    try {
      return await Promise.all(this.workers.map((w) => w.digest))
    } finally {
      this.close()
    }
  }

  /** Idempotent; call on failure. */
  close(): void {
    for (const w of this.workers) void w.worker.terminate()
  }

  private send(): void {
    this.pending[this.slot] = this.workers.length
    for (const w of this.workers) w.worker.postMessage({ slot: this.slot, length: this.filled })
    this.slot = -1
    this.filled = 0
  }
}
