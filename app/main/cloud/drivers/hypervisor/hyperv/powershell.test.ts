import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DriverError } from '../hypervisor-driver'
import {
  POWERSHELL_ARGS,
  PS_WRAPPER_HEAD,
  PS_WRAPPER_TAIL,
  PowerShellRunner,
  PsError,
  RESULT_MARKER,
  asList,
  decodeInvocation,
  encodeInvocation,
  nodeExecutor,
  parseInvocationOutput,
  paramsDocument,
  toAsciiJson,
  wrapScript,
  type ExecResult,
  type PsCommand,
} from './powershell'
import { fixture } from './fake-hyperv-host'

const HOSTILE = [
  `'`,
  `''; Remove-Item -Recurse C:\\ ; '`,
  `$(Stop-Computer -Force)`,
  '${env:USERPROFILE}',
  '`n`r`0 backtick `$x',
  `"; Start-Process calc; "`,
  'line one\nline two\r\n\'@\nRemove-VM -Name * -Force\n',
  '\u2018smart\u2019 \u201Aquotes\u201B \u201Cdouble\u201D',
  'nul\u0000byte',
  'caf\u00e9 \u65e5\u672c \ud83d\ude00',
  '\u2028\u2029 line separators',
  '@\' here @" strings "@',
  '& ([scriptblock]::Create(\'Get-Date\'))',
]

const command = (params: Record<string, unknown>): PsCommand => ({ op: 'set-notes', script: 'Set-VM -VM (Get-StacklingVM) -Notes $P.notes', params })

test('the stdin is one ASCII line: a fixed bootstrap with two base64 literals', () => {
  const stdin = encodeInvocation(command({ name: 'stackling-a', notes: 'hello' }))
  assert.match(
    stdin,
    /^& \(\[scriptblock\]::Create\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('[A-Za-z0-9+/]+=*'\)\)\)\) '[A-Za-z0-9+/]+=*'\n$/,
  )
  const { script, doc } = decodeInvocation(stdin)
  assert.equal(script, PS_WRAPPER_HEAD + 'Set-VM -VM (Get-StacklingVM) -Notes $P.notes' + PS_WRAPPER_TAIL)
  assert.deepEqual(doc, { op: 'set-notes', hyperV: true, params: { name: 'stackling-a', notes: 'hello' } })
})

test('hostile values never reach the script text and come back exactly from the JSON document', () => {
  const benign = decodeInvocation(encodeInvocation(command({ name: 'stackling-a', notes: 'plain' }))).script
  for (const value of HOSTILE) {
    const stdin = encodeInvocation(command({ name: value, notes: value, list: [value, { deep: value }] }))
    // One line, printable ASCII only: nothing for the console code page or -Command -'s line reader to split.
    assert.equal(stdin.indexOf('\n'), stdin.length - 1, JSON.stringify(value))
    assert.match(stdin.slice(0, -1), /^[\x20-\x7e]+$/)
    // Outside the two base64 literals, the line is the same bytes whatever the value.
    const skeleton = stdin.replace(/'[A-Za-z0-9+/=]*'/g, "''")
    assert.equal(skeleton, "& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('')))) ''\n")
    const { script, doc } = decodeInvocation(stdin)
    assert.equal(script, benign, 'the script does not depend on the values')
    assert.deepEqual(doc.params, { name: value, notes: value, list: [value, { deep: value }] })
  }
})

test('the params document is 7-bit JSON', () => {
  const doc = paramsDocument(command({ notes: 'caf\u00e9 \ud83d\ude00 \u2019' }))
  assert.equal(doc, '{"op":"set-notes","hyperV":true,"params":{"notes":"caf\\u00e9 \\ud83d\\ude00 \\u2019"}}')
  assert.deepEqual(JSON.parse(doc).params, { notes: 'caf\u00e9 \ud83d\ude00 \u2019' })
  for (const value of HOSTILE) assert.equal(JSON.parse(toAsciiJson(value)), value)
})

test('a command without the Hyper-V module says so in its document', () => {
  const doc = decodeInvocation(encodeInvocation({ ...command({}), hyperV: false })).doc
  assert.equal(doc.hyperV, false)
})

test('the wrapper stops at the first error, prints one marked line, and is not indented around here-strings', () => {
  const script = wrapScript({ op: 'x', script: "$t = @'\nliteral\n'@\n$t", params: {} })
  assert.ok(script.includes("\n$t = @'\nliteral\n'@\n$t\n"), 'the closing quote stays at the start of its line')
  assert.match(PS_WRAPPER_HEAD, /^\$ErrorActionPreference = 'Stop'$/m)
  assert.match(PS_WRAPPER_HEAD, /ConvertFrom-Json/)
  assert.match(PS_WRAPPER_HEAD, /ConvertTo-Json -InputObject \$Value -Depth 4 -Compress/)
  assert.equal(PS_WRAPPER_TAIL.split(RESULT_MARKER).length - 1, 2)
})

