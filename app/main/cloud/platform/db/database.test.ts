import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Database } from './database'
import { migrate } from './migrations'
import { Conflict } from '../errors'

describe('Database (real SQLite file)', () => {
  let dir: string
  let db: Database
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-db-'))
    db = await Database.open(path.join(dir, 'test.db'))
    await migrate(db, [{ id: 't-0001', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);\nCREATE TABLE log (msg TEXT)' }])
  })
  after(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs in WAL mode with foreign keys on and durable commits', async () => {
    assert.equal((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))!.journal_mode, 'wal')
    assert.equal((await db.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))!.foreign_keys, 1)
    assert.equal((await db.get<{ synchronous: number }>('PRAGMA synchronous'))!.synchronous, 2)
  })

  it('applies each migration once', async () => {
    const again = await migrate(db, [{ id: 't-0001', sql: 'CREATE TABLE things (x)' }])
    assert.deepEqual(again, [])
  })

  it('rolls a failed transaction back entirely', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO log (msg) VALUES ('half')")
        throw new Error('boom')
      }),
      /boom/,
    )
    assert.equal((await db.get<{ n: number }>('SELECT COUNT(*) n FROM log'))!.n, 0)
  })

  it('turns a unique violation into a Conflict, one winner among parallel writers', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => db.transaction((tx) => tx.run("INSERT INTO things (name) VALUES ('same')"))),
    )
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    for (const r of results.filter((r) => r.status === 'rejected')) {
      assert.ok((r as PromiseRejectedResult).reason instanceof Conflict)
    }
  })

  it('keeps readers from seeing another transaction before it commits', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const writer = db.transaction(async (tx) => {
      await tx.run("INSERT INTO log (msg) VALUES ('pending')")
      await gate
    })
    await new Promise((r) => setTimeout(r, 10))
    const reader = db.get<{ n: number }>("SELECT COUNT(*) n FROM log WHERE msg = 'pending'")
    release()
    await writer
    assert.equal((await reader)!.n, 1, 'the read waited for the commit')
  })

  it('survives reopening: what committed is there', async () => {
    await db.run("INSERT INTO things (name) VALUES ('durable')")
    const other = await Database.open(path.join(dir, 'test.db'))
    assert.ok(await other.get("SELECT 1 FROM things WHERE name = 'durable'"))
    await other.close()
  })
})
