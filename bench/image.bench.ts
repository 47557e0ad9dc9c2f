/**
 * Image data throughput: a 1 GiB image (random bytes, declared raw) uploaded with PUT …/file and downloaded with
 * GET …/file through the headless cloud, against copying the same file with fsync (read → write → fsync) in the
 * same run, on the same filesystem. Target from the issue: at least 0.7× the copy.
 */
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { median } from './lib/load'
import { makeTempDir } from './lib/processes'
import { figure, targetAtLeast, type BenchOutput } from './lib/report'
import { passwordAuthBody, startCloud } from './lib/servers'
import { copyWithFsync, writeRandomFile } from './lib/files'
import { request } from './lib/http-request'

const SIZE = 1024 ** 3
const RUNS = 3
const MiB = 1024 * 1024

export async function runImageBench(log: (msg: string) => void): Promise<BenchOutput> {
  const dir = makeTempDir('stackling-bench-image-')
  const src = path.join(dir, 'one-gib.raw')
  log('writing a 1 GiB random file')
  await writeRandomFile(src, SIZE)
  const cloud = await startCloud({ dataDir: path.join(dir, 'cloud') })
  const base = new URL(cloud.url)
  const auth = await request(new URL('/identity/v3/auth/tokens', base), 'POST', { 'Content-Type': 'application/json' }, passwordAuthBody(cloud.admin))
  const token = auth.headers['x-subject-token'] as string
  const up: number[] = []
  const down: number[] = []
  const copy: number[] = []
  try {
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: copy with fsync, upload, download`)
      copy.push(await copyWithFsync(src, path.join(dir, 'copy.raw')))
      const created = await request(new URL('/image/v2/images', base), 'POST', { 'Content-Type': 'application/json', 'X-Auth-Token': token }, JSON.stringify({ name: `bench-${i}`, disk_format: 'raw', container_format: 'bare' }))
      const id = JSON.parse(created.text).id as string
      let t0 = process.hrtime.bigint()
      const put = await request(new URL(`/image/v2/images/${id}/file`, base), 'PUT', { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE }, createReadStream(src, { highWaterMark: MiB }))
      if (put.status !== 204) throw new Error(`upload answered ${put.status}: ${put.text}`)
      up.push(SIZE / MiB / (Number(process.hrtime.bigint() - t0) / 1e9))
      t0 = process.hrtime.bigint()
      const get = await request(new URL(`/image/v2/images/${id}/file`, base), 'GET', { 'X-Auth-Token': token })
      if (get.bytes !== SIZE) throw new Error(`download returned ${get.bytes} bytes`)
      down.push(SIZE / MiB / (Number(process.hrtime.bigint() - t0) / 1e9))
      await request(new URL(`/image/v2/images/${id}`, base), 'DELETE', { 'X-Auth-Token': token })
    }
  } finally {
    await cloud.stop()
  }
  const copyMed = median(copy)
  const upMed = median(up)
  const downMed = median(down)
  return {
    name: 'image',
    figures: [
      figure({ id: 'image.upload', label: 'Image upload 1 GiB (PUT …/file, md5+sha512, fsync)', unit: 'MiB/s', value: upMed, baseline: { label: 'copy + fsync', value: copyMed }, target: targetAtLeast(upMed / copyMed, 0.7, '≥ 0.7× copy', 'ratio') }),
      figure({ id: 'image.download', label: 'Image download 1 GiB (GET …/file)', unit: 'MiB/s', value: downMed, baseline: { label: 'copy + fsync', value: copyMed }, target: targetAtLeast(downMed / copyMed, 0.7, '≥ 0.7× copy', 'ratio') }),
    ],
    raw: { upload: up, download: down, copy },
    notes: ['Image throughput: median of 3 runs; the baseline copies the same 1 GiB file with fsync on the same filesystem in the same run.'],
  }
}
