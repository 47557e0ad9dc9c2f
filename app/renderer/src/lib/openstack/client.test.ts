import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CallLog } from './call-log'
import { OpenStackClient, publicEndpoints, rebase } from './client'
import { OpenStackError } from './errors'

const ORIGIN = 'http://localhost:8799'

const TOKEN_BODY = {
  token: {
    expires_at: '2030-01-01T00:00:00Z',
    user: { id: 'u1', name: 'admin', domain: { id: 'default', name: 'Default' } },
    project: { id: 'p1', name: 'admin' },
    roles: [{ id: 'r1', name: 'admin' }, { id: 'r2', name: 'member' }],
    catalog: [
      { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', url: 'http://127.0.0.1:8799/identity' }] },
      { type: 'compute', name: 'nova', endpoints: [{ interface: 'internal', url: 'http://10.0.0.1/x' }, { interface: 'public', url: 'http://127.0.0.1:8799/compute/v2.1' }] },
      { type: 'block-storage', name: 'cinder', endpoints: [{ interface: 'public', url: 'http://127.0.0.1:8799/volume/v3/p1' }] },
      { type: 'image', name: 'glance', endpoints: [{ interface: 'public', url: 'http://127.0.0.1:8799/image' }] },
    ],
  },
}

interface Seen {
  url: string
  method: string
  headers: Record<string, string>
  body?: string
}

function fakeFetch(handler: (req: Seen) => { status: number; body?: unknown; headers?: Record<string, string> }) {
  const seen: Seen[] = []
  const fn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const req: Seen = { url: String(input), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string | undefined }
    seen.push(req)
    const r = handler(req)
    const text = r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    return new Response(text, { status: r.status, headers: { 'Content-Type': 'application/json', ...r.headers } })
  }) as typeof fetch
  return { fn, seen }
}

async function loggedIn(handler: (req: Seen) => { status: number; body?: unknown; headers?: Record<string, string> } = () => ({ status: 404 })) {
  const log = new CallLog()
  let unauthorized = 0
  const f = fakeFetch((req) =>
    req.url.endsWith('/identity/v3/auth/tokens') && req.method === 'POST' ? { status: 201, body: TOKEN_BODY, headers: { 'X-Subject-Token': 'tok-1' } } : handler(req),
  )
  const client = await OpenStackClient.login({ origin: ORIGIN, log, fetch: f.fn, onUnauthorized: () => unauthorized++ }, { username: 'admin', password: 's3cret', project: 'admin' })
  return { client, log, seen: f.seen, unauthorized: () => unauthorized }
}

describe('OpenStackClient.login', () => {
  it('posts a project-scoped password auth and keeps the X-Subject-Token', async () => {
    const { client, seen } = await loggedIn()
    assert.equal(seen[0]!.url, `${ORIGIN}/identity/v3/auth/tokens`)
    const body = JSON.parse(seen[0]!.body!) as { auth: { identity: { methods: string[]; password: { user: { name: string; domain: { name: string } } } }; scope: { project: { name: string; domain: { name: string } } } } }
    assert.deepEqual(body.auth.identity.methods, ['password'])
    assert.equal(body.auth.identity.password.user.domain.name, 'Default')
    assert.deepEqual(body.auth.scope.project, { name: 'admin', domain: { name: 'Default' } })
    assert.equal(client.session.token, 'tok-1')
    assert.deepEqual(client.session.roles, ['admin', 'member'])
    assert.equal(client.isAdmin, true)
  })

  it('reads public endpoints, rebased on the page origin', async () => {
    const { client } = await loggedIn()
    assert.equal(client.endpoint('identity'), `${ORIGIN}/identity`)
    assert.equal(client.endpoint('compute'), `${ORIGIN}/compute/v2.1`)
    assert.equal(client.endpoint('volumev3'), `${ORIGIN}/volume/v3/p1`)
  })

  it('records the login without the password', async () => {
    const { log } = await loggedIn()
    const [call] = log.snapshot()
    assert.equal(call!.method, 'POST')
    assert.equal(call!.path, '/identity/v3/auth/tokens')
    assert.equal(call!.status, 201)
    assert.equal(call!.cli, 'openstack token issue')
    assert.doesNotMatch(JSON.stringify(call!.requestBody), /s3cret/)
  })

  it('turns a 401 into an OpenStackError with Keystone’s message', async () => {
    const f = fakeFetch(() => ({ status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } } }))
    await assert.rejects(
      OpenStackClient.login({ origin: ORIGIN, log: new CallLog(), fetch: f.fn }, { username: 'a', password: 'b', project: 'c' }),
      (e: unknown) => e instanceof OpenStackError && e.status === 401 && /requires authentication/.test(e.message),
    )
  })
})

