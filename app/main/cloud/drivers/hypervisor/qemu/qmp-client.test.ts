import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { QmpClient, QmpClosed, QmpError } from './qmp-client'

/** A stand-in for QEMU's monitor: greets, answers commands through `handle`, can send events. */
function fakeQmp(socketPath: string, handle: (cmd: string, args: unknown, send: (o: object) => void) => void, greet = true) {
  const conns: net.Socket[] = []
  const server = net.createServer((c) => {
    conns.push(c)
    const send = (o: object) => c.write(JSON.stringify(o) + '\r\n')
    if (greet) send({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: '' }, capabilities: [] } })
    let buf = ''
    c.on('data', (d) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl)) as { execute: string; arguments?: unknown; id?: string }
        buf = buf.slice(nl + 1)
        if (msg.execute === 'qmp_capabilities') send({ return: {}, id: msg.id })
        else handle(msg.execute, msg.arguments, (o) => send({ ...o, id: msg.id }))
      }
    })
  })
  return {
    listen: () => new Promise<void>((r) => server.listen(socketPath, r)),
    event: (event: string, data: object) => conns.forEach((c) => c.write(JSON.stringify({ event, data, timestamp: { seconds: 1, microseconds: 0 } }) + '\r\n')),
    close: () => new Promise<void>((r) => {
      conns.forEach((c) => c.destroy())
      server.close(() => r())
    }),
  }
}

describe('QmpClient', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stk-qmp-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  let n = 0
  const sock = () => path.join(dir, `q${n++}.sock`)

  it('waits for the socket to appear, negotiates, runs commands by id, maps errors', async () => {
    const p = sock()
    const srv = fakeQmp(p, (cmd, args, reply) => {
      if (cmd === 'query-status') reply({ return: { status: 'running', running: true } })
      else if (cmd === 'echo') setTimeout(() => reply({ return: args }), 5)
      else reply({ error: { class: 'CommandNotFound', desc: `The command ${cmd} has not been found` } })
    })
    const connecting = QmpClient.connect(p, { timeoutMs: 2000 })
    await new Promise((r) => setTimeout(r, 50))
    await srv.listen()
    const q = await connecting
    assert.deepEqual(q.version, { major: 7, minor: 2, micro: 22 })
    const [a, b] = await Promise.all([q.execute('echo', { x: 1 }), q.execute<{ status: string }>('query-status')])
    assert.deepEqual(a, { x: 1 })
    assert.equal(b.status, 'running')
    await assert.rejects(q.execute('nope'), (e: unknown) => e instanceof QmpError && e.errorClass === 'CommandNotFound')
    q.close()
    await assert.rejects(q.execute('query-status'), QmpClosed)
    await srv.close()
  })

  it('delivers events and waits for a matching one; a close rejects what is pending', async () => {
    const p = sock()
    const srv = fakeQmp(p, () => undefined /* never answers */)
    await srv.listen()
    const q = await QmpClient.connect(p)
    const seen: string[] = []
    q.onEvent((e) => seen.push(e.event))
    const waiting = q.waitForEvent('DEVICE_DELETED', 2000, (e) => e.data?.device === 'd2')
    srv.event('DEVICE_DELETED', { device: 'd1' })
    srv.event('DEVICE_DELETED', { device: 'd2' })
    assert.equal((await waiting).data?.device, 'd2')
    assert.deepEqual(seen, ['DEVICE_DELETED', 'DEVICE_DELETED'])
    await assert.rejects(q.execute('slow', undefined, 50), /no answer within 50 ms/)
    const pending = q.execute('slow', undefined, 5000)
    const closed = q.whenClosed()
    await srv.close()
    await assert.rejects(pending, QmpClosed)
    await closed
    assert.equal(q.isOpen, false)
  })

  it('gives up when nothing greets in time (e.g. another client holds the monitor)', async () => {
    const p = sock()
    const srv = fakeQmp(p, () => undefined, false)
    await srv.listen()
    await assert.rejects(QmpClient.connect(p, { timeoutMs: 200 }), /no greeting within/)
    await assert.rejects(QmpClient.connect(path.join(dir, 'absent.sock'), { timeoutMs: 100 }), /did not answer within 100 ms/)
    await srv.close()
  })
})
