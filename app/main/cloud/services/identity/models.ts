/** The identity service's records, as its repository returns them (SQL rows mapped to camel-free plain data). */

export interface Domain {
  id: string
  name: string
  description: string
  enabled: boolean
  tags: string[]
  extra: Record<string, unknown>
}

export interface Project {
  id: string
  name: string
  domain_id: string
  parent_id: string | null
  description: string
  enabled: boolean
  tags: string[]
  extra: Record<string, unknown>
}

export interface User {
  id: string
  name: string
  domain_id: string
  default_project_id: string | null
  description: string | null
  email: string | null
  enabled: boolean
  password_hash: string | null
  password_changed_at: string | null
  extra: Record<string, unknown>
}

export interface Group {
  id: string
  name: string
  domain_id: string
  description: string
}

export interface Role {
  id: string
  name: string
  description: string | null
}

export type AssignmentType = 'UserProject' | 'UserDomain' | 'GroupProject' | 'GroupDomain'

export interface Assignment {
  type: AssignmentType
  actor_id: string
  target_id: string
  role_id: string
}

export interface TokenRecord {
  id_hash: string
  user_id: string
  project_id: string | null
  domain_id: string | null
  methods: string[]
  audit_id: string
  issued_at: string
  expires_at: string
  app_cred_id: string | null
  revoked: boolean
}

export interface AppCredential {
  id: string
  name: string
  user_id: string
  project_id: string
  description: string | null
  secret_hash: string
  expires_at: string | null
  unrestricted: boolean
  roles: { id: string; name: string }[]
}

export const DEFAULT_DOMAIN_ID = 'default'
