import type { Socket } from 'node:net'

/** Largest frame accepted (jumbo 9000 + headers); a bigger length prefix means a broken stream. */
export const MAX_FRAME = 65535

/**
 * Splits QEMU's `-netdev stream` byte stream (each Ethernet frame as a 4-byte big-endian length and the frame)
 * into frames. `onFrame(buf, off, len)` gets a view into the received chunk: `buf[off-4, off+len)` is the
 * original record, so a frame forwarded unchanged is written without a copy. Only a record split across two
 * chunks is copied.
 */
export class FrameReader {
  private rest: Buffer | undefined

  constructor(private readonly onFrame: (buf: Buffer, off: number, len: number) => void, private readonly onError: (why: string) => void) {}

  push(chunk: Buffer): void {
    let buf = chunk
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk])
      this.rest = undefined
    }
    let pos = 0
    const end = buf.length
    while (end - pos >= 4) {
      const len = buf.readUInt32BE(pos)
      if (len > MAX_FRAME) {
        this.onError(`a frame of ${len} bytes (the stream is out of step)`)
        return
      }
      if (end - pos - 4 < len) break
      if (len >= 14) this.onFrame(buf, pos + 4, len)
      pos += 4 + len
    }
    if (pos < end) this.rest = buf.subarray(pos)
  }
}

/** A length-prefixed record of `frame` (a copy). */
export function record(frame: Buffer): Buffer {
  const r = Buffer.allocUnsafe(frame.length + 4)
  r.writeUInt32BE(frame.length, 0)
  frame.copy(r, 4)
  return r
}

/** Most bytes queued to one peer before new frames are dropped (a switch drops under congestion; it never buffers without end). */
const MAX_QUEUED = 4 * 1024 * 1024
/** Bytes queued to one peer above which the switch stops reading from the peers that send to it, until it drains. */
const PAUSE_AT = 1024 * 1024
/** A peer that takes nothing for this long has stopped reading (a paused guest): its senders stop waiting for it. */
const STALL_MS = 500

/**
 * Frames queued to one socket during the processing of one input chunk, written together (cork/uncork = one
 * writev) when the chunk is done. Above PAUSE_AT the peers that send here stop being read until it drains
 * (backpressure, as QEMU's own net queues do; reading on would only drop what was read). A peer that takes
 * nothing for STALL_MS is "stalled": nobody waits for it until it reads again. Above MAX_QUEUED frames are
 * dropped, and counted.
 */
export class FrameOutput {
  private pending: Buffer[] = []
  /** Write batches the kernel has taken so far: it grows while the peer reads. */
  private progress = 0
  private stalled = false
  private waiters: (() => void)[] = []
  private readonly written = () => {
    this.progress++
    this.stalled = false
  }
  dropped = 0
  sent = 0

  constructor(readonly socket: Socket) {}

  /** True when the inputs that just queued frames here should pause until `onDrained`. */
  get congested(): boolean {
    return !this.stalled && !this.socket.destroyed && this.socket.writableLength > PAUSE_AT
  }

  /** Calls `resume` once the socket has drained or closed, or once the peer has taken nothing for STALL_MS. */
  onDrained(resume: () => void): void {
    this.waiters.push(resume)
    if (this.waiters.length > 1) return
    let seen = this.progress
    let timer: NodeJS.Timeout | undefined
    const done = () => {
      clearTimeout(timer)
      this.socket.off('drain', done)
      this.socket.off('close', done)
      const w = this.waiters
      this.waiters = []
      for (const f of w) f()
    }
    const check = () => {
      if (this.progress === seen) {
        this.stalled = true
        return done()
      }
      seen = this.progress
      timer = setTimeout(check, STALL_MS)
    }
    timer = setTimeout(check, STALL_MS)
    this.socket.once('drain', done)
    this.socket.once('close', done)
  }

  /** Queues a record (4-byte prefix + frame). Returns false when dropped. */
  queue(rec: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableLength > MAX_QUEUED) {
      this.dropped++
      return false
    }
    this.pending.push(rec)
    return true
  }

  get hasPending(): boolean {
    return this.pending.length > 0
  }

  flush(): void {
    const p = this.pending
    if (!p.length) return
    this.pending = []
    this.sent += p.length
    if (p.length === 1) {
      this.socket.write(p[0]!, this.written)
      return
    }
    this.socket.cork()
    const last = p.length - 1
    for (let i = 0; i < last; i++) this.socket.write(p[i]!)
    this.socket.write(p[last]!, this.written)
    this.socket.uncork()
  }
}
