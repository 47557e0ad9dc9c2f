import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, promises as fs, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../../../platform/log'
import { QmpClient } from '../../hypervisor/qemu/qmp-client'

export interface UplinkOptions {
  /** Stable name (a network id, or 'metadata'): names the sockets, the pidfile and the process (`stackling-uplink-<name>`). */
  name: string
  /** Folder for the sockets and pidfile (short: socket paths must fit in ~100 bytes). */
  dir: string
  /** The slirp network: `net=`, `host=` (connections to it reach the computer's 127.0.0.1), `dns=` (must differ from host). */
  net: string
  host: string
  dns: string
  qemu?: string
  log: Logger
}

/**
 * The way out to the computer, without root: a guest-less QEMU (`-machine none`) whose user-mode network (libslirp:
 * NAT to the host's own network, host port forwards added at run time) is joined by a hub to a `-netdev stream`
 * socket that the switch connects to like any guest NIC. slirp terminates TCP and UDP on the host side, so the cloud
 * needs no TCP stack of its own. slirp's own DHCP server never reaches a guest: the switch drops it.
 */
export class SlirpUplink {
  readonly streamPath: string
  private readonly qmpPath: string
  private readonly pidPath: string
  private child: ChildProcess | undefined
  private qmp: QmpClient | undefined
  /** host forwards in place: `tcp:127.0.0.1:HOSTPORT` → `GUESTADDR:GUESTPORT` */
  private readonly forwards = new Map<string, string>()
  exited = false

  constructor(readonly opts: UplinkOptions) {
    this.streamPath = path.join(opts.dir, `u-${opts.name.slice(0, 12)}.sock`)
    this.qmpPath = path.join(opts.dir, `u-${opts.name.slice(0, 12)}.qmp`)
    this.pidPath = path.join(opts.dir, `u-${opts.name.slice(0, 12)}.pid`)
  }

  argv(): string[] {
    const o = this.opts
    return [
      '-name', `stackling-uplink-${o.name}`,
      '-machine', 'none', '-nodefaults', '-display', 'none', '-no-user-config',
      '-pidfile', this.pidPath,
      '-qmp', `unix:${this.qmpPath},server=on,wait=off`,
      '-netdev', `user,id=u,net=${o.net},host=${o.host},dns=${o.dns},ipv6=off`,
      '-netdev', `stream,id=s,server=on,addr.type=unix,addr.path=${this.streamPath}`,
      '-netdev', 'hubport,id=h1,hubid=0,netdev=u',
      '-netdev', 'hubport,id=h2,hubid=0,netdev=s',
    ]
  }

  /** Kills an uplink a previous run left behind (its pidfile names a process that is still ours), then starts one. */
  async start(): Promise<void> {
    await fs.mkdir(this.opts.dir, { recursive: true, mode: 0o700 })
    await killStale(this.pidPath, `stackling-uplink-${this.opts.name}`)
    for (const p of [this.streamPath, this.qmpPath]) await fs.rm(p, { force: true })
    const qemu = this.opts.qemu ?? process.env.STACKLING_QEMU ?? 'qemu-system-x86_64'
    // On Linux the uplink dies with the cloud even on a kill -9 (parent-death signal via util-linux setpriv); elsewhere
    // the next start kills it by its pidfile.
    const [program, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', '--', qemu, ...this.argv()]] : [qemu, this.argv()]
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)))
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`the host uplink could not start: ${err.message} (install the qemu-system-x86 package)`)))
      child.once('exit', (code) => {
        this.exited = true
        this.qmp?.close()
        reject(new Error(`the host uplink exited (code ${code}): ${stderr.trim().split('\n').pop() ?? ''}`))
        if (!this.stopping) this.opts.log.warn('a host uplink exited', { uplink: this.opts.name, code, stderr: stderr.trim() })
      })
    })
    exited.catch(() => undefined)
    this.qmp = await Promise.race([QmpClient.connect(this.qmpPath, { timeoutMs: 10_000 }), exited])
    this.opts.log.info('host uplink started', { uplink: this.opts.name, pid: child.pid, net: this.opts.net, host: this.opts.host })
  }

  private stopping = false

  async stop(): Promise<void> {
    this.stopping = true
    const child = this.child
    this.qmp?.close()
    if (child && !this.exited) {
      const gone = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))])
      if (!this.exited) child.kill('SIGKILL')
    }
    for (const p of [this.streamPath, this.qmpPath, this.pidPath]) await fs.rm(p, { force: true }).catch(() => undefined)
  }

  /**
   * Makes the host forwards exactly `wanted` (key `tcp:127.0.0.1:PORT`, value `ADDR:PORT`). Returns the ones that
   * failed with slirp's reason (typically a host port another program holds).
   */
  async setForwards(wanted: Map<string, string>): Promise<Map<string, string>> {
    const failed = new Map<string, string>()
    if (!this.qmp || this.exited) return failed
    for (const [key, target] of this.forwards) {
      if (wanted.get(key) === target) continue
      await this.hmp(`hostfwd_remove u ${key}`).catch(() => undefined)
      this.forwards.delete(key)
    }
    for (const [key, target] of wanted) {
      if (this.forwards.has(key)) continue
      const out = await this.hmp(`hostfwd_add u ${key}-${target}`).catch((e: Error) => e.message)
      if (out.trim()) failed.set(key, out.trim())
      else this.forwards.set(key, target)
    }
    return failed
  }

  private async hmp(line: string): Promise<string> {
    return (await this.qmp!.execute('human-monitor-command', { 'command-line': line })) as string
  }
}

const SETPRIV = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) : undefined

/** Kills the process a pidfile names if its command line is still `name` (not a recycled pid). */
export async function killStale(pidFile: string, name: string): Promise<void> {
  const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim())
  if (!pid) return
  let cmdline = ''
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    // Not Linux, or gone: on other systems trust the pid only if kill(0) works and the pidfile is ours.
    if (process.platform === 'linux') return
    cmdline = name
  }
  if (!cmdline.split('\0').includes(name)) return
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}
