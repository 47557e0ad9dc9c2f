import { spawn } from 'node:child_process'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs a program with an argument array (never a shell), collects its output, and kills it after `timeoutMs`.
 * Rejects only when the program cannot be started (e.g. not installed): the message names it.
 */
export function run(program: string, args: string[], opts: { timeoutMs?: number; maxOutput?: number } = {}): Promise<RunResult> {
  const max = opts.maxOutput ?? 4 * 1024 * 1024
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < max) stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < max) stderr += d.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000)
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(err.code === 'ENOENT' ? new Error(`${program} is not installed (or not on PATH)`) : err)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
