import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startCloud, type Cloud } from '../start-cloud'
import type { CloudConfig } from '../platform/config'

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
  text: string
}

export interface TestCloud {
  cloud: Cloud
  url: string
  dataDir: string
  admin: { username: string; password: string; project: string }
  demo: { username: string; password: string; project: string }
  /** Password-authenticates and returns the token (scoped to `project` unless it is null). */
  login(username: string, password: string, project?: string | null): Promise<string>
  call<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>
  close(): Promise<void>
}

/** An in-process cloud on a temp data dir and a free port, for API tests (no network data plane unless config asks for it). */
export async function startInProcessCloud(config: Partial<CloudConfig> = {}): Promise<TestCloud> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-test-'))
  const cloud = await startCloud({ dataDir, port: 0, config: { guestImageDir: undefined, networkDriver: 'noop', ...config } })
  const creds = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'))
  const call = async <T>(method: string, p: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers['X-Auth-Token'] = opts.token
    let body: string | undefined
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      headers['Content-Type'] ??= 'application/json'
    }
    const res = await fetch(cloud.url + p, { method, headers, body })
    const text = await res.text()
    let parsed: any
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text }
  }
  return {
    cloud,
    url: cloud.url,
    dataDir,
    admin: creds.admin,
    demo: creds.demo,
    call,
    async login(username, password, project) {
      const scope = project === null ? undefined : { project: { name: project ?? username, domain: { id: 'default' } } }
      const res = await call('POST', '/identity/v3/auth/tokens', {
        body: { auth: { identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } }, ...(scope ? { scope } : {}) } },
      })
      if (res.status !== 201) throw new Error(`login ${username} failed: ${res.status} ${res.text}`)
      return res.headers.get('x-subject-token')!
    },
    async close() {
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
