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

/**
 * Frames queued to one socket during the processing of one input chunk, written together (cork/uncork = one
 * writev) when the chunk is done. Dropped, and counted, when the peer does not keep up.
 */
export class FrameOutput {
  private pending: Buffer[] = []
  dropped = 0
  sent = 0

  constructor(readonly socket: Socket) {}

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
      this.socket.write(p[0]!)
      return
    }
    this.socket.cork()
    for (const b of p) this.socket.write(b)
    this.socket.uncork()
  }
}
