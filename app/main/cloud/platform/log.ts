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

  /**
   * The access-log line of one request, built by hand: it is written for every request, and a generic
   * JSON.stringify of a spread object costs more than the rest of a cached token validation.
   */
  request(f: { requestId: string; method: string; path: string; status: number; ms: number; service?: string; userId?: string; projectId?: string }): void {
    if (!this.stream) return
    const opt = (k: string, v: string | undefined) => (v === undefined ? '' : `,"${k}":"${v}"`)
    this.stream.write(
      `{"time":"${new Date().toISOString()}","level":"info","msg":"request","pid":${process.pid},"request_id":"${f.requestId}",` +
        `"method":${JSON.stringify(f.method)},"path":${JSON.stringify(f.path)},"status":${f.status},"ms":${f.ms}` +
        `${opt('service', f.service)}${opt('user_id', f.userId)}${opt('project_id', f.projectId)}}\n`,
    )
  }

  close(): Promise<void> {
    const s = this.stream
    this.stream = undefined
    return new Promise((resolve) => (s ? s.end(resolve) : resolve()))
  }
}
