import { Worker } from 'node:worker_threads'

// Runs in the worker: hashes the batches it is sent (views of shared memory), acknowledging each one so the
// sender can bound what is in flight.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const hash = require('node:crypto').createHash(workerData.algorithm)
parentPort.on('message', (m) => {
  if (m === null) { parentPort.postMessage({ digest: hash.digest('hex') }); return }
  hash.update(new Uint8Array(m.buffer, 0, m.length))
  parentPort.postMessage({ ack: m.length })
})
`

const BATCH = 4 * 1024 * 1024

interface HashWorker {
  worker: Worker
  inFlight: number
  waiters: (() => void)[]
  digest: Promise<string>
}

/**
 * Hashes a stream of chunks with several algorithms, each in a worker thread of its own, so that hashing a
 * multi-GiB upload does not hold up the thread that serves HTTP. Chunks are copied once into 4 MiB batches of
 * shared memory that every worker reads; `update` waits while more than `maxInFlight` bytes are not hashed yet,
 * so memory stays bounded.
 */
export class ParallelHasher {
  private readonly workers: HashWorker[]
  private batch = new SharedArrayBuffer(BATCH)
  private filled = 0

  constructor(algorithms: string[], private readonly maxInFlight = 32 * 1024 * 1024) {
    this.workers = algorithms.map((algorithm) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm } })
      const entry: HashWorker = { worker, inFlight: 0, waiters: [], digest: Promise.resolve('') }
      entry.digest = new Promise<string>((resolve, reject) => {
        worker.on('message', (m: { ack?: number; digest?: string }) => {
          if (m.ack !== undefined) {
            entry.inFlight -= m.ack
            if (entry.inFlight <= this.maxInFlight) for (const w of entry.waiters.splice(0)) w()
          } else if (m.digest !== undefined) resolve(m.digest)
        })
        worker.once('error', reject)
        worker.once('exit', (code) => reject(new Error(`hash worker exited with ${code}`)))
      })
      entry.digest.catch(() => undefined)
      return entry
    })
  }

  async update(chunk: Buffer): Promise<void> {
    let offset = 0
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, BATCH - this.filled)
      new Uint8Array(this.batch, this.filled, n).set(chunk.subarray(offset, offset + n))
      this.filled += n
      offset += n
      if (this.filled === BATCH) this.send()
    }
    for (const w of this.workers) {
      if (w.inFlight > this.maxInFlight) await new Promise<void>((r) => w.waiters.push(r))
    }
  }

  /** The hex digests, in the order of the algorithms; the workers end. */
  async digest(): Promise<string[]> {
    if (this.filled > 0) this.send()
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
    for (const w of this.workers) {
      w.inFlight += this.filled
      w.worker.postMessage({ buffer: this.batch, length: this.filled })
    }
    this.batch = new SharedArrayBuffer(BATCH)
    this.filled = 0
  }
}
