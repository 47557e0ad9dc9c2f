import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import path from 'node:path'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Structured log: one JSON object a line in <data-dir>/logs/stackling.log. */
export class Logger {
  private stream: WriteStream | undefined

  constructor(file: string | undefined, private readonly fields: Record<string, unknown> = {}, stream?: WriteStream) {
    if (stream) this.stream = stream
    else if (file) {
      mkdirSync(path.dirname(file), { recursive: true })
      this.stream = createWriteStream(file, { flags: 'a' })
    }
  }

  child(fields: Record<string, unknown>): Logger {
    return new Logger(undefined, { ...this.fields, ...fields }, this.stream)
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.stream) return
    this.stream.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...this.fields, ...fields }) + '\n')
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields)
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields)
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields)
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields)
  }

  close(): Promise<void> {
    const s = this.stream
    this.stream = undefined
    return new Promise((resolve) => (s ? s.end(resolve) : resolve()))
  }
}
