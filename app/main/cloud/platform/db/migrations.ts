import type { Database } from './database'

/** One schema step. Ids sort in the order they must run within a service ("identity-0001-…"). */
export interface Migration {
  readonly id: string
  readonly sql: string
}

/**
 * Applies, in order and each in its own transaction, every migration not yet recorded in schema_migrations.
 * Idempotent: a second call with the same list does nothing. A failed step leaves the schema as it was before it.
 */
export async function migrate(db: Database, migrations: readonly Migration[]): Promise<string[]> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)',
  )
  const done = new Set((await db.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id))
  const applied: string[] = []
  for (const m of migrations) {
    if (done.has(m.id)) continue
    await db.transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.run(statement)
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, new Date().toISOString()])
    })
    applied.push(m.id)
  }
  return applied
}

/** Migrations are plain DDL: split on semicolons at line ends (no triggers with inner semicolons). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}
