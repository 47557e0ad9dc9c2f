import { randomUUID } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { accessSync, constants as fsConstants, mkdirSync, promises as fs, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { IPty } from 'node-pty'

/** Who the shell acts as: the dashboard user's token and where their cloud is. */
export interface ShellIdentity {
  token: string
  userName: string
  projectId: string
  projectName: string
  /** The Keystone v3 URL, e.g. http://127.0.0.1:8799/identity/v3 */
  authUrl: string
  /** The project's Swift account URL (for `swift`, which reads no clouds.yaml); undefined without an object store. */
  storageUrl?: string
  /** ISO 8601: the shell's credentials end with the token. */
  expiresAt?: string
}

export interface ShellSize {
  cols: number
  rows: number
}

/** One running shell. Output is bytes as the pty wrote them (UTF-8 split anywhere). */
export interface ShellSession {
  readonly id: string
  /** The pty's process id (the leader of its process group). */
  readonly pid: number
  write(data: string | Buffer): void
  resize(size: ShellSize): void
  /** Flow control: stop / start reading the pty (the shell blocks on a full pty). */
  pause(): void
  resume(): void
  /** Ends the shell and everything it started (the process group), removes its clouds.yaml. Idempotent. */
  close(): void
  onData(listener: (data: Buffer) => void): void
  /** Called once, when the shell has exited (by itself or by close()). */
  onExit(listener: (exitCode: number) => void): void
}

export const CLOUD_NAME = 'stackling-shell'
export const MAX_SESSIONS = 16
const KILL_GRACE_MS = 1500

export function clampSize(size: Partial<ShellSize> | undefined): ShellSize {
  const c = (v: unknown, lo: number, hi: number, d: number) => (typeof v === 'number' && Number.isInteger(v) ? Math.max(lo, Math.min(hi, v)) : d)
  return { cols: c(size?.cols, 10, 500, 80), rows: c(size?.rows, 4, 200, 24) }
}

/** The clouds.yaml of one shell: a token (v3token) scoped to the user's project; nothing else, no password. */
export function sessionCloudsYaml(who: ShellIdentity): string {
  const q = (s: string) => JSON.stringify(s)
  return [
    `# Written by Stackling for one cloud shell of ${who.userName}; deleted when the shell closes.`,
    'clouds:',
    `  ${CLOUD_NAME}:`,
    '    auth_type: v3token',
    '    auth:',
    `      auth_url: ${q(who.authUrl)}`,
    `      token: ${q(who.token)}`,
    `      project_id: ${q(who.projectId)}`,
    '    region_name: RegionOne',
    '    interface: public',
    '    identity_api_version: 3',
    '',
  ].join('\n')
}

/** The environment of a shell: the caller's, minus any OpenStack credentials of the cloud's own process. */
export function shellEnvironment(base: NodeJS.ProcessEnv, who: ShellIdentity, cloudsYaml: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('OS_') || k.startsWith('STACKLING_') || k.startsWith('ELECTRON_') || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  env.OS_CLOUD = CLOUD_NAME
  env.OS_CLIENT_CONFIG_FILE = cloudsYaml
  // swift reads no clouds.yaml: a token and the account URL skip its own authentication.
  if (who.storageUrl) {
    env.OS_AUTH_TOKEN = who.token
    env.OS_STORAGE_URL = who.storageUrl
  }
  env.TERM = 'xterm-256color'
  env.STACKLING_SHELL = '1'
  return env
}

/** $SHELL or /bin/bash; on Windows PowerShell (or %ComSpec%). */
export function userShell(platform = process.platform, env = process.env): { file: string; args: string[] } {
  if (platform === 'win32') return { file: env.STACKLING_WINDOWS_SHELL || 'powershell.exe', args: ['-NoLogo'] }
  return { file: env.SHELL && path.isAbsolute(env.SHELL) ? env.SHELL : '/bin/bash', args: [] }
}

/** Whether `name` is an executable on PATH. */
export function onPath(name: string, env = process.env, platform = process.platform): boolean {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : ['']
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    for (const ext of exts) {
      try {
        accessSync(path.join(dir, name + ext), fsConstants.X_OK)
        return true
      } catch {
        // not here
      }
    }
  }
  return false
}

/** The lines a shell prints first: who it acts as, and how to install the CLI where it is missing. */
export function banner(who: ShellIdentity, env: Record<string, string>): string {
  const lines = [
    `\x1b[1mStackling cloud shell\x1b[0m: openstack and swift act as ${who.userName} on project ${who.projectName} (OS_CLOUD=${CLOUD_NAME}).`,
  ]
  if (who.expiresAt) lines.push(`The token ends at ${who.expiresAt}: open a new tab after logging in again.`)
  if (!onPath('openstack', env)) {
    lines.push(
      '\x1b[33mThe openstack CLI is not installed on this computer.\x1b[0m Install it with',
      process.platform === 'linux'
        ? '  sudo apt install python3-openstackclient python3-swiftclient   (Debian/Ubuntu), or'
        : process.platform === 'darwin'
          ? '  brew install openstackclient   or'
          : '',
      '  python3 -m pip install --user python-openstackclient python-swiftclient',
    )
  }
  return lines.filter(Boolean).join('\r\n') + '\r\n'
}