test('the runner starts PowerShell with an argument array and the script on stdin', async () => {
  const calls: { program: string; args: readonly string[]; stdin?: string; timeoutMs: number }[] = []
  const runner = new PowerShellRunner({
    program: 'pwsh',
    timeoutMs: 5000,
    executor: async (program, args, opts) => {
      calls.push({ program, args, stdin: opts.stdin, timeoutMs: opts.timeoutMs })
      return { code: 0, stdout: `${RESULT_MARKER}${JSON.stringify(fixture('get-vm-running.json'))}\r\n`, stderr: '' }
    },
  })
  const result = (await runner.run(command({ name: 'stackling-a' }))) as { state: string }
  assert.equal(result.state, 'Running')
  assert.equal(calls.length, 1)
  assert.equal(calls[0].program, 'pwsh')
  assert.deepEqual(calls[0].args, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-'])
  assert.deepEqual(POWERSHELL_ARGS, calls[0].args)
  assert.equal(calls[0].timeoutMs, 5000)
  assert.equal(decodeInvocation(calls[0].stdin ?? '').doc.op, 'set-notes')
  assert.equal(new PowerShellRunner().program, 'powershell.exe')
})

const out = (stdout: string, extra: Partial<ExecResult> = {}): ExecResult => ({ code: 0, stdout, stderr: '', ...extra })

test('output: the last marked line wins over anything printed before it', () => {
  const stdout = [
    'WARNING: something the host printed',
    `${RESULT_MARKER}{"ok":true,"result":1}`,
    'PS C:\\> ',
    `${RESULT_MARKER}{"ok":true,"result":{"vmId":"5d2e8a61-3c4f-4b7a-8e21-9f0c1d2e3b4a"}}`,
    '',
  ].join('\r\n')
  assert.deepEqual(parseInvocationOutput('create-vm', out(stdout), 1000), { vmId: '5d2e8a61-3c4f-4b7a-8e21-9f0c1d2e3b4a' })
  assert.equal(parseInvocationOutput('start-vm', out(`${RESULT_MARKER}{"ok":true,"result":null}`), 1000), null)
  assert.equal(parseInvocationOutput('start-vm', out(`${RESULT_MARKER}{"ok":true}`), 1000), null)
})

test('output: a PowerShell error becomes a PsError (a DriverError) with its own message', () => {
  const stdout = `${RESULT_MARKER}${JSON.stringify(fixture('error-add-disk.json'))}`
  assert.throws(
    () => parseInvocationOutput('create-vm', out(stdout), 1000),
    (err: unknown) => {
      assert.ok(err instanceof PsError && err instanceof DriverError)
      assert.equal(err.message, "Add-VMHardDiskDrive: Failed to add device 'Virtual Hard Disk'.\r\nThe system cannot find the file specified. (0x80070002)")
      assert.equal(err.op, 'create-vm')
      assert.deepEqual(err.details, { errorId: 'ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.AddVMHardDiskDrive', command: 'Add-VMHardDiskDrive', notFound: undefined })
      return true
    },
  )
  assert.throws(
    () => parseInvocationOutput('get-vm', out(`${RESULT_MARKER}${JSON.stringify(fixture('error-not-found.json'))}`), 1000),
    (err: unknown) => err instanceof PsError && err.details.notFound === 'stackling-0b6c4f7e-5a0e-4c6b-9a37-2f9d6b1e8c01' && err.message.startsWith('Hyper-V has no virtual machine'),
  )
})

test('output: no result line, a broken one, or a timeout are DriverErrors that say what happened', () => {
  assert.throws(
    () => parseInvocationOutput('start-vm', out('', { code: 1, stderr: 'powershell.exe : The term Import-Module is not recognized\r\n' }), 1000),
    { message: 'PowerShell (start-vm) ended without a result (exit code 1): powershell.exe : The term Import-Module is not recognized' },
  )
  assert.throws(() => parseInvocationOutput('start-vm', out('', { code: 0 }), 1000), { message: 'PowerShell (start-vm) ended without a result (exit code 0).' })
  assert.throws(() => parseInvocationOutput('start-vm', out(`${RESULT_MARKER}{"ok":tru`), 1000), { message: 'PowerShell (start-vm) printed a result that is not JSON.' })
  assert.throws(() => parseInvocationOutput('stop-vm', out('', { code: null, timedOut: true }), 130_000), { message: 'PowerShell (stop-vm) did not finish within 130 s.' })
})

test('lists come in every shape PowerShell prints them', () => {
  assert.deepEqual(asList(null), [])
  assert.deepEqual(asList([1, 2]), [1, 2])
  assert.deepEqual(asList({ name: 'a' }), [{ name: 'a' }])
  const wrapped = (fixture('list-vms-ps51-array.json') as { result: unknown }).result
  assert.equal(asList(wrapped).length, 1)
  assert.equal((asList(wrapped)[0] as { state: string }).state, 'Off')
  assert.deepEqual(asList({ value: 'x', Count: 1 }), [{ value: 'x', Count: 1 }])
})

test('nodeExecutor writes stdin, collects output, and kills a program past its timeout', async () => {
  const echo = await nodeExecutor(process.execPath, ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(s.toUpperCase()))'], {
    stdin: "it's $(here)\n",
    timeoutMs: 10_000,
  })
  assert.deepEqual(echo, { code: 0, stdout: "IT'S $(HERE)\n", stderr: '', timedOut: false })
  const slow = await nodeExecutor(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 })
  assert.equal(slow.timedOut, true)
  await assert.rejects(nodeExecutor('/nonexistent/powershell.exe', [], { timeoutMs: 1000 }), {
    message: '/nonexistent/powershell.exe is not installed (or not on PATH).',
  })
})
