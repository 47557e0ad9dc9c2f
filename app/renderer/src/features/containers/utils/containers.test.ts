import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { isPublicAcl, objectPath } from '../../../lib/openstack/object-store'
import { breadcrumbs, browserRows, containerNameError, folderPrefix, objectNameError, uploadCli } from './object-browser'
import { MiB, normalizeEtag, planProgress, planUpload, sloManifest } from './slo-plan'
import { hmacSha256Hex, signedPathOf, tempUrl, tempUrlCli, tempUrlSignature } from './temp-url'

describe('SLO upload planning', () => {
  it('sends small files in one PUT', () => {
    const p = planUpload('c1', 'file', 64 * MiB)
    assert.equal(p.kind, 'single')
    assert.deepEqual(p.segments, [])
  })

  it('splits a large file into 64 MiB segments in <container>_segments, the last one shorter', () => {
    const size = 150 * MiB + 7
    const p = planUpload('c1', 'dir/big.iso', size, { timestamp: 1700000000.5 })
    assert.equal(p.kind, 'slo')
    assert.equal(p.segmentContainer, 'c1_segments')
    assert.equal(p.segments.length, 3)
    assert.deepEqual(
      p.segments.map((s) => [s.start, s.end]),
      [
        [0, 64 * MiB],
        [64 * MiB, 128 * MiB],
        [128 * MiB, size],
      ],
    )
    assert.equal(p.segments[2]!.object, `dir/big.iso/slo/1700000000.500000/${size}/${64 * MiB}/00000002`)
    assert.equal(planProgress(p, 2, 5), 128 * MiB + 5)
  })

  it('never plans more than 1000 segments', () => {
    const size = 200 * 1024 * MiB
    const p = planUpload('c', 'o', size)
    assert.ok(p.segments.length <= 1000)
    assert.equal(p.segments.at(-1)!.end, size)
  })

  it('builds the manifest with bare etags and sizes', () => {
    const p = planUpload('c', 'o', 10, { threshold: 4, segmentSize: 4 })
    // A tiny segment size is raised to Swift's 1 MiB minimum.
    assert.equal(p.segments.length, 1)
    const q = { ...p, segments: [{ index: 0, start: 0, end: 4, object: 'o/slo/0/10/4/00000000' }, { index: 1, start: 4, end: 10, object: 'o/slo/0/10/4/00000001' }] }
    assert.deepEqual(sloManifest(q, ['"D41D8CD98F00B204E9800998ECF8427E"', undefined]), [
      { path: '/c_segments/o/slo/0/10/4/00000000', etag: 'd41d8cd98f00b204e9800998ecf8427e', size_bytes: 4 },
      { path: '/c_segments/o/slo/0/10/4/00000001', etag: null, size_bytes: 6 },
    ])
    assert.equal(normalizeEtag('nonsense'), null)
  })
})

describe('TempURL signing', () => {
  it('is HMAC-SHA256 of "GET\\n{expires}\\n{path}" in hex (the vector from Python hmac)', async () => {
    assert.equal(await tempUrlSignature({ key: 'mykey', expires: 1700000000, signedPath: '/v1/AUTH_abc/c1/file' }), '0d90cd54c326fa8d93a8596a168c0cda1e71f121937049576908f49854e4b2ec')
    assert.equal((await hmacSha256Hex('k', 'm')).length, 64)
  })

  it('signs the path without the /object-store prefix unless told to keep it', async () => {
    const url = 'http://127.0.0.1:8799/object-store/v1/AUTH_abc/c1/file'
    assert.equal(signedPathOf(url), '/v1/AUTH_abc/c1/file')
    assert.equal(signedPathOf(url, { keepPrefix: true }), '/object-store/v1/AUTH_abc/c1/file')
    assert.equal(await tempUrl(url, 'mykey', 1700000000), `${url}?temp_url_sig=0d90cd54c326fa8d93a8596a168c0cda1e71f121937049576908f49854e4b2ec&temp_url_expires=1700000000`)
    assert.equal(tempUrlCli('/v1/AUTH_abc/c1/file', 3600), 'swift tempurl GET 3600 /v1/AUTH_abc/c1/file <key>')
  })
})

describe('object browser', () => {
  it('lists folders first, then objects, labels relative to the prefix', () => {
    const rows = browserRows(
      [
        { name: 'a/z.txt', bytes: 1, hash: '', last_modified: '', content_type: 'text/plain' },
        { subdir: 'a/b/' },
        { name: 'a/', bytes: 0, hash: '', last_modified: '', content_type: 'application/directory' },
        { name: 'a/c.txt', bytes: 2, hash: '', last_modified: '', content_type: 'text/plain' },
      ],
      'a/',
    )
    assert.deepEqual(
      rows.map((r) => r.label),
      ['b/', 'c.txt', 'z.txt'],
    )
    assert.deepEqual(breadcrumbs('a/b/'), [
      { label: 'a', prefix: 'a/' },
      { label: 'b', prefix: 'a/b/' },
    ])
    assert.equal(folderPrefix('a/', '/photos/'), 'a/photos/')
  })

  it('checks names as Swift does', () => {
    assert.match(containerNameError('a/b') ?? '', /cannot contain/)
    assert.match(containerNameError('x_segments') ?? '', /large uploads/)
    assert.equal(containerNameError('c1'), undefined)
    assert.match(objectNameError('a//b') ?? '', /slashes/)
    assert.equal(objectNameError('dir/file.txt'), undefined)
  })

  it('encodes object paths segment by segment and reads public ACLs', () => {
    assert.equal(objectPath('my c', 'a b/ü?.txt'), '/my%20c/a%20b/%C3%BC%3F.txt')
    assert.ok(isPublicAcl('.r:*,.rlistings'))
    assert.ok(!isPublicAcl(''))
    assert.ok(!isPublicAcl('.rlistings'))
  })

  it('gives the CLI of an upload', () => {
    assert.equal(uploadCli('c1', 'file', 'file', false, shellQuote), 'openstack object create c1 file')
    assert.equal(uploadCli('c1', 'docs/file', 'file', false, shellQuote), 'openstack object create --name docs/file c1 file')
    assert.equal(uploadCli('c1', 'big.iso', 'big.iso', true, shellQuote), 'swift upload --use-slo --segment-size 64M c1 big.iso')
  })
})
