#!/usr/bin/env node
// `npm run bench [-- identity startup memory]`: rebuilds the Node side (npm run build:main) when build/ is missing
// or older than its sources, then runs build/bench/run-all.js. Results: stdout table + bench-results/latest.json.
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const runAll = path.join(root, 'build', 'bench', 'run-all.js')

// What tsconfig.node.json compiles (and what the bench runs), and the files that stand for its output.
const SOURCE_DIRS = ['app/main', 'app/shared', 'e2e', 'bench']
const SKIP = [path.join('app', 'main', 'shell'), path.join('app', 'main', 'preload'), path.join('app', 'main', 'electron.ts')]
const CONFIGS = ['tsconfig.base.json', 'tsconfig.node.json']
// tsc rewrites only the outputs whose text changed, but always the build info: that is the build's timestamp.
const BUILD_INFO = 'build/.tsbuildinfo-node'
const OUTPUTS = [BUILD_INFO, 'build/bench/run-all.js', 'build/app/main/serve.js']

function newestSource() {
  let newest = 0
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (SKIP.some((s) => p === path.join(root, s))) continue
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs)
    }
  }
  for (const d of SOURCE_DIRS) walk(path.join(root, d))
  for (const c of CONFIGS) newest = Math.max(newest, fs.statSync(path.join(root, c)).mtimeMs)
  return newest
}

/** undefined when up to date, else why not. */
function staleness() {
  for (const o of OUTPUTS) if (!fs.existsSync(path.join(root, o))) return `${o} is missing`
  return newestSource() > fs.statSync(path.join(root, BUILD_INFO)).mtimeMs ? 'sources changed since the last build' : undefined
}

const why = staleness()
if (why) {
  process.stderr.write(`bench: ${why}; running npm run build:main\n`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, ['run', 'build:main'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) {
    // tsc -b builds each project on its own: an error in another project (the Electron shell, the preload) still
    // leaves the Node side the bench runs built. Go on if it is, and say so.
    const still = staleness()
    if (still) {
      process.stderr.write(`bench: npm run build:main failed and ${still}\n`)
      process.exit(r.status ?? 1)
    }
    process.stderr.write('bench: npm run build:main reported errors (above), but the Node build the bench runs is up to date; going on\n')
  }
}

const child = spawn(process.execPath, [runAll, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' })
// run-all.js stops its servers on SIGINT/SIGTERM; pass them on even when only this process was signalled.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
