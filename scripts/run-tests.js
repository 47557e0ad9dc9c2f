#!/usr/bin/env node
// Runs the compiled test files with Node's own test runner: `node scripts/run-tests.js [unit|e2e] [filter]`.
// unit + integration tests sit beside their modules (build/app/**/*.test.js); e2e tests in build/e2e/specs.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const [kind = 'all', filter = ''] = process.argv.slice(2)

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const dirs = { unit: ['build/app'], e2e: ['build/e2e'], all: ['build/app', 'build/e2e'] }[kind]
if (!dirs) {
  console.error(`unknown test kind '${kind}' (unit, e2e or all)`)
  process.exit(2)
}
const files = dirs
  .map((d) => path.join(root, d))
  .filter((d) => fs.existsSync(d))
  .flatMap((d) => walk(d))
  .filter((f) => f.includes(filter))
  .sort()
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first')
  process.exit(1)
}
const args = ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files]
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: { ...process.env, STACKLING_TEST: '1' } })
process.exit(r.status ?? 1)