describe('OpenStackClient requests', () => {
  it('sends X-Auth-Token and records status, duration and CLI', async () => {
    const { client, seen, log } = await loggedIn((req) => (req.url.endsWith('/identity/v3/projects') ? { status: 201, body: { project: { id: 'x', name: 'p1' } } } : { status: 404 }))
    await client.post('identity', '/v3/projects', { project: { name: 'p1' } })
    const last = seen.at(-1)!
    assert.equal(last.headers['X-Auth-Token'], 'tok-1')
    assert.equal(last.headers['Content-Type'], 'application/json')
    const call = log.snapshot().at(-1)!
    assert.equal(call.path, '/identity/v3/projects')
    assert.equal(call.status, 201)
    assert.equal(typeof call.durationMs, 'number')
    assert.equal(call.cli, 'openstack project create p1')
  })

  it('reports a 401 once as the end of the session', async () => {
    const { client, unauthorized } = await loggedIn(() => ({ status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'expired' } } }))
    await assert.rejects(client.get('identity', '/v3/projects'))
    await assert.rejects(client.get('identity', '/v3/users'))
    assert.equal(unauthorized(), 1)
  })

  it('parses Nova faults and keeps the request id', async () => {
    const { client } = await loggedIn(() => ({ status: 404, body: { itemNotFound: { code: 404, message: 'Flavor x could not be found.' } }, headers: { 'x-openstack-request-id': 'req-1' } }))
    await assert.rejects(client.get('compute', '/flavors/x'), (e: unknown) => e instanceof OpenStackError && e.status === 404 && e.message === 'Flavor x could not be found.' && e.details.requestId === 'req-1')
  })

  it('fails clearly for a service the catalog does not list', async () => {
    const { client } = await loggedIn()
    await assert.rejects(client.get('dns', '/zones'), /no dns endpoint/)
  })
})

/** Just enough of XMLHttpRequest for upload(): the test drives progress and the answer. */
class FakeXhr {
  static last: FakeXhr | undefined
  method = ''
  url = ''
  headers: Record<string, string> = {}
  sent: unknown
  status = 0
  statusText = ''
  responseText = ''
  responseHeaders = ''
  aborted = false
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  send(body: unknown) {
    this.sent = body
  }
  abort() {
    this.aborted = true
    this.onabort?.()
  }
  getAllResponseHeaders() {
    return this.responseHeaders
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent)
  }
  answer(status: number, body = '', headers = '') {
    this.status = status
    this.responseText = body
    this.responseHeaders = headers
    this.onload?.()
  }
}

async function uploader(onUnauthorized?: () => void) {
  const log = new CallLog()
  const f = fakeFetch(() => ({ status: 201, body: TOKEN_BODY, headers: { 'X-Subject-Token': 'tok-1' } }))
  const client = await OpenStackClient.login(
    { origin: ORIGIN, log, fetch: f.fn, xhr: () => new FakeXhr() as unknown as XMLHttpRequest, onUnauthorized },
    { username: 'admin', password: 'x', project: 'admin' },
  )
  log.clear()
  return { client, log }
}

