import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CallLog } from './call-log'
import { OpenStackClient } from './client'
import { listImages, nextPagePath, type Image } from './image'

const ORIGIN = 'http://127.0.0.1:8799'

describe('nextPagePath', () => {
  it('reads Glance’s next link relative to the image endpoint, whatever its form', () => {
    const ep = `${ORIGIN}/image`
    assert.equal(nextPagePath('/v2/images?marker=abc&limit=2', ep), '/v2/images?marker=abc&limit=2')
    assert.equal(nextPagePath('/image/v2/images?marker=abc', ep), '/v2/images?marker=abc')
    assert.equal(nextPagePath(`${ORIGIN}/image/v2/images?marker=abc`, ep), '/v2/images?marker=abc')
    assert.equal(nextPagePath(undefined, ep), null)
    assert.equal(nextPagePath('', ep), null)
  })
})

describe('listImages', () => {
  const img = (n: number) => ({ id: `i-${n}`, name: `img-${n}`, status: 'active', visibility: 'private' }) as unknown as Image

  async function client(pages: Record<string, unknown>) {
    const urls: string[] = []
    const fetch = (async (input: URL | RequestInfo) => {
      const url = String(input)
      urls.push(url)
      if (url.endsWith('/identity/v3/auth/tokens')) {
        const token = {
          expires_at: '2030-01-01T00:00:00Z',
          user: { id: 'u', name: 'demo' },
          project: { id: 'p', name: 'demo' },
          roles: [{ id: 'r', name: 'member' }],
          catalog: [{ type: 'image', name: 'glance', endpoints: [{ interface: 'public', url: `${ORIGIN}/image` }] }],
        }
        return new Response(JSON.stringify({ token }), { status: 201, headers: { 'Content-Type': 'application/json', 'X-Subject-Token': 't' } })
      }
      const u = new URL(url)
      const body = pages[u.searchParams.get('marker') ?? '']
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }) as typeof globalThis.fetch
    const log = new CallLog()
    const c = await OpenStackClient.login({ origin: ORIGIN, log, fetch }, { username: 'demo', password: 'x', project: 'demo' })
    return { c, urls, log }
  }

  it('follows next until the last page, sorted by name', async () => {
    const { c, urls, log } = await client({
      '': { images: [img(1), img(2)], next: '/v2/images?marker=i-2&limit=2&sort=name:asc' },
      'i-2': { images: [img(3)] },
    })
    const all = await listImages(c, { pageSize: 2 })
    assert.deepEqual(
      all.map((i) => i.id),
      ['i-1', 'i-2', 'i-3'],
    )
    assert.equal(urls[1], `${ORIGIN}/image/v2/images?limit=2&sort=name%3Aasc`)
    assert.equal(urls[2], `${ORIGIN}/image/v2/images?marker=i-2&limit=2&sort=name%3Aasc`)
    assert.equal(log.snapshot().at(-1)!.cli, 'openstack image list --sort name:asc')
  })

  it('stops when a next link repeats itself', async () => {
    const { c, urls } = await client({
      '': { images: [img(1)], next: '/v2/images?marker=i-1' },
      'i-1': { images: [img(2)], next: '/v2/images?marker=i-1' },
    })
    const all = await listImages(c)
    assert.equal(all.length, 2)
    assert.equal(urls.length, 3)
  })
})
