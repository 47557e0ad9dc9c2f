#!/usr/bin/env node
// `npm start [-- --data-dir=DIR --port=PORT]`: the desktop app when Electron's binary is installed, otherwise the
// headless server (the same cloud; the dashboard opens in any browser). Builds first if build/ is missing. Signals
// go to the child once, and its exit status becomes ours.
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const args = process.argv.slice(2)

function ensureBuilt() {
  const entries = ['build/app/main/electron.js', 'build/app/main/serve.js', 'build/app/main/preload/index.js']
  if (entries.every((f) => fs.existsSync(path.join(root, f)))) return
  console.error('stackling: build/ is missing or incomplete; running `npm run build` first')
  // Under `npm start`, npm_execpath is npm's own script: run it with this Node instead of looking npm up on PATH.
  const npmCli = process.env.npm_execpath
  const r = npmCli
    ? spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

/**
 * The Electron executable, found the way node_modules/electron/index.js finds it, but without calling it: when the
 * binary is missing, that file tries to download it (and throws when it cannot).
 */
function findElectron() {
  let pkgDir
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json', { paths: [root] }))
  } catch {
    return { missing: 'the electron package is not installed (run `npm install`)' }
  }
  const pathFile = path.join(pkgDir, 'path.txt')
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : undefined
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const exe = override ? path.join(override, relative || 'electron') : relative && path.join(pkgDir, 'dist', relative)
  if (exe && fs.existsSync(exe)) return { exe }
  return {
    missing:
      'the electron package was installed without it (ELECTRON_SKIP_BINARY_DOWNLOAD) or its download failed; ' +
      'to get it, run `node node_modules/electron/install.js` where the Electron release downloads are reachable, ' +
      'or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron',
  }
}

/** Chromium reads `--name=value` only, so `--data-dir DIR` (the headless server's form too) is joined for it. */
function toSwitches(argv) {
  const out = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if ((a === '--data-dir' || a === '--port') && i + 1 < argv.length) out.push(`${a}=${argv[++i]}`)
    else out.push(a)
  }
  return out
}

function run(command, commandArgs) {
  // On POSIX the child gets its own process group, so Ctrl-C reaches it once (from us), not twice (from the
  // terminal and from us): the headless server stops cleanly on the first SIGINT and dies on a second.
  // On Windows the child shares our console and gets Ctrl-C from it; kill() there would terminate it outright.
  const windows = process.platform === 'win32'
  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE // would turn Electron into plain Node
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', detached: !windows, env })
  const forward = (signal) => {
    if (windows || child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, forward)
  child.on('error', (err) => {
    console.error(`stackling: could not start ${command}: ${err.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward)
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}

ensureBuilt()
const electron = findElectron()
if (electron.exe) {
  run(electron.exe, [root, ...toSwitches(args)])
} else {
  console.error(`stackling: Electron's binary is not installed here (${electron.missing}); starting headless instead.`)
  run(process.execPath, [path.join(root, 'build/app/main/serve.js'), ...args])
}
