/** The service types of the token catalog the dashboard knows about (Keystone's type names). */
export type ServiceType = 'identity' | 'compute' | 'image' | 'volumev3' | 'block-storage' | 'network' | 'object-store' | (string & {})

export interface CatalogEndpoint {
  id?: string
  interface: 'public' | 'internal' | 'admin' | string
  region?: string
  region_id?: string
  url: string
}

export interface CatalogService {
  id?: string
  type: string
  name: string
  endpoints: CatalogEndpoint[]
}

export interface NamedRef {
  id: string
  name: string
  domain?: { id: string; name?: string }
}

/** The "token" object of a Keystone v3 token response. */
export interface KeystoneToken {
  expires_at: string
  issued_at?: string
  methods?: string[]
  user: NamedRef
  project?: NamedRef
  roles?: { id: string; name: string }[]
  catalog?: CatalogService[]
}

/** What the dashboard knows about who is logged in. Kept in memory only. */
export interface Session {
  token: string
  expiresAt: string
  user: NamedRef
  project?: NamedRef
  roles: string[]
  /** Public endpoints by service type, already rebased on the dashboard's origin. */
  endpoints: Record<string, string>
  catalog: CatalogService[]
  /** Where the session came from: the login form or the desktop app. */
  source: 'password' | 'desktop'
}
