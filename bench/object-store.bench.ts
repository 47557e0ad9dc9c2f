/**
 * Object store throughput through the headless cloud, each against its floor in the same run on the same
 * filesystem: PUT of a 1 GiB object (md5 ETag, fsync, rename, commit) vs copying the file with fsync; GET of it vs
 * reading the same file; and 4 KiB PUTs at 16 concurrent vs the same number of 4 KiB file writes with fsync at the
 * same concurrency. Target from the issue: at least 0.7× for the 1 GiB PUT and GET.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { median } from './lib/load'
import { makeTempDir, spawnNode } from './lib/processes'
import { figure, targetAtLeast, type BenchOutput } from './lib/report'
import { BARE_READY, passwordAuthBody, startCloud } from './lib/servers'
import { copyWithFsync, writeRandomFile } from './lib/files'
import { request as httpRequest } from './lib/http-request'

const SIZE = 1024 ** 3
const RUNS = 3
const MiB = 1024 * 1024
const SMALL = 4096
const SMALL_COUNT = 2000
const CONCURRENCY = 16

async function readFile(src: string): Promise<number> {
  const t0 = process.hrtime.bigint()
  let n = 0
  for await (const chunk of createReadStream(src, { highWaterMark: MiB })) n += (chunk as Buffer).length
  if (n !== SIZE) throw new Error('short read')
  return SIZE / MiB / (Number(process.hrtime.bigint() - t0) / 1e9)
}

/** N small files, each written and fsynced, CONCURRENCY at a time: the durable-write floor of a small PUT. */
async function smallFileWrites(dir: string): Promise<number> {
  await fs.mkdir(dir, { recursive: true })
  const data = randomBytes(SMALL)
  let next = 0
  const t0 = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < SMALL_COUNT) {
        const i = next++
        const fh = await fs.open(path.join(dir, `f${i}`), 'wx')
        await fh.writeFile(data)
        await fh.sync()
        await fh.close()
      }
    }),
  )
  const rate = SMALL_COUNT / (Number(process.hrtime.bigint() - t0) / 1e9)
  await fs.rm(dir, { recursive: true, force: true })
  return rate
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
const request = (url: URL, method: string, headers: Record<string, string | number>, body?: string | Buffer | NodeJS.ReadableStream) => httpRequest(url, method, headers, body, agent)

/** A bare node:http server in its own process that streams `file` for any GET: the HTTP floor of a GET. */
function startFileServer(file: string) {
  const src =
    `const fs=require('node:fs');const s=require('node:http').createServer((q,r)=>{r.writeHead(200,{'Content-Length':fs.statSync(${JSON.stringify(file)}).size});` +
    `fs.createReadStream(${JSON.stringify(file)},{highWaterMark:1048576}).pipe(r)});` +
    "s.listen(0,'127.0.0.1',()=>process.stdout.write('Baseline is ready: http://127.0.0.1:'+s.address().port+'/\\n'))"
  return spawnNode(['-e', src], BARE_READY)
}

