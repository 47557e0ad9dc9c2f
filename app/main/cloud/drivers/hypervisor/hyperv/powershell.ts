import { spawn } from 'node:child_process'
import { DriverError } from '../hypervisor-driver'

/**
 * Runs PowerShell scripts for the Hyper-V driver, and other programs (qemu-img) through the same injectable
 * executor so that tests record every call instead of running it.
 *
 * How a script travels, and why no value can ever become code:
 * - A script is a constant text written in hyperv-commands.ts; it reads every value from `$P`, never from its
 *   own text. The values go as one JSON document.
 * - PowerShell is started as `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -`
 *   with an argument array (no shell) and reads its commands from stdin.
 * - stdin carries one line: `& ([scriptblock]::Create(<decode 'SCRIPT'>)) 'PARAMS'`, where SCRIPT is the base64
 *   of the UTF-8 wrapper + script and PARAMS the base64 of the UTF-8 JSON document. Base64 has only
 *   `A-Z a-z 0-9 + / =`, so neither can leave its single-quoted literal, whatever the values hold (quotes,
 *   `$()`, backticks, newlines, Unicode quotes that PowerShell also treats as quotes). One line also avoids
 *   `-Command -`'s line-by-line parsing of multi-line blocks, and ASCII avoids the console code page.
 * - The wrapper decodes PARAMS with `ConvertFrom-Json`, runs the script with `$ErrorActionPreference = 'Stop'`,
 *   and prints one line `##stackling##{"ok":…}` made by `ConvertTo-Json -Depth 4 -Compress` with every
 *   non-ASCII character escaped as \uXXXX. The exit code of `-Command -` is not trusted; that line is.
 */

export interface ExecResult {
  code: number | null
  stdout: string
  stderr: string
  /** True when the program was killed for running past its timeout. */
  timedOut?: boolean
}

export interface ExecOptions {
  /** Written to the program's stdin, which is then closed. */
  stdin?: string
  timeoutMs: number
}

/** Starts a program with an argument array (never a shell). Rejects only when it cannot be started. */
export type Executor = (program: string, args: readonly string[], opts: ExecOptions) => Promise<ExecResult>

export const nodeExecutor: Executor = (program, args, opts) =>
  new Promise((resolve, reject) => {
    const child = spawn(program, [...args], { shell: false, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] })
    const max = 8 * 1024 * 1024
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < max) stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < max) stderr += d.toString('utf8')
    })
    // A program that exits before reading all of stdin makes the pipe fail; its exit code says what happened.
    child.stdin.on('error', () => undefined)
    const timer = setTimeout(() => {
      timedOut = true
      child.kill()
    }, opts.timeoutMs)
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(err.code === 'ENOENT' ? new DriverError(`${program} is not installed (or not on PATH).`) : err)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut })
    })
    child.stdin.end(opts.stdin ?? '')
  })

export interface PsCommand {
  /** Names the operation in logs and errors: "new-vm", "stop-vm". */
  op: string
  /** Constant PowerShell text that reads every value from `$P` (the decoded `params`). */
  script: string
  params: Record<string, unknown>
  /** Whether the script needs `Import-Module Hyper-V` first (all but the host probe). Default true. */
  hyperV?: boolean
  /** Default: the runner's. */
  timeoutMs?: number
}

/** A PowerShell error, with what the wrapper could tell about it. */
export class PsError extends DriverError {
  constructor(
    message: string,
    readonly op: string,
    readonly details: { errorId?: string; command?: string; notFound?: string } = {},
  ) {
    super(message)
  }
}

export const POWERSHELL_ARGS: readonly string[] = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-']

export const RESULT_MARKER = '##stackling##'

/**
 * Runs around every script. `Get-StacklingVM` finds the VM named by `$P.name` (or `$P.vmId`) and records a
 * not-found so the driver can throw GuestNotFound. `Remove-TypeData System.Array` undoes Windows PowerShell 5.1's
 * habit of printing arrays as {"value":[…],"Count":n}.
 */
export const PS_WRAPPER_HEAD = `param([string]$StacklingParams)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'
$Stackling = @{ NotFound = $null }
if ($PSVersionTable.PSVersion.Major -lt 6) { Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue }
function ConvertTo-StacklingJson($Value) {
  $json = ConvertTo-Json -InputObject $Value -Depth 4 -Compress
  [regex]::Replace($json, '[^\\u0000-\\u007F]', { param($m) '\\u{0:x4}' -f [int][char]$m.Value })
}
function Get-StacklingVM([switch]$Optional) {
  $found = @()
  if ($P.vmId) { $found = @(Get-VM -Id $P.vmId -ErrorAction SilentlyContinue) }
  if ($found.Count -eq 0) { $found = @(Get-VM | Where-Object { $_.Name -ceq $P.name }) }
  if ($found.Count -gt 1) { throw "Hyper-V has $($found.Count) virtual machines named $($P.name); remove all but one." }
  if ($found.Count -eq 0) {
    if ($Optional) { return $null }
    $Stackling.NotFound = $P.name
    throw "Hyper-V has no virtual machine named $($P.name)."
  }
  return $found[0]
}
try {
  $StacklingDoc = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($StacklingParams)) | ConvertFrom-Json
  $P = $StacklingDoc.params
  if ($StacklingDoc.hyperV) { Import-Module Hyper-V -ErrorAction Stop }
  $StacklingResult = & {
`

