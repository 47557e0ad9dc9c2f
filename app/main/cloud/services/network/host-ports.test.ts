import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import net from 'node:net'
import { findFreeHostPorts, hostPortKey, probeHostPort } from './host-ports'

describe('host ports', () => {
  it('finds the lowest ports no record holds and the probe can bind', async () => {
    const probed: number[] = []
    const probe = async (_p: string, port: number) => {
      probed.push(port)
      return port !== 40002
    }
    const used = new Set([hostPortKey('tcp', 40000), hostPortKey('udp', 40001)])
    assert.deepEqual(await findFreeHostPorts('tcp', 2, { min: 40000, max: 40010 }, used, probe), [40001, 40003])
    assert.deepEqual(probed, [40001, 40002, 40003], 'held ports are not even probed')
    assert.deepEqual(await findFreeHostPorts('tcp', 3, { min: 40000, max: 40002 }, used, probe), [40001], 'fewer when the range runs out')
  })

  it('probes by binding on 127.0.0.1: a port another program holds is not free', async () => {
    const srv = net.createServer()
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
    const port = (srv.address() as net.AddressInfo).port
    assert.equal(await probeHostPort('tcp', port), false)
    await new Promise<void>((resolve) => srv.close(() => resolve()))
    assert.equal(await probeHostPort('tcp', port), true)
    const sock = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
    const udpPort = sock.address().port
    assert.equal(await probeHostPort('udp', udpPort), false)
    await new Promise<void>((resolve) => sock.close(() => resolve()))
    assert.equal(await probeHostPort('udp', udpPort), true)
  })
})