describe('OpenStackClient.upload', () => {
  const data = new Blob([new Uint8Array(1000)])

  it('PUTs the raw bytes with the token, reports progress and records the call', async () => {
    const { client, log } = await uploader()
    const seen: [number, number][] = []
    const done = client.upload('image', '/v2/images/i-1/file', data, { onProgress: (l, t) => seen.push([l, t]), describeBody: 'tiny.qcow2', cli: 'openstack image create --file tiny.qcow2 tiny' })
    const xhr = FakeXhr.last!
    assert.equal(xhr.method, 'PUT')
    assert.equal(xhr.url, `${ORIGIN}/image/v2/images/i-1/file`)
    assert.equal(xhr.headers['X-Auth-Token'], 'tok-1')
    assert.equal(xhr.headers['Content-Type'], 'application/octet-stream')
    assert.equal(xhr.sent, data)
    assert.equal(log.snapshot()[0]!.status, undefined, 'in flight')
    xhr.progress(400, 1000)
    xhr.progress(1000, 1000)
    xhr.answer(204)
    const res = await done
    assert.equal(res.status, 204)
    assert.deepEqual(seen, [[400, 1000], [1000, 1000]])
    const call = log.snapshot()[0]!
    assert.equal(call.method, 'PUT')
    assert.equal(call.path, '/image/v2/images/i-1/file')
    assert.equal(call.status, 204)
    assert.equal(call.cli, 'openstack image create --file tiny.qcow2 tiny')
    assert.equal(call.requestBody, '(1000 bytes of application/octet-stream: tiny.qcow2)')
  })

  it('turns a Glance fault into an OpenStackError and logs it', async () => {
    const { client, log } = await uploader()
    const done = client.upload('image', '/v2/images/i-1/file', data)
    FakeXhr.last!.answer(413, '{"code": 413, "title": "Request Entity Too Large", "message": "Denying attempt to upload image because it exceeds the quota"}', 'Content-Type: application/json\r\nX-OpenStack-Request-Id: req-9\r\n')
    await assert.rejects(done, (e: unknown) => e instanceof OpenStackError && e.status === 413 && /exceeds the quota/.test(e.message) && e.details.kind === 'Request Entity Too Large' && e.details.requestId === 'req-9')
    assert.equal(log.snapshot()[0]!.status, 413)
    assert.match(log.snapshot()[0]!.error ?? '', /quota/)
  })

  it('cancels with the signal: error of kind aborted, status 0 in the log', async () => {
    const { client, log } = await uploader()
    const abort = new AbortController()
    const done = client.upload('image', '/v2/images/i-1/file', data, { signal: abort.signal })
    abort.abort()
    await assert.rejects(done, (e: unknown) => e instanceof OpenStackError && e.status === 0 && e.details.kind === 'aborted')
    assert.equal(FakeXhr.last!.aborted, true)
    assert.equal(log.snapshot()[0]!.status, 0)
  })

  it('reports a 401 as the end of the session', async () => {
    let ended = 0
    const { client } = await uploader(() => ended++)
    const done = client.upload('image', '/v2/images/i-1/file', data)
    FakeXhr.last!.answer(401, '{"error": {"code": 401, "title": "Unauthorized", "message": "expired"}}', 'Content-Type: application/json')
    await assert.rejects(done)
    assert.equal(ended, 1)
  })
})

describe('OpenStackClient content types', () => {
  it('sends a JSON-patch with the media type asked for', async () => {
    const { client, seen, log } = await loggedIn(() => ({ status: 200, body: { id: 'i-1', name: 'x' } }))
    await client.request('image', 'PATCH', '/v2/images/i-1', { body: [{ op: 'replace', path: '/name', value: 'x' }], contentType: 'application/openstack-images-v2.1-json-patch' })
    assert.equal(seen.at(-1)!.headers['Content-Type'], 'application/openstack-images-v2.1-json-patch')
    assert.equal(log.snapshot().at(-1)!.cli, 'openstack image set --name x i-1')
  })
})

describe('rebase and publicEndpoints', () => {
  it('moves loopback URLs of the same port to the page origin only', () => {
    assert.equal(rebase('http://127.0.0.1:8799/identity', 'http://localhost:8799'), 'http://localhost:8799/identity')
    assert.equal(rebase('http://127.0.0.1:9000/identity', 'http://localhost:8799'), 'http://127.0.0.1:9000/identity')
    assert.equal(rebase('http://example.org/identity', 'http://localhost:8799'), 'http://example.org/identity')
  })
  it('strips /v3 from identity so calls read /v3/…', () => {
    const eps = publicEndpoints([{ type: 'identity', name: 'k', endpoints: [{ interface: 'public', url: 'http://127.0.0.1:1/identity/v3/' }] }], 'http://127.0.0.1:1')
    assert.equal(eps.identity, 'http://127.0.0.1:1/identity')
  })
})
