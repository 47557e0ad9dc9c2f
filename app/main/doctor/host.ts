import { spawn } from 'node:child_process'
import { constants as fsConstants, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chooseAccelerator, type AcceleratorChoice } from '../cloud/drivers/hypervisor/qemu/accelerator'

/** Which OS family the advice is written for. */
export type OsFamily = 'debian' | 'fedora' | 'linux' | 'macos' | 'windows'

export interface HostOs {
  family: OsFamily
  /** For people: "Debian GNU/Linux 12 (bookworm)", "macOS", "Windows". */
  label: string
  platform: NodeJS.Platform
  arch: string
  /** Windows only: a Home edition (no Hyper-V), from the product name; undefined when unknown. */
  windowsHome?: boolean
}

/**
 * Everything the doctor asks of the machine, so that tests can hand it another one (a PATH without QEMU, a full
 * disk, a Mac). The real machine is `localHost()`.
 */
export interface DoctorHost {
  os: HostOs
  /** Absolute path of a program on PATH, or undefined. */
  which(program: string): Promise<string | undefined>
  /** Runs a program (argument array, no shell) and returns its first output line, or undefined when it fails. */
  versionOf(binary: string, args: string[]): Promise<string | undefined>
  /** The accelerator guests would use with this QEMU, and why (the compute driver's own probe). */
  probeAccelerator(qemuBinary: string, override: string | undefined): Promise<AcceleratorChoice>
  /** Free bytes on the filesystem holding `dir` (its nearest existing ancestor when it does not exist yet). */
  freeDiskBytes(dir: string): Promise<number>
  /** Memory the OS can give without swapping, and the total, in bytes. */
  memory(): Promise<{ availableBytes: number; totalBytes: number }>
  nodeVersion: string
}

/** The machine this process runs on; `env` supplies PATH (tests strip it). */
export function localHost(env: NodeJS.ProcessEnv = process.env): DoctorHost {
  return {
    os: detectOs(),
    which: (program) => which(program, env),
    versionOf: (binary, args) => firstLineOf(binary, args),
    probeAccelerator: (qemuBinary, override) => chooseAccelerator({ qemuBinary, override, env }),
    freeDiskBytes: async (dir) => {
      const s = await fs.statfs(await nearestExisting(dir))
      return s.bavail * s.bsize
    },
    memory: async () => ({ availableBytes: os.freemem(), totalBytes: os.totalmem() }),
    nodeVersion: process.versions.node,
  }
}

export function detectOs(platform = process.platform, osRelease = readOsRelease()): HostOs {
  const arch = os.arch()
  if (platform === 'darwin') return { family: 'macos', label: `macOS ${os.release()}`, platform, arch }
  if (platform === 'win32') {
    // os.version() is the product name there ("Windows 11 Home", "Windows 10 Pro").
    const product = os.version()
    return { family: 'windows', label: product || `Windows ${os.release()}`, platform, arch, windowsHome: product ? /\bHome\b/i.test(product) : undefined }
  }
  const id = `${osRelease.ID ?? ''} ${osRelease.ID_LIKE ?? ''}`.toLowerCase()
  const label = osRelease.PRETTY_NAME ?? platform
  if (/\b(debian|ubuntu)\b/.test(id)) return { family: 'debian', label, platform, arch }
  if (/\b(fedora|rhel|centos)\b/.test(id)) return { family: 'fedora', label, platform, arch }
  return { family: 'linux', label, platform, arch }
}

function readOsRelease(): Record<string, string> {
  const out: Record<string, string> = {}
  let text = ''
  try {
    text = require('node:fs').readFileSync('/etc/os-release', 'utf8') as string
  } catch {
    return out
  }
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1')
  }
  return out
}

/** Looks `program` up on env.PATH (with PATHEXT on Windows), as a shell would. */
export async function which(program: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Promise<string | undefined> {
  const pathVar = env.PATH ?? env.Path ?? ''
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : ['']
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = path.join(dir, program + ext)
      try {
        const st = await fs.stat(candidate)
        if (!st.isFile()) continue
        if (platform !== 'win32') await fs.access(candidate, fsConstants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}

function firstLineOf(binary: string, args: string[], timeoutMs = 10_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false })
    let out = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')))
    child.once('error', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      const line = out.split('\n').map((l) => l.trim()).find(Boolean)
      resolve(code === 0 && line ? line : undefined)
    })
  })
}

async function nearestExisting(dir: string): Promise<string> {
  let d = path.resolve(dir)
  for (;;) {
    try {
      await fs.access(d)
      return d
    } catch {
      const parent = path.dirname(d)
      if (parent === d) return d
      d = parent
    }
  }
}