export const PS_WRAPPER_TAIL = `
  }
  '${RESULT_MARKER}' + (ConvertTo-StacklingJson @{ ok = $true; result = $StacklingResult })
} catch {
  '${RESULT_MARKER}' + (ConvertTo-StacklingJson @{ ok = $false; message = $_.Exception.Message; errorId = [string]$_.FullyQualifiedErrorId; command = [string]$_.InvocationInfo.MyCommand; notFound = $Stackling.NotFound })
}
`

/** JSON with every non-ASCII character as \uXXXX (so the document is 7-bit, whatever the names hold). */
export function toAsciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** The full script PowerShell runs for a command (wrapper around the command's script). */
export function wrapScript(cmd: PsCommand): string {
  // Not indented: a here-string's closing '@ must start its line.
  return PS_WRAPPER_HEAD + cmd.script.trimEnd() + PS_WRAPPER_TAIL
}

/** The document the wrapper decodes into `$StacklingDoc`; `$P` is its `params`. */
export function paramsDocument(cmd: PsCommand): string {
  return toAsciiJson({ op: cmd.op, hyperV: cmd.hyperV !== false, params: cmd.params })
}

/** What is written to PowerShell's stdin for a command: one line, base64 inside single quotes only. */
export function encodeInvocation(cmd: PsCommand): string {
  const script = Buffer.from(wrapScript(cmd), 'utf8').toString('base64')
  const params = Buffer.from(paramsDocument(cmd), 'utf8').toString('base64')
  return `& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${script}')))) '${params}'\n`
}

/** Parses what the wrapper printed: the result, or a PsError with PowerShell's own message. */
export function parseInvocationOutput(op: string, out: ExecResult, timeoutMs: number): unknown {
  if (out.timedOut) throw new PsError(`PowerShell (${op}) did not finish within ${Math.round(timeoutMs / 1000)} s.`, op)
  const line = out.stdout
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER))
  if (line === undefined) {
    const said = (out.stderr.trim() || out.stdout.trim()).slice(0, 800)
    throw new PsError(`PowerShell (${op}) ended without a result (exit code ${out.code})${said ? `: ${said}` : '.'}`, op)
  }
  let doc: { ok?: unknown; result?: unknown; message?: unknown; errorId?: unknown; command?: unknown; notFound?: unknown }
  try {
    doc = JSON.parse(line.slice(RESULT_MARKER.length)) as typeof doc
  } catch {
    throw new PsError(`PowerShell (${op}) printed a result that is not JSON.`, op)
  }
  if (doc.ok === true) return doc.result ?? null
  const message = typeof doc.message === 'string' && doc.message.trim() !== '' ? doc.message.trim() : 'unknown error'
  const command = typeof doc.command === 'string' && doc.command !== '' ? doc.command : undefined
  throw new PsError(command ? `${command}: ${message}` : message, op, {
    errorId: typeof doc.errorId === 'string' ? doc.errorId : undefined,
    command,
    notFound: typeof doc.notFound === 'string' && doc.notFound !== '' ? doc.notFound : undefined,
  })
}

/**
 * Lists as PowerShell prints them: nothing (null), one object, an array, or 5.1's {"value":[…],"Count":n}.
 */
export function asList(v: unknown): unknown[] {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v
  const wrapped = v as { value?: unknown; Count?: unknown }
  if (typeof v === 'object' && Array.isArray(wrapped.value) && 'Count' in wrapped) return wrapped.value
  return [v]
}

export interface PowerShellRunnerOptions {
  executor?: Executor
  /** `powershell.exe` (Windows PowerShell 5.1, always there) or `pwsh`. */
  program?: string
  timeoutMs?: number
}

export class PowerShellRunner {
  readonly program: string
  private readonly executor: Executor
  private readonly timeoutMs: number

  constructor(opts: PowerShellRunnerOptions = {}) {
    this.executor = opts.executor ?? nodeExecutor
    this.program = opts.program ?? 'powershell.exe'
    this.timeoutMs = opts.timeoutMs ?? 120_000
  }

  /** Runs a command and returns what its script output (parsed JSON), or throws a PsError. */
  async run(cmd: PsCommand): Promise<unknown> {
    const timeoutMs = cmd.timeoutMs ?? this.timeoutMs
    const out = await this.executor(this.program, POWERSHELL_ARGS, { stdin: encodeInvocation(cmd), timeoutMs })
    return parseInvocationOutput(cmd.op, out, timeoutMs)
  }
}

/** Decodes a stdin line made by encodeInvocation (for tests and fake executors). */
export function decodeInvocation(stdin: string): { script: string; doc: { op: string; hyperV: boolean; params: Record<string, unknown> } } {
  const m = /^& \(\[scriptblock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)\) '([A-Za-z0-9+/=]*)'\n$/.exec(stdin)
  if (!m) throw new Error('not an invocation made by encodeInvocation')
  return {
    script: Buffer.from(m[1], 'base64').toString('utf8'),
    doc: JSON.parse(Buffer.from(m[2], 'base64').toString('utf8')) as { op: string; hyperV: boolean; params: Record<string, unknown> },
  }
}