export async function runObjectStoreBench(log: (msg: string) => void): Promise<BenchOutput> {
  const dir = makeTempDir('stackling-bench-objects-')
  const src = path.join(dir, 'one-gib.bin')
  log('writing a 1 GiB random file')
  await writeRandomFile(src, SIZE)
  const cloud = await startCloud({ dataDir: path.join(dir, 'cloud') })
  const base = new URL(cloud.url)
  const auth = await request(new URL('/identity/v3/auth/tokens', base), 'POST', { 'Content-Type': 'application/json' }, passwordAuthBody(cloud.admin))
  const token = auth.headers['x-subject-token'] as string
  const project = JSON.parse(auth.text).token.project.id as string
  const acct = `/object-store/v1/AUTH_${project}`
  const up: number[] = []
  const down: number[] = []
  const copy: number[] = []
  const read: number[] = []
  const smallPut: number[] = []
  const smallFile: number[] = []
  const bare: number[] = []
  const fileServer = await startFileServer(src)
  try {
    await request(new URL(`${acct}/bench`, base), 'PUT', { 'X-Auth-Token': token })
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: copy with fsync, PUT, read file, GET`)
      copy.push(await copyWithFsync(src, path.join(dir, 'copy.bin')))
      let t0 = process.hrtime.bigint()
      const put = await request(new URL(`${acct}/bench/big-${i}`, base), 'PUT', { 'X-Auth-Token': token, 'Content-Length': SIZE }, createReadStream(src, { highWaterMark: MiB }))
      if (put.status !== 201) throw new Error(`PUT answered ${put.status}: ${put.text}`)
      up.push(SIZE / MiB / (Number(process.hrtime.bigint() - t0) / 1e9))
      read.push(await readFile(src))
      const t1 = process.hrtime.bigint()
      const bareGet = await request(new URL(`http://127.0.0.1:${fileServer.match}/f`), 'GET', {})
      if (bareGet.bytes !== SIZE) throw new Error(`bare GET returned ${bareGet.bytes} bytes`)
      bare.push(SIZE / MiB / (Number(process.hrtime.bigint() - t1) / 1e9))
      t0 = process.hrtime.bigint()
      const get = await request(new URL(`${acct}/bench/big-${i}`, base), 'GET', { 'X-Auth-Token': token })
      if (get.bytes !== SIZE) throw new Error(`GET returned ${get.bytes} bytes`)
      down.push(SIZE / MiB / (Number(process.hrtime.bigint() - t0) / 1e9))
      await request(new URL(`${acct}/bench/big-${i}`, base), 'DELETE', { 'X-Auth-Token': token })

      log(`run ${i + 1}/${RUNS}: ${SMALL_COUNT} × 4 KiB fsynced file writes and PUTs, ${CONCURRENCY} concurrent`)
      smallFile.push(await smallFileWrites(path.join(dir, 'small')))
      const body = randomBytes(SMALL)
      let next = 0
      t0 = process.hrtime.bigint()
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < SMALL_COUNT) {
            const n = next++
            const r = await request(new URL(`${acct}/bench/small-${i}-${n}`, base), 'PUT', { 'X-Auth-Token': token, 'Content-Length': SMALL }, body)
            if (r.status !== 201) throw new Error(`small PUT answered ${r.status}: ${r.text}`)
          }
        }),
      )
      smallPut.push(SMALL_COUNT / (Number(process.hrtime.bigint() - t0) / 1e9))
    }
  } finally {
    agent.destroy()
    await fileServer.stop()
    await cloud.stop()
  }
  const [upM, downM, copyM, readM, sPutM, sFileM, bareM] = [up, down, copy, read, smallPut, smallFile, bare].map(median) as [number, number, number, number, number, number, number]
  return {
    name: 'object-store',
    figures: [
      figure({ id: 'object.put', label: 'Object PUT 1 GiB (md5 ETag, fsync, rename, commit)', unit: 'MiB/s', value: upM, baseline: { label: 'copy + fsync', value: copyM }, target: targetAtLeast(upM / copyM, 0.7, '≥ 0.7× copy', 'ratio') }),
      figure({ id: 'object.get', label: 'Object GET 1 GiB', unit: 'MiB/s', value: downM, baseline: { label: 'read file', value: readM }, target: targetAtLeast(downM / readM, 0.7, '≥ 0.7× read', 'ratio') }),
      figure({ id: 'object.get-http', label: 'Object GET 1 GiB vs bare HTTP file server', unit: 'MiB/s', value: downM, baseline: { label: 'node:http + createReadStream', value: bareM }, target: targetAtLeast(downM / bareM, 0.7, '≥ 0.7× bare HTTP', 'ratio') }),
      figure({ id: 'object.small-put', label: `Object PUT 4 KiB, ${CONCURRENCY} concurrent`, unit: 'req/s', value: sPutM, baseline: { label: '4 KiB write + fsync', value: sFileM } }),
    ],
    raw: { put: up, get: down, copy, read, bareHttpGet: bare, smallPut, smallFile },
    notes: [
      'Object store: median of 3 runs; baselines (copy with fsync, file read, a bare node:http server streaming the same file, fsynced 4 KiB writes) run on the same filesystem in the same run.',
      'GET vs file read compares HTTP over loopback with an in-process page-cache read (no socket); the bare HTTP row is the floor any HTTP GET can reach here.',
    ],
  }
}
