import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { atomicWriteFile } from '../../platform/fs/atomic-write'
import type { DataPaths } from '../../platform/paths'
import type { IdentityRepository } from './identity-repository'
import { newId } from './identity-manager'
import { DEFAULT_DOMAIN_ID } from './models'
import { hashPassword } from './password-hasher'

export interface BootstrapAccount {
  cloud: string
  username: string
  password: string
  project: string
}

export interface BootstrapCredentials {
  admin: BootstrapAccount
  demo: BootstrapAccount
}

/**
 * First start, like `keystone-manage bootstrap` plus DevStack's demo account: the Default domain, the roles
 * admin ⊃ member ⊃ reader, an admin user on an admin project and a demo member on a demo project, with random
 * passwords. The credentials file is written before the records commit, so a crash in between only repeats
 * the first start on the next one. Returns undefined when the cloud was bootstrapped before.
 */
export async function bootstrapIdentity(repo: IdentityRepository, paths: DataPaths): Promise<BootstrapCredentials | undefined> {
  if (await repo.getDomain(DEFAULT_DOMAIN_ID)) return undefined
  const creds: BootstrapCredentials = {
    admin: { cloud: 'stackling', username: 'admin', password: randomPassword(), project: 'admin' },
    demo: { cloud: 'stackling-demo', username: 'demo', password: randomPassword(), project: 'demo' },
  }
  const [adminHash, demoHash] = await Promise.all([hashPassword(creds.admin.password), hashPassword(creds.demo.password)])
  await atomicWriteFile(paths.credentials, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 })
  const roles = { admin: newId(), member: newId(), reader: newId() }
  const ids = { adminProject: newId(), demoProject: newId(), adminUser: newId(), demoUser: newId() }
  await repo.db.transaction(async (tx) => {
    await repo.insertDomain(tx, { id: DEFAULT_DOMAIN_ID, name: 'Default', description: 'The default domain', enabled: true, tags: [], extra: {} })
    for (const [name, id] of Object.entries(roles)) await repo.insertRole(tx, { id, name, description: null })
    await repo.insertImpliedRole(tx, roles.admin, roles.member)
    await repo.insertImpliedRole(tx, roles.member, roles.reader)
    const project = (id: string, name: string, description: string) =>
      repo.insertProject(tx, { id, name, domain_id: DEFAULT_DOMAIN_ID, parent_id: null, description, enabled: true, tags: [], extra: {} })
    await project(ids.adminProject, 'admin', 'Bootstrap project for the cloud administrator')
    await project(ids.demoProject, 'demo', 'Demo project for a regular member')
    const now = new Date().toISOString()
    const user = (id: string, name: string, hash: string, projectId: string) =>
      repo.insertUser(tx, {
        id,
        name,
        domain_id: DEFAULT_DOMAIN_ID,
        default_project_id: projectId,
        description: null,
        email: null,
        enabled: true,
        password_hash: hash,
        password_changed_at: now,
        extra: {},
      })
    await user(ids.adminUser, 'admin', adminHash, ids.adminProject)
    await user(ids.demoUser, 'demo', demoHash, ids.demoProject)
    await repo.insertAssignment(tx, { type: 'UserProject', actor_id: ids.adminUser, target_id: ids.adminProject, role_id: roles.admin })
    await repo.insertAssignment(tx, { type: 'UserDomain', actor_id: ids.adminUser, target_id: DEFAULT_DOMAIN_ID, role_id: roles.admin })
    await repo.insertAssignment(tx, { type: 'UserProject', actor_id: ids.demoUser, target_id: ids.demoProject, role_id: roles.member })
  })
  return creds
}

function randomPassword(): string {
  // 18 bytes → 24 characters of [A-Za-z0-9_-]; no quoting trouble in YAML or shell.
  return randomBytes(18).toString('base64url')
}

export async function readCredentials(paths: DataPaths): Promise<BootstrapCredentials | undefined> {
  try {
    return JSON.parse(await fs.readFile(paths.credentials, 'utf8')) as BootstrapCredentials
  } catch {
    return undefined
  }
}

/** clouds.yaml and one openrc per account, rewritten at every start so they carry the current port. */
export async function writeClientConfig(paths: DataPaths, creds: BootstrapCredentials, identityUrl: string): Promise<void> {
  const accounts = [creds.admin, creds.demo]
  const yaml = [
    '# Written by Stackling at every start; point the OpenStack clients at it with',
    `#   export OS_CLIENT_CONFIG_FILE=${paths.cloudsYaml}`,
    '#   openstack --os-cloud stackling token issue',
    'clouds:',
    ...accounts.flatMap((a) => [
      `  ${a.cloud}:`,
      '    auth:',
      `      auth_url: ${identityUrl}`,
      `      username: "${a.username}"`,
      `      password: "${a.password}"`,
      `      project_name: "${a.project}"`,
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '    region_name: RegionOne',
      '    interface: public',
      '    identity_api_version: 3',
    ]),
    '',
  ].join('\n')
  await atomicWriteFile(paths.cloudsYaml, yaml, { mode: 0o600 })
  for (const a of accounts) {
    const rc = [
      `# Stackling credentials for ${a.username} on project ${a.project}: source this file, then run openstack.`,
      'unset OS_CLOUD OS_TOKEN OS_AUTH_TYPE',
      `export OS_AUTH_URL=${identityUrl}`,
      `export OS_USERNAME='${a.username}'`,
      `export OS_PASSWORD='${a.password}'`,
      `export OS_PROJECT_NAME='${a.project}'`,
      'export OS_USER_DOMAIN_NAME=Default',
      'export OS_PROJECT_DOMAIN_NAME=Default',
      'export OS_REGION_NAME=RegionOne',
      'export OS_INTERFACE=public',
      'export OS_IDENTITY_API_VERSION=3',
      '',
    ].join('\n')
    await atomicWriteFile(paths.openrc(a.username), rc, { mode: 0o600 })
  }
}
