import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { RESULT_MARKER, decodeInvocation, type ExecOptions, type ExecResult, type Executor } from './powershell'

/**
 * For tests: an Executor that records every call and answers PowerShell commands by op name (from a handler or
 * a fixture) the way the wrapper of powershell.ts prints them, and qemu-img by creating its output file.
 * SimulatedHyperV adds a Hyper-V host in memory behind the same ops.
 */

export interface RecordedCall {
  program: string
  args: readonly string[]
  /** Set for PowerShell calls: the op, its params and the full script PowerShell would run. */
  op?: string
  params?: Record<string, unknown>
  script?: string
  /** Whether the wrapper imports the Hyper-V module first. */
  hyperV?: boolean
  timeoutMs: number
}

/** Makes a handler answer as a PowerShell error would. */
export class PsFailure {
  constructor(
    readonly message: string,
    readonly extra: { command?: string; errorId?: string; notFound?: string } = {},
  ) {}
}

export type PsHandler = (params: Record<string, unknown>, call: RecordedCall) => unknown

export class FakeHypervHost {
  readonly calls: RecordedCall[] = []
  readonly handlers = new Map<string, PsHandler>()
  /** qemu-img exit codes by subcommand; default 0 (and the output file is created). */
  qemuImgExit = 0

  readonly executor: Executor = async (program: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> => {
    const call: RecordedCall = { program, args, timeoutMs: opts.timeoutMs }
    if (opts.stdin !== undefined) {
      const { script, doc } = decodeInvocation(opts.stdin)
      Object.assign(call, { op: doc.op, params: doc.params, script, hyperV: doc.hyperV })
      this.calls.push(call)
      const handler = this.handlers.get(doc.op)
      let envelope: unknown
      try {
        const result = handler ? await handler(doc.params, call) : null
        envelope = result instanceof PsFailure ? failure(result) : isEnvelope(result) ? result : { ok: true, result: result ?? null }
      } catch (err) {
        envelope = failure(new PsFailure((err as Error).message))
      }
      return { code: 0, stdout: `${RESULT_MARKER}${JSON.stringify(envelope)}\r\n`, stderr: '' }
    }
    this.calls.push(call)
    if (args[0] === '--version') return { code: 0, stdout: 'qemu-img version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n', stderr: '' }
    if (args[0] === 'convert') {
      const source = args[args.length - 2]
      if (this.qemuImgExit !== 0 || !existsSync(source)) {
        return { code: this.qemuImgExit || 1, stdout: '', stderr: `qemu-img: Could not open '${source}': No such file or directory\n` }
      }
      writeFileSync(args[args.length - 1], 'converted')
    }
    return { code: 0, stdout: '', stderr: '' }
  }

  on(op: string, handler: PsHandler | unknown): this {
    this.handlers.set(op, typeof handler === 'function' ? (handler as PsHandler) : () => handler)
    return this
  }

  /** The ops of the PowerShell calls and `qemu-img <subcommand>` for the others, in order. */
  get sequence(): string[] {
    return this.calls.map((c) => c.op ?? `${path.basename(c.program)} ${c.args[0]}`)
  }

  callsOf(op: string): RecordedCall[] {
    return this.calls.filter((c) => c.op === op)
  }
}

export interface SimVm {
  name: string
  vmId: string
  state: 'Running' | 'Off' | 'Paused' | 'Saved'
  path: string
  diskPaths: string[]
  processorCount: number
  memoryStartupBytes: number
}

type Params = Record<string, unknown>

/**
 * A Hyper-V host in memory behind the driver's ops, with the state rules of the real cmdlets as far as the docs
 * tell them (Suspend-VM of a VM that is off fails, Start-VM of a saved VM restores it, …). With `pipeDir`, a
 * running VM's COM1 is a unix socket there that echoes what it receives, standing in for the named pipe.
 */
export class SimulatedHyperV extends FakeHypervHost {
  readonly vms = new Map<string, SimVm>()
  private readonly pipes = new Map<string, { server: net.Server; sockets: Set<net.Socket> }>()
  private nextId = 1

