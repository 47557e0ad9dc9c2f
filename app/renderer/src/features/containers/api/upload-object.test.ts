import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { OpenStackClient } from '../../../lib/openstack/client'
import { OpenStackError } from '../../../lib/openstack/errors'
import { MiB } from '../utils/slo-plan'
import { uploadObject } from './upload-object'

/** A client that records calls: uploads answer with an ETag, `failAt` makes the n-th upload fail. */
function fakeClient(opts: { failAt?: number } = {}) {
  const calls: { method: string; path: string; size?: number; query?: unknown; body?: unknown; cli?: string | null }[] = []
  let uploads = 0
  const client = {
    upload: async (_svc: string, path: string, data: Blob, o: { method?: string; cli?: string | null; onProgress?: (l: number, t: number) => void }) => {
      uploads++
      calls.push({ method: o.method ?? 'PUT', path, size: data.size, cli: o.cli })
      if (uploads === opts.failAt) throw new OpenStackError(0, 'The upload was cancelled.', { method: 'PUT', path, kind: 'aborted' })
      o.onProgress?.(data.size, data.size)
      return { status: 201, headers: new Headers({ Etag: `"${'a'.repeat(31)}${uploads}"` }), body: undefined }
    },
    request: async (_svc: string, method: string, path: string, o: { query?: unknown; body?: unknown; cli?: string | null } = {}) => {
      calls.push({ method, path, query: o.query, body: o.body, cli: o.cli })
      return { status: 201, headers: new Headers(method === 'HEAD' ? { 'Content-Length': '1' } : {}), body: undefined }
    },
  }
  return { client: client as unknown as OpenStackClient, calls }
}

const file = (size: number, name = 'big.iso') => new File([new Uint8Array(size)], name, { type: 'application/x-iso9660-image', lastModified: 1_700_000_000_000 })

describe('uploadObject', () => {
  it('sends a small file in one PUT with the CLI line', async () => {
    const { client, calls } = fakeClient()
    const seen: number[] = []
    await uploadObject(client, 'c1', 'docs/a b.txt', file(10, 'a b.txt'), { onProgress: (l) => seen.push(l) })
    assert.deepEqual(calls, [{ method: 'PUT', path: '/c1/docs/a%20b.txt', size: 10, cli: "openstack object create --name 'docs/a b.txt' c1 'a b.txt'" }])
    assert.deepEqual(seen, [10])
  })

  it('sends a large file as segments into <container>_segments, then the manifest', async () => {
    const { client, calls } = fakeClient()
    const size = 64 * MiB + 5
    const seen: number[] = []
    await uploadObject(client, 'c1', 'big.iso', file(size), { onProgress: (l) => seen.push(l) })
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path}${c.size !== undefined ? ` ${c.size}` : ''}`),
      [
        'PUT /c1_segments',
        `PUT /c1_segments/big.iso/slo/1700000000.000000/${size}/${64 * MiB}/00000000 ${64 * MiB}`,
        `PUT /c1_segments/big.iso/slo/1700000000.000000/${size}/${64 * MiB}/00000001 5`,
        'PUT /c1/big.iso',
      ],
    )
    const manifest = calls[3]!
    assert.deepEqual(manifest.query, { 'multipart-manifest': 'put' })
    assert.deepEqual(manifest.body, [
      { path: `/c1_segments/big.iso/slo/1700000000.000000/${size}/${64 * MiB}/00000000`, etag: `${'a'.repeat(31)}1`, size_bytes: 64 * MiB },
      { path: `/c1_segments/big.iso/slo/1700000000.000000/${size}/${64 * MiB}/00000001`, etag: `${'a'.repeat(31)}2`, size_bytes: 5 },
    ])
    assert.equal(manifest.cli, 'swift upload --use-slo --segment-size 64M c1 big.iso')
    assert.equal(seen.at(-1), size)
  })

  it('removes the segments already sent when a later one fails, and rethrows', async () => {
    const { client, calls } = fakeClient({ failAt: 2 })
    await assert.rejects(uploadObject(client, 'c1', 'big.iso', file(64 * MiB + 5)), /cancelled/)
    const after = calls.slice(3).map((c) => `${c.method} ${c.path}`)
    const first = `/c1_segments/big.iso/slo/1700000000.000000/${64 * MiB + 5}/${64 * MiB}/00000000`
    assert.deepEqual(after, [`HEAD ${first}`, `DELETE ${first}`])
    assert.ok(!calls.some((c) => c.path === '/c1/big.iso'), 'no manifest')
  })
})
