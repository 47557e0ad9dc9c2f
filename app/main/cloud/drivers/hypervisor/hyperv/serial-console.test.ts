import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { once } from 'node:events'
import { SerialConsole, tailConsoleLog } from './serial-console'

function tmp(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-serial-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Stands in for the VM's named pipe: the server side, as Hyper-V is. */
async function pipeServer(file: string, onSocket: (s: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined)
    onSocket(s)
  })
  server.listen(file)
  await once(server, 'listening')
  return server
}

test('what is typed before the pipe exists reaches the guest once it does; the connection comes back after a reboot', async (t) => {
  const dir = tmp(t)
  const sock = path.join(dir, 'com1.sock')
  const serial = new SerialConsole({ pipePath: sock, logFile: path.join(dir, 'console.log'), retryMs: 10 })
  t.after(() => serial.stop())
  await serial.start()
  const stream = serial.attach()
  stream.write('typed early\n')
  const got: string[] = []
  const sockets: net.Socket[] = []
  let server = await pipeServer(sock, (s) => {
    sockets.push(s)
    s.on('data', (d) => got.push(d.toString()))
  })
  await until(() => got.join('') === 'typed early\n')
  // The VM reboots: Hyper-V closes the pipe and serves it again.
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
  server = await pipeServer(sock, (s) => {
    s.write('again\n')
    s.on('data', (d) => got.push(d.toString()))
  })
  t.after(() => server.close())
  const seen: string[] = []
  stream.on('data', (d: Buffer) => seen.push(d.toString()))
  await until(() => seen.join('') === 'again\n')
  await until(() => serial.isConnected)
  stream.write('after\n')
  await until(() => got.join('') === 'typed early\nafter\n')
  stream.close()
  await serial.stop()
  assert.equal(readFileSync(path.join(dir, 'console.log'), 'utf8'), 'again\n')
})

test('the console log keeps the newest part when it grows past twice its limit', async (t) => {
  const dir = tmp(t)
  const sock = path.join(dir, 'com1.sock')
  const log = path.join(dir, 'console.log')
  const server = await pipeServer(sock, (s) => {
    for (let i = 0; i < 30; i++) s.write(`line ${String(i).padStart(2, '0')}\n`)
  })
  t.after(() => server.close())
  const serial = new SerialConsole({ pipePath: sock, logFile: log, maxLogBytes: 64, retryMs: 10 })
  await serial.start()
  await until(() => {
    try {
      return readFileSync(log, 'utf8').endsWith('line 29\n')
    } catch {
      return false
    }
  })
  await serial.stop()
  const text = readFileSync(log, 'utf8')
  assert.ok(text.length <= 128, `log is ${text.length} bytes`)
  assert.ok(text.endsWith('line 29\n'))
})

test('tailConsoleLog: the last lines, or nothing when there is no log', async (t) => {
  const dir = tmp(t)
  const log = path.join(dir, 'console.log')
  assert.equal(await tailConsoleLog(log), '')
  writeFileSync(log, 'a\nb\nc\n')
  assert.equal(await tailConsoleLog(log), 'a\nb\nc\n')
  assert.equal(await tailConsoleLog(log, 2), 'b\nc\n')
  assert.equal(await tailConsoleLog(log, 10), 'a\nb\nc\n')
  assert.equal(await tailConsoleLog(log, 0), '')
  writeFileSync(log, 'a\nb\nlogin: ')
  assert.equal(await tailConsoleLog(log, 1), 'login: ')
})