/**
 * The running shells of this process. Each gets its own folder `<dataDir>/shell/<id>/` (0700) with a clouds.yaml
 * (0600) holding the user's token; the folder goes when the shell ends. A cloud that crashed leaves folders
 * behind: `removeStale()` deletes them at the next start.
 */
export class PtySessions {
  private readonly sessions = new Map<string, ShellSession>()
  private readonly root: string

  constructor(dataDir: string, private readonly opts: { env?: NodeJS.ProcessEnv; shell?: { file: string; args: string[] }; cwd?: string } = {}) {
    this.root = path.join(dataDir, 'shell')
  }

  get size(): number {
    return this.sessions.size
  }

  async removeStale(): Promise<void> {
    await fs.rm(this.root, { recursive: true, force: true })
  }

  /**
   * Starts the user's shell in a pty as `who`. @throws when MAX_SESSIONS shells run already or the pty cannot start
   * (nothing is left behind then).
   */
  open(who: ShellIdentity, size: Partial<ShellSize> | undefined): ShellSession {
    if (this.sessions.size >= MAX_SESSIONS) throw new Error(`At most ${MAX_SESSIONS} cloud shells can be open at once: close one first.`)
    // Loaded here so that a cloud without the native module still starts; only the shell fails.
    const pty = require('node-pty') as typeof import('node-pty')
    const id = randomUUID()
    const dir = path.join(this.root, id)
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const cloudsYaml = path.join(dir, 'clouds.yaml')
    let proc: IPty
    try {
      writeFileSync(cloudsYaml, sessionCloudsYaml(who), { mode: 0o600, flag: 'wx' })
      const env = shellEnvironment(this.opts.env ?? process.env, who, cloudsYaml)
      const shell = this.opts.shell ?? userShell(process.platform, this.opts.env ?? process.env)
      const { cols, rows } = clampSize(size)
      proc = pty.spawn(shell.file, shell.args, { name: 'xterm-256color', cols, rows, cwd: this.opts.cwd ?? os.homedir(), env })
      // The banner goes first, as if the shell had printed it.
      const intro = Buffer.from(banner(who, env))
      const session = this.track(id, dir, proc, intro)
      return session
    } catch (err) {
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }

  /** Ends every shell (cloud stop). */
  closeAll(): void {
    for (const s of [...this.sessions.values()]) s.close()
  }

  private track(id: string, dir: string, proc: IPty, intro: Buffer): ShellSession {
    const dataListeners: ((d: Buffer) => void)[] = []
    const exitListeners: ((code: number) => void)[] = []
    const early: Buffer[] = [intro]
    let exited: number | undefined
    let killTimer: NodeJS.Timeout | undefined
    const cleanup = () => {
      this.sessions.delete(id)
      rmSync(dir, { recursive: true, force: true })
    }
    proc.onData((d) => {
      const buf = Buffer.from(d, 'utf8')
      if (dataListeners.length === 0) early.push(buf)
      else for (const l of dataListeners) l(buf)
    })
    proc.onExit(({ exitCode }) => {
      exited = exitCode
      if (killTimer) clearTimeout(killTimer)
      // What the shell left running in its session (background jobs) ends with it.
      killSession(proc.pid, 'SIGKILL')
      cleanup()
      for (const l of exitListeners) l(exitCode)
    })
    const session: ShellSession = {
      id,
      pid: proc.pid,
      write: (data) => {
        if (exited === undefined) proc.write(typeof data === 'string' ? data : data.toString('utf8'))
      },
      resize: (size) => {
        if (exited === undefined) {
          const { cols, rows } = clampSize(size)
          proc.resize(cols, rows)
        }
      },
      pause: () => proc.pause(),
      resume: () => proc.resume(),
      close: () => {
        if (exited !== undefined || killTimer) return
        cleanup()
        if (process.platform === 'win32') {
          proc.kill()
          return
        }
        // The pty's child leads its own session and process group: a hang-up reaches every job in it.
        killSession(proc.pid, 'SIGHUP')
        killTimer = setTimeout(() => killSession(proc.pid, 'SIGKILL'), KILL_GRACE_MS)
        killTimer.unref()
      },
      onData: (l) => {
        dataListeners.push(l)
        for (const b of early.splice(0)) l(b)
      },
      onExit: (l) => {
        if (exited !== undefined) l(exited)
        else exitListeners.push(l)
      },
    }
    this.sessions.set(id, session)
    return session
  }
}

/**
 * Signals everything the shell started: the pty's child leads a new session, and a job-control shell puts each
 * job in a process group of its own inside that session, so the session id (= the shell's pid) is what finds them
 * all. Processes that made a session of their own (daemons) are out of reach, as in any terminal.
 */
export function killSession(sid: number, signal: NodeJS.Signals): void {
  if (process.platform === 'win32') return
  const pids = new Set([sid])
  if (process.platform === 'linux') {
    for (const name of safeReaddir('/proc')) {
      if (!/^\d+$/.test(name)) continue
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        // pid (comm) state ppid pgrp session …; comm may hold spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        if (Number(fields[3]) === sid) pids.add(Number(name))
      } catch {
        // exited meanwhile
      }
    }
  } else {
    const r = spawnSync('pgrep', ['-s', String(sid)], { encoding: 'utf8' })
    for (const line of (r.stdout ?? '').split('\n')) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()))
  }
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, signal)
      } catch {
        // gone, or not a group leader
      }
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
