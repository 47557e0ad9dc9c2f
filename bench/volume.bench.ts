/**
 * Volume create from a 1 GiB image: POST /volume/v3/{project}/volumes {imageRef} until the volume is available,
 * against `qemu-img convert` of the same stored image file to qcow2 plus an fsync, as the driver does, in the same run
 * on the same filesystem (alternating pairs, median of 3). The image has data in every cluster, so the convert copies 1 GiB.
 */
import { execFileSync } from 'node:child_process'
import { createReadStream, promises as fs } from 'node:fs'
import path from 'node:path'
import { median } from './lib/load'
import { makeTempDir } from './lib/processes'
import { figure, type BenchOutput } from './lib/report'
import { passwordAuthBody, startCloud } from './lib/servers'
import { request } from './lib/http-request'

const RUNS = 3
const GiB = 1024 ** 3

/** The floor: what the driver itself runs (qemu-img convert to a temp file, fsync), timed from outside. */
async function convertWithFsync(src: string, dst: string): Promise<number> {
  const t0 = process.hrtime.bigint()
  execFileSync('qemu-img', ['convert', '-q', '-W', '-f', 'qcow2', '-O', 'qcow2', src, dst])
  const fh = await fs.open(dst, 'r+')
  await fh.sync()
  await fh.close()
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  await fs.rm(dst)
  return s
}

export async function runVolumeBench(log: (msg: string) => void): Promise<BenchOutput> {
  const dir = makeTempDir('stackling-bench-volume-')
  const src = path.join(dir, 'one-gib.qcow2')
  log('writing a 1 GiB qcow2 image with data in every cluster')
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', src, '1G'])
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5c 0 1G', src])
  const cloud = await startCloud({ dataDir: path.join(dir, 'cloud') })
  const base = new URL(cloud.url)
  const auth = await request(new URL('/identity/v3/auth/tokens', base), 'POST', { 'Content-Type': 'application/json' }, passwordAuthBody(cloud.admin))
  const token = auth.headers['x-subject-token'] as string
  const project = JSON.parse(auth.text).token.project.id as string
  const h = { 'X-Auth-Token': token, 'Content-Type': 'application/json' }
  const created = await request(new URL('/image/v2/images', base), 'POST', h, JSON.stringify({ name: 'bench-volume', disk_format: 'qcow2', container_format: 'bare' }))
  const imageId = JSON.parse(created.text).id as string
  const size = (await fs.stat(src)).size
  const put = await request(new URL(`/image/v2/images/${imageId}/file`, base), 'PUT', { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Content-Length': size }, createReadStream(src))
  if (put.status !== 204) throw new Error(`image upload answered ${put.status}: ${put.text}`)

  // The baseline converts the very file the cloud converts: the image's data in the image store.
  const imagesDir = path.join(dir, 'cloud', 'images')
  // The store also holds the built-in guest image (a few MiB): the benchmark's image is the file of its size.
  const files = (await fs.readdir(imagesDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(imagesDir, e.name))
  const stored = []
  for (const f of files) if ((await fs.stat(f)).size === size) stored.push(f)
  if (stored.length !== 1) throw new Error(`expected one image file of ${size} bytes in ${imagesDir}, found ${stored.length}`)
  await fs.rm(src)
  const volume: number[] = []
  const convert: number[] = []
  try {
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: qemu-img convert + fsync, then volume create from the image`)
      convert.push(await convertWithFsync(stored[0]!, path.join(dir, 'baseline.qcow2')))
      const t0 = process.hrtime.bigint()
      const r = await request(new URL(`/volume/v3/${project}/volumes`, base), 'POST', h, JSON.stringify({ volume: { size: 1, imageRef: imageId, name: `bench-${i}`, metadata: {} } }))
      if (r.status !== 202) throw new Error(`volume create answered ${r.status}: ${r.text}`)
      const id = JSON.parse(r.text).volume.id as string
      for (;;) {
        const s = JSON.parse((await request(new URL(`/volume/v3/${project}/volumes/${id}`, base), 'GET', h)).text).volume.status as string
        if (s === 'available') break
        if (s === 'error') throw new Error(`volume ${id} went to error`)
        await new Promise((res) => setTimeout(res, 10))
      }
      volume.push(Number(process.hrtime.bigint() - t0) / 1e9)
      await request(new URL(`/volume/v3/${project}/volumes/${id}`, base), 'DELETE', h)
      for (let j = 0; j < 500; j++) {
        if ((await request(new URL(`/volume/v3/${project}/volumes/${id}`, base), 'GET', h)).status === 404) break
        await new Promise((res) => setTimeout(res, 20))
      }
    }
  } finally {
    await cloud.stop()
  }
  const v = median(volume)
  const c = median(convert)
  return {
    name: 'volume',
    figures: [
      figure({ id: 'volume.create-from-image', label: 'Volume create from a 1 GiB image (POST → available)', unit: 's', value: v, baseline: { label: 'qemu-img convert + fsync', value: c } }),
    ],
    raw: { volume, convert, imageBytes: size, virtualBytes: GiB },
    notes: [
      `Volume create from image: median of ${RUNS} alternating pairs; the cloud's time includes the API call, the quota transaction, the image hold, the same convert (under setpriv), qemu-img info, the fsync and rename, and the 10 ms status polling.`,
    ],
  }
}
