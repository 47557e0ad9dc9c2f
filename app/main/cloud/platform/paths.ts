import os from 'node:os'
import path from 'node:path'

export const DEFAULT_PORT = 8799
export const LISTEN_HOST = '127.0.0.1'

/** The per-OS folder for the cloud's data when none is given. */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Stackling')
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Stackling')
  return path.posix.join(env.XDG_DATA_HOME || path.posix.join(home, '.local', 'share'), 'stackling')
}

/** Every path the cloud writes lives under the data dir; this is the one place that names them. */
export class DataPaths {
  constructor(readonly root: string) {}
  get database(): string {
    return path.join(this.root, 'stackling.db')
  }
  get logDir(): string {
    return path.join(this.root, 'logs')
  }
  get logFile(): string {
    return path.join(this.logDir, 'stackling.log')
  }
  get cloudsYaml(): string {
    return path.join(this.root, 'clouds.yaml')
  }
  get credentials(): string {
    return path.join(this.root, 'credentials.json')
  }
  openrc(cloud: string): string {
    return path.join(this.root, `${cloud}-openrc.sh`)
  }
  get lockFile(): string {
    return path.join(this.root, 'stackling.pid')
  }
}

/**
 * Joins a user-supplied relative name under `base` and refuses any result outside it (.., absolute paths,
 * NUL bytes). Returns the absolute path.
 */
export function safeJoin(base: string, ...parts: string[]): string {
  for (const p of parts) if (p.includes('\0')) throw new Error('path contains a NUL byte')
  const root = path.resolve(base)
  const full = path.resolve(root, ...parts)
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error('path escapes its folder')
  return full
}
