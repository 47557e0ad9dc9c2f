import sqlite3 from 'sqlite3'
import { Conflict } from '../errors'

export type SqlValue = string | number | bigint | null | Buffer
export type SqlParams = SqlValue[] | Record<string, SqlValue>

/** What a transaction body may do: SQL only, no other I/O, so that it is short and cannot block the queue. */
export interface SqlExecutor {
  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T | undefined>
  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>
  run(sql: string, params?: SqlParams): Promise<{ changes: number; lastID: number }>
}

/**
 * The one SQLite connection of the cloud (sqlite3 package, N-API). WAL, foreign keys on, synchronous=FULL so
 * that a commit that returned survives a crash. Transactions run one at a time (BEGIN IMMEDIATE); reads issued
 * while a transaction is open wait for it, so they never see uncommitted rows of another request.
 */
export class Database implements SqlExecutor {
  private txQueue: Promise<unknown> = Promise.resolve()
  private txIdle: Promise<void> = Promise.resolve()

  private constructor(private readonly db: sqlite3.Database, readonly file: string) {}

  static async open(file: string): Promise<Database> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)))
    })
    const db = new Database(raw, file)
    await db.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    )
    return db
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())))
  }

  async get<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    await this.txIdle
    return this.rawGet<T>(sql, params)
  }

  async all<T = Record<string, unknown>>(sql: string, params: SqlParams = []): Promise<T[]> {
    await this.txIdle
    return this.rawAll<T>(sql, params)
  }

  /** A single statement outside an explicit transaction is its own transaction; it still queues behind others. */
  run(sql: string, params: SqlParams = []): Promise<{ changes: number; lastID: number }> {
    return this.transaction((tx) => tx.run(sql, params))
  }

  /**
   * Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back if it throws, and rethrows. A UNIQUE violation
   * becomes a Conflict (409) unless the body catches it first.
   */
  transaction<T>(body: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const tx: SqlExecutor = {
      get: (sql, params = []) => this.rawGet(sql, params),
      all: (sql, params = []) => this.rawAll(sql, params),
      run: (sql, params = []) => this.rawRun(sql, params),
    }
    const result = this.txQueue.then(async () => {
      let release!: () => void
      this.txIdle = new Promise<void>((r) => (release = r))
      try {
        await this.rawRun('BEGIN IMMEDIATE')
        try {
          const value = await body(tx)
          await this.rawRun('COMMIT')
          return value
        } catch (err) {
          await this.rawRun('ROLLBACK').catch(() => undefined)
          throw translateSqliteError(err)
        }
      } finally {
        release()
      }
    })
    this.txQueue = result.catch(() => undefined)
    return result
  }

  close(): Promise<void> {
    return this.txQueue.then(
      () => new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve()))),
    )
  }

  private rawGet<T>(sql: string, params: SqlParams): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.db.get(sql, params, (err: Error | null, row: T) => (err ? reject(err) : resolve(row))),
    )
  }

  private rawAll<T>(sql: string, params: SqlParams): Promise<T[]> {
    return new Promise((resolve, reject) =>
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))),
    )
  }

  private rawRun(sql: string, params: SqlParams = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) =>
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err)
        else resolve({ changes: this.changes, lastID: this.lastID })
      }),
    )
  }
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(e.message ?? '')
}

/** A unique-index violation is a client conflict; everything else stays what it was (a bug: 500). */
function translateSqliteError(err: unknown): unknown {
  if (isUniqueViolation(err)) {
    return new Conflict('Conflict occurred attempting to store the resource: a resource with the same unique name exists.')
  }
  return err
}
