import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * Everything a bench starts (child processes, temp dirs) is registered here, so that `cleanupAll()` can end and
 * remove it whatever happened: a thrown error, Ctrl-C, or a helper that failed before handing us its child.
 */
const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()
const hooks = new Set<() => void>()

/**
 * A synchronous clean-up step for what neither a tracked child nor a temp dir covers (e.g. guests a cloud started
 * in their own session: killing the cloud does not end them). Runs first in cleanupAll; returns an unregister.
 */
export function onCleanup(fn: () => void): () => void {
  hooks.add(fn)
  return () => void hooks.delete(fn)
}

/**
 * SIGKILLs every process (other than this one) whose command line contains `text`, e.g. a temp dir only this
 * run's processes name, and returns their pids. Linux only (elsewhere: nothing).
 */
export function killProcessesNaming(text: string): number[] {
  if (process.platform !== 'linux' || !text) return []
  const killed: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) continue
      process.kill(Number(name), 'SIGKILL')
      killed.push(Number(name))
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return killed
}

export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  tempDirs.delete(dir)
}

/**
 * Synchronous, so it can run from an 'exit' handler: runs the onCleanup hooks, SIGKILLs every child we started
 * (the tracked ones, and by pid any other direct child of this process, e.g. one a fixture spawned and then lost
 * on a timeout), and removes every temp dir.
 */
export function cleanupAll(): void {
  for (const hook of hooks) {
    try {
      hook()
    } catch {
      // the next step must still run
    }
  }
  hooks.clear()
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  for (const pid of directChildPids()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

function directChildPids(): number[] {
  if (process.platform !== 'linux') return []
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')).ppid === process.pid) out.push(Number(name))
    } catch {
      // the process ended while we looked
    }
  }
  return out
}

export interface SpawnedServer {
  process: ChildProcess
  pid: number
  /** Milliseconds from spawn() to the ready line. */
  readyMs: number
  /** The first capture group of the ready pattern. */
  match: string
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Spawns `node ...args` and resolves when a line of its stdout matches `ready`. On timeout or early exit the
 * child is killed and the promise rejects with its output.
 */
export function spawnNode(args: string[], ready: RegExp, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SpawnedServer> {
  const t0 = process.hrtime.bigint()
  const child = trackChild(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env }))
  let out = ''
  child.stderr!.on('data', (d) => (out += d))
  return new Promise<SpawnedServer>((resolve, reject) => {
    let settled = false
    const fail = (msg: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${msg}: node ${args.join(' ')}\n${out}`))
    }
    const timer = setTimeout(() => fail('not ready in time'), opts.timeoutMs ?? 20_000)
    child.once('exit', (code) => fail(`exited with ${code} before it was ready`))
    child.stdout!.on('data', (d) => {
      out += d
      if (settled) return
      const m = ready.exec(out)
      if (!m) return
      const readyMs = Number(process.hrtime.bigint() - t0) / 1e6
      settled = true
      clearTimeout(timer)
      resolve({ process: child, pid: child.pid!, readyMs, match: m[1] ?? m[0], output: () => out, stop: (graceMs) => stopChild(child, graceMs) })
    })
  })
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** VmRSS of a process in MB (10^6 bytes, as the targets are written); Linux only, undefined elsewhere. */
export function rssMB(pid: number): number | undefined {
  const kib = procStatusKiB(pid, 'VmRSS')
  return kib === undefined ? undefined : (kib * 1024) / 1e6
}

/** Peak RSS (VmHWM) of a process in MB; Linux only. */
export function peakRssMB(pid: number): number | undefined {
  const kib = procStatusKiB(pid, 'VmHWM')
  return kib === undefined ? undefined : (kib * 1024) / 1e6
}

function procStatusKiB(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/** CPU seconds (user + system) a process has used so far (Linux only; undefined elsewhere). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const s = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    return (s.utime + s.stime) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/**
 * CPU seconds this process and its reaped descendants have used (utime + stime + cutime + cstime): once a child
 * has exited and been waited for, its CPU and that of the children it reaped are in here (Linux only).
 */
export function ownCpuSecondsWithReaped(): number | undefined {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8')
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return (Number(x[11]) + Number(x[12]) + Number(x[13]) + Number(x[14])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/** The whole machine's CPU seconds so far from /proc/stat: busy (user, nice, system, irq, softirq) and steal. */
export function hostCpuSeconds(): { busy: number; steal: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = f
    return { busy: (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS, steal: (steal ?? 0) / CLOCK_TICKS }
  } catch {
    return undefined
  }
}

// USER_HZ; 100 on every Linux build Node supports.
const CLOCK_TICKS = 100

function parseStat(stat: string): { ppid: number; utime: number; stime: number } {
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]) }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