  constructor(private readonly pipeDir?: string) {
    super()
    const state = (vm: SimVm, to: SimVm['state']) => this.setState(vm, to)
    const invalid = (vm: SimVm, cmdlet: string) =>
      new PsFailure(`'${vm.name}' failed to change state.\r\nThe operation cannot be performed while the object is in its current state (${vm.state}).`, { command: cmdlet })
    this.on('probe-host', fixture('probe-host.json'))
      .on('ensure-switch', fixture('ensure-switch.json'))
      .on('list-vms', () => [...this.vms.values()].map(record))
      .on('get-vm', (p: Params) => {
        const vm = this.find(p)
        if (vm) return record(vm)
        return p.optional ? null : notFound(p)
      })
      .on('new-disks', (p: Params) => {
        if (!existsSync(p.baseVhdx as string)) return new PsFailure(`Cannot find path '${p.baseVhdx}' because it does not exist.`, { command: 'Get-Item' })
        writeFileSync(p.rootVhdx as string, `differencing disk over ${p.baseVhdx}`)
        if (p.ephemeralVhdx) writeFileSync(p.ephemeralVhdx as string, 'ephemeral')
      })
      .on('new-config-drive', (p: Params) => writeFileSync(p.isoPath as string, 'iso'))
      .on('create-vm', (p: Params) => {
        const vm: SimVm = {
          name: p.name as string,
          vmId: `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`,
          state: 'Off',
          path: p.path as string,
          diskPaths: [p.rootVhdx as string, ...(p.dataDisks as string[])],
          processorCount: p.vcpus as number,
          memoryStartupBytes: p.memoryBytes as number,
        }
        this.vms.set(vm.name, vm)
        mkdirSync(path.join(vm.path, 'Virtual Machines'), { recursive: true })
        writeFileSync(path.join(vm.path, 'Virtual Machines', `${vm.vmId}.vmcx`), 'config')
        return { vmId: vm.vmId }
      })
      .on('start-vm', this.withVm((vm) => void (vm.state === 'Running' || vm.state === 'Paused' || state(vm, 'Running'))))
      .on('stop-vm', this.withVm((vm) => {
        const outcome = vm.state === 'Off' ? 'off' : vm.state === 'Saved' ? 'discarded-saved-state' : 'turned-off'
        state(vm, 'Off')
        return { outcome }
      }))
      .on('restart-vm', this.withVm((vm) => void state(vm, 'Running')))
      .on('soft-reboot-vm', this.withVm((vm) => ({ outcome: (state(vm, 'Running'), 'shut-down') })))
      .on('pause-vm', this.withVm((vm) => (vm.state === 'Paused' ? undefined : vm.state === 'Running' ? void state(vm, 'Paused') : invalid(vm, 'Suspend-VM'))))
      .on('unpause-vm', this.withVm((vm) => (vm.state === 'Paused' ? void state(vm, 'Running') : vm.state === 'Running' ? undefined : new PsFailure(`${vm.name} is ${vm.state}, not paused.`))))
      .on('suspend-vm', this.withVm((vm) => (vm.state === 'Saved' ? undefined : vm.state === 'Off' ? invalid(vm, 'Save-VM') : void state(vm, 'Saved'))))
      .on('resume-vm', this.withVm((vm) =>
        vm.state === 'Saved' ? void state(vm, 'Running') : vm.state === 'Off' ? new PsFailure(`${vm.name} is Off, not saved: there is nothing to resume.`) : undefined,
      ))
      .on('export-root-disk', this.withVm((_vm, p) => void writeFileSync(p.targetVhdx as string, 'standalone vhdx')))
      .on('attach-disk', this.withVm((vm, p) => {
        if (vm.state === 'Saved') return new PsFailure(`${vm.name} is saved (suspended): resume it before changing its disks.`)
        if (!vm.diskPaths.includes(p.path as string)) vm.diskPaths.push(p.path as string)
      }))
      .on('detach-disk', this.withVm((vm, p) => {
        if (vm.state === 'Saved') return new PsFailure(`${vm.name} is saved (suspended): resume it before changing its disks.`)
        vm.diskPaths = vm.diskPaths.filter((d) => d !== p.path)
      }))
      .on('destroy-vm', (p: Params) => {
        const vm = this.find(p)
        if (vm) {
          this.setState(vm, 'Off')
          this.vms.delete(vm.name)
          rmSync(path.join(vm.path, 'Virtual Machines'), { recursive: true, force: true })
        }
        return { removed: vm !== undefined }
      })
  }

  /** Where the driver should connect for a guest's console (with `pipeDir`). */
  pipePath(id: string): string {
    return path.join(this.pipeDir ?? '', `stackling-${id}.sock`)
  }

  /** A change of state from outside the driver (the guest powers off, someone uses Hyper-V Manager). */
  setState(vm: SimVm, to: SimVm['state']): void {
    vm.state = to
    if (!this.pipeDir) return
    const pipe = this.pipes.get(vm.name)
    if (to === 'Running' || to === 'Paused') {
      if (pipe) return
      const sockets = new Set<net.Socket>()
      const server = net.createServer((s) => {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => undefined)
        s.on('data', (d) => s.write(d))
      })
      server.listen(path.join(this.pipeDir, `${vm.name}.sock`))
      this.pipes.set(vm.name, { server, sockets })
    } else if (pipe) {
      this.pipes.delete(vm.name)
      for (const s of pipe.sockets) s.destroy()
      pipe.server.close()
    }
  }

  /** Closes every console socket. */
  close(): void {
    for (const vm of this.vms.values()) this.setState(vm, 'Off')
  }

  private find(p: Params): SimVm | undefined {
    return [...this.vms.values()].find((v) => v.vmId === p.vmId) ?? this.vms.get(p.name as string)
  }

  private withVm(change: (vm: SimVm, p: Params) => unknown): PsHandler {
    return (p) => {
      const vm = this.find(p)
      return vm ? change(vm, p) : notFound(p)
    }
  }
}

function record(vm: SimVm) {
  return {
    name: vm.name,
    vmId: vm.vmId,
    state: vm.state,
    stateValue: { Running: 2, Off: 3, Saved: 6, Paused: 9 }[vm.state],
    generation: 2,
    processorCount: vm.processorCount,
    memoryStartupBytes: vm.memoryStartupBytes,
    uptimeSeconds: vm.state === 'Running' ? 42 : 0,
    path: vm.path,
    diskPaths: vm.diskPaths,
  }
}

function notFound(p: Params): PsFailure {
  return new PsFailure(`Hyper-V has no virtual machine named ${p.name}.`, { notFound: p.name as string })
}

function failure(f: PsFailure) {
  return { ok: false, message: f.message, errorId: f.extra.errorId ?? f.message, command: f.extra.command ?? '', notFound: f.extra.notFound ?? null }
}

function isEnvelope(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'ok' in v && typeof (v as { ok: unknown }).ok === 'boolean'
}

/** The fixtures folder in the source tree (tests run from build/, the JSON files stay beside the code). */
export function fixturesDir(): string {
  let dir = __dirname
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error('no package.json above ' + __dirname)
    dir = up
  }
  return path.join(dir, 'app', 'main', 'cloud', 'drivers', 'hypervisor', 'hyperv', 'fixtures')
}

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(path.join(fixturesDir(), name), 'utf8'))
}
