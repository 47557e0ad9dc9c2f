/**
 * Maps a REST call the dashboard makes to the `openstack` CLI command that does the same, so students can
 * repeat in a terminal what they just did with the mouse. Pure: no DOM, no I/O.
 *
 * `path` is relative to the service's catalog endpoint: for identity that is the unversioned root
 * (`/v3/projects`), for compute `/compute/v2.1` (`/servers`), for image `/image` (`/v2/images`), for volumes
 * `/volume/v3/{project_id}` (`/volumes`), for network `/networking` (`/v2.0/networks`), for object storage the
 * account URL (`/container/object`). IDs stay IDs: the CLI accepts them wherever it accepts names.
 */

export interface RestCall {
  service: string
  method: string
  path: string
  query?: string | URLSearchParams
  body?: unknown
}

type Params = Record<string, string>
type Body = Record<string, unknown>
/** `body` is the request body when it is an object ({} otherwise); `raw` is the body as sent (JSON-patch arrays). */
type Render = (p: Params, body: Body, query: URLSearchParams, raw: unknown) => string | null

interface Rule {
  method: string
  pattern: string
  render: Render
}

/** Quotes an argument for a POSIX shell only when it needs it. */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_.,:/@%+=-]+$/.test(s)) return s
  return `'${s.replace(/'/g, `'\\''`)}'`
}

const q = shellQuote
const obj = (v: unknown): Body => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : {})
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined)
/** Builds a command from parts; undefined/false parts are dropped. */
const cmd = (...parts: (string | undefined | false | null)[]): string =>
  ['openstack', ...parts.filter((p): p is string => typeof p === 'string' && p !== '')].join(' ')
const opt = (flag: string, v: unknown): string | undefined => {
  const s = str(v)
  return s === undefined ? undefined : `${flag} ${q(s)}`
}
const enableFlag = (v: unknown): string | undefined => (v === false ? '--disable' : v === true ? '--enable' : undefined)

// Resource-scoped role grants: /v3/{projects|domains}/{t}/{users|groups}/{a}/roles/{r}
const singular = (collection: string) => collection.replace(/s$/, '')
const grant = (verb: 'add' | 'remove'): Render => (p) =>
  cmd('role', verb, `--${singular(p.targetKind!)} ${q(p.target!)}`, `--${singular(p.actorKind!)} ${q(p.actor!)}`, q(p.role!))

const identity: Rule[] = [
  { method: 'GET', pattern: '/v3', render: () => cmd('versions show --service identity') },
  { method: 'POST', pattern: '/v3/auth/tokens', render: () => cmd('token issue') },
  { method: 'DELETE', pattern: '/v3/auth/tokens', render: () => cmd('token revoke', '<token>') },
  { method: 'GET', pattern: '/v3/auth/catalog', render: () => cmd('catalog list') },
  { method: 'GET', pattern: '/v3/auth/projects', render: () => cmd('project list --my-projects') },
  { method: 'GET', pattern: '/v3/projects', render: (_p, _b, qs) => cmd('project list', opt('--domain', qs.get('domain_id'))) },
  {
    method: 'POST',
    pattern: '/v3/projects',
    render: (_p, b) => {
      const p = obj(b.project)
      const name = str(p.name)
      if (!name) return null
      return cmd(
        'project create',
        opt('--domain', p.domain_id),
        opt('--parent', p.parent_id),
        opt('--description', p.description),
        p.enabled === false && '--disable',
        q(name),
      )
    },
  },
  { method: 'GET', pattern: '/v3/projects/{id}', render: (p) => cmd('project show', q(p.id!)) },
  {
    method: 'PATCH',
    pattern: '/v3/projects/{id}',
    render: (p, b) => {
      const pr = obj(b.project)
      return cmd('project set', opt('--name', pr.name), opt('--description', pr.description), enableFlag(pr.enabled), q(p.id!))
    },
  },
  { method: 'DELETE', pattern: '/v3/projects/{id}', render: (p) => cmd('project delete', q(p.id!)) },
  { method: 'GET', pattern: '/v3/users', render: (_p, _b, qs) => cmd('user list', opt('--domain', qs.get('domain_id'))) },
  {
    method: 'POST',
    pattern: '/v3/users',
    render: (_p, b) => {
      const u = obj(b.user)
      const name = str(u.name)
      if (!name) return null
      return cmd(
        'user create',
        opt('--domain', u.domain_id),
        opt('--project', u.default_project_id),
        opt('--email', u.email),
        opt('--description', u.description),
        u.password !== undefined && '--password-prompt',
        u.enabled === false && '--disable',
        q(name),
      )
    },
  },
  { method: 'GET', pattern: '/v3/users/{id}', render: (p) => cmd('user show', q(p.id!)) },
  {
    method: 'PATCH',
    pattern: '/v3/users/{id}',
    render: (p, b) => {
      const u = obj(b.user)
      return cmd(
        'user set',
        opt('--name', u.name),
        opt('--email', u.email),
        opt('--project', u.default_project_id),
        u.password !== undefined && '--password-prompt',
        enableFlag(u.enabled),
        q(p.id!),
      )
    },
  },
  { method: 'DELETE', pattern: '/v3/users/{id}', render: (p) => cmd('user delete', q(p.id!)) },
  { method: 'POST', pattern: '/v3/users/{id}/password', render: () => cmd('user password set') },
  { method: 'GET', pattern: '/v3/users/{id}/projects', render: (p) => cmd('project list --user', q(p.id!)) },
  { method: 'GET', pattern: '/v3/users/{id}/groups', render: (p) => cmd('group list --user', q(p.id!)) },
  { method: 'GET', pattern: '/v3/users/{id}/application_credentials', render: () => cmd('application credential list') },
  {
    method: 'POST',
    pattern: '/v3/users/{id}/application_credentials',
    render: (_p, b) => {
      const ac = obj(b.application_credential)
      const name = str(ac.name)
      return name ? cmd('application credential create', opt('--description', ac.description), q(name)) : null
    },
  },
  { method: 'GET', pattern: '/v3/users/{id}/application_credentials/{cred}', render: (p) => cmd('application credential show', q(p.cred!)) },
  { method: 'DELETE', pattern: '/v3/users/{id}/application_credentials/{cred}', render: (p) => cmd('application credential delete', q(p.cred!)) },
  { method: 'GET', pattern: '/v3/roles', render: () => cmd('role list') },
  {
    method: 'POST',
    pattern: '/v3/roles',
    render: (_p, b) => {
      const name = str(obj(b.role).name)
      return name ? cmd('role create', q(name)) : null
    },
  },
  { method: 'GET', pattern: '/v3/roles/{id}', render: (p) => cmd('role show', q(p.id!)) },
  { method: 'DELETE', pattern: '/v3/roles/{id}', render: (p) => cmd('role delete', q(p.id!)) },
  { method: 'PUT', pattern: '/v3/{targetKind:projects|domains}/{target}/{actorKind:users|groups}/{actor}/roles/{role}', render: grant('add') },
  { method: 'DELETE', pattern: '/v3/{targetKind:projects|domains}/{target}/{actorKind:users|groups}/{actor}/roles/{role}', render: grant('remove') },
  {
    method: 'GET',
    pattern: '/v3/role_assignments',
    render: (_p, _b, qs) =>
      cmd(
        'role assignment list',
        opt('--user', qs.get('user.id')),
        opt('--group', qs.get('group.id')),
        opt('--project', qs.get('scope.project.id')),
        opt('--domain', qs.get('scope.domain.id')),
        opt('--role', qs.get('role.id')),
        qs.has('effective') && '--effective',
        '--names',
      ),
  },
  { method: 'GET', pattern: '/v3/domains', render: () => cmd('domain list') },
  {
    method: 'POST',
    pattern: '/v3/domains',
    render: (_p, b) => {
      const d = obj(b.domain)
      const name = str(d.name)
      return name ? cmd('domain create', opt('--description', d.description), q(name)) : null
    },
  },
  { method: 'GET', pattern: '/v3/domains/{id}', render: (p) => cmd('domain show', q(p.id!)) },
  { method: 'DELETE', pattern: '/v3/domains/{id}', render: (p) => cmd('domain delete', q(p.id!)) },
  { method: 'GET', pattern: '/v3/groups', render: () => cmd('group list') },
  {
    method: 'POST',
    pattern: '/v3/groups',
    render: (_p, b) => {
      const name = str(obj(b.group).name)
      return name ? cmd('group create', q(name)) : null
    },
  },
  { method: 'DELETE', pattern: '/v3/groups/{id}', render: (p) => cmd('group delete', q(p.id!)) },
  { method: 'PUT', pattern: '/v3/groups/{id}/users/{user}', render: (p) => cmd('group add user', q(p.id!), q(p.user!)) },
  { method: 'DELETE', pattern: '/v3/groups/{id}/users/{user}', render: (p) => cmd('group remove user', q(p.id!), q(p.user!)) },
  { method: 'GET', pattern: '/v3/services', render: () => cmd('service list') },
  { method: 'GET', pattern: '/v3/endpoints', render: () => cmd('endpoint list') },
  { method: 'GET', pattern: '/v3/regions', render: () => cmd('region list') },
]

/** `openstack server create` for a POST /servers body; null without a name (the CLI needs one). */
function serverCreateCommand(b: Body): string | null {
  const s = obj(b.server)
  const name = str(s.name)
  if (!name) return null
  const nets = Array.isArray(s.networks)
    ? (s.networks as unknown[]).map((n) => opt('--network', obj(n).uuid) ?? opt('--port', obj(n).port))
    : s.networks === 'none' || s.networks === 'auto'
      ? [`--nic ${s.networks}`]
      : []
  const meta = Object.entries(obj(s.metadata)).map(([k, v]) => property(k, v))
  const min = str(s.min_count)
  const max = str(s.max_count)
  const many = (min !== undefined && min !== '1') || (max !== undefined && max !== '1')
  // Boot from a new volume: --boot-from-volume keeps the volume; deleting it with the server needs --block-device.
  const bdm = Array.isArray(s.block_device_mapping_v2) ? (s.block_device_mapping_v2 as unknown[]).map(obj).find((d) => String(d.boot_index) === '0') : undefined
  const bootVolume =
    bdm && bdm.source_type === 'image' && bdm.destination_type === 'volume'
      ? bdm.delete_on_termination === true
        ? [`--block-device ${q(`uuid=${str(bdm.uuid)},source_type=image,destination_type=volume,volume_size=${str(bdm.volume_size)},boot_index=0,delete_on_termination=true`)}`]
        : [opt('--image', bdm.uuid), opt('--boot-from-volume', bdm.volume_size)]
      : bdm && bdm.source_type === 'volume'
        ? [opt('--volume', bdm.uuid)]
        : []
  return cmd(
    'server create',
    opt('--image', s.imageRef),
    ...bootVolume,
    opt('--flavor', s.flavorRef),
    ...nets,
    ...(Array.isArray(s.security_groups) ? (s.security_groups as unknown[]).map((g) => opt('--security-group', obj(g).name)) : []),
    opt('--key-name', s.key_name),
    s.user_data !== undefined && '--user-data <file>',
    ...meta,
    opt('--availability-zone', s.availability_zone),
    many && opt('--min', min ?? max),
    many && opt('--max', max ?? min),
    '--wait',
    q(name),
  )
}

/** POST /servers/{id}/action: the one key of the body names the action. */
function serverActionCommand(id: string, b: Body): string | null {
  const server = q(id)
  if ('os-start' in b) return cmd('server start', server)
  if ('os-stop' in b) return cmd('server stop', server)
  if ('reboot' in b) return cmd('server reboot', obj(b.reboot).type === 'HARD' && '--hard', server)
  if ('pause' in b) return cmd('server pause', server)
  if ('unpause' in b) return cmd('server unpause', server)
  if ('suspend' in b) return cmd('server suspend', server)
  if ('resume' in b) return cmd('server resume', server)
  if ('lock' in b) return cmd('server lock', server)
  if ('unlock' in b) return cmd('server unlock', server)
  if ('createImage' in b) return cmd('server image create', opt('--name', obj(b.createImage).name), server)
  if ('rebuild' in b) return cmd('server rebuild', opt('--image', obj(b.rebuild).imageRef), opt('--name', obj(b.rebuild).name), server)
  if ('os-getConsoleOutput' in b) {
    const length = obj(b['os-getConsoleOutput']).length
    return cmd('console log show', typeof length === 'number' && length >= 0 && opt('--lines', length), server)
  }
  if ('os-getSerialConsole' in b) return cmd('console url show --serial', server)
  if ('os-getVNCConsole' in b) return cmd('console url show --novnc', server)
  return null
}

const compute: Rule[] = [
  { method: 'GET', pattern: '', render: () => cmd('versions show --service compute') },
  { method: 'GET', pattern: '/servers', render: () => cmd('server list') },
  { method: 'GET', pattern: '/servers/detail', render: (_p, _b, qs) => cmd('server list --long', qs.has('all_tenants') && '--all-projects', opt('--name', qs.get('name')), opt('--status', qs.get('status'))) },
  { method: 'POST', pattern: '/servers', render: (_p, b) => serverCreateCommand(b) },
  { method: 'GET', pattern: '/servers/{id}', render: (p) => cmd('server show', q(p.id!)) },
  { method: 'PUT', pattern: '/servers/{id}', render: (p, b) => cmd('server set', opt('--name', obj(b.server).name), q(p.id!)) },
  { method: 'DELETE', pattern: '/servers/{id}', render: (p) => cmd('server delete', q(p.id!)) },
  { method: 'POST', pattern: '/servers/{id}/action', render: (p, b) => serverActionCommand(p.id!, b) },
  { method: 'POST', pattern: '/servers/{id}/remote-consoles', render: (p, b) => cmd('console url show', obj(b.remote_console).type === 'serial' && '--serial', q(p.id!)) },
  { method: 'GET', pattern: '/servers/{id}/os-instance-actions', render: (p) => cmd('server event list', q(p.id!)) },
  { method: 'GET', pattern: '/servers/{id}/os-instance-actions/{req}', render: (p) => cmd('server event show', q(p.id!), q(p.req!)) },
  { method: 'GET', pattern: '/servers/{id}/metadata', render: (p) => cmd('server show -c properties', q(p.id!)) },
  { method: 'GET', pattern: '/servers/{id}/os-volume_attachments', render: (p) => cmd('server volume list', q(p.id!)) },
  {
    method: 'POST',
    pattern: '/servers/{id}/os-volume_attachments',
    render: (p, b) => {
      const vol = str(obj(b.volumeAttachment).volumeId)
      return vol ? cmd('server add volume', q(p.id!), q(vol)) : null
    },
  },
  { method: 'DELETE', pattern: '/servers/{id}/os-volume_attachments/{vol}', render: (p) => cmd('server remove volume', q(p.id!), q(p.vol!)) },
  { method: 'GET', pattern: '/flavors', render: (_p, _b, qs) => cmd('flavor list', isAllFlavors(qs) && '--all') },
  { method: 'GET', pattern: '/flavors/detail', render: (_p, _b, qs) => cmd('flavor list', isAllFlavors(qs) && '--all', '--long') },
  {
    method: 'POST',
    pattern: '/flavors',
    render: (_p, b) => {
      const f = obj(b.flavor)
      const name = str(f.name)
      if (!name) return null
      const positive = (flag: string, v: unknown) => (typeof v === 'number' && v > 0 ? opt(flag, v) : undefined)
      return cmd(
        'flavor create',
        opt('--id', f.id),
        opt('--vcpus', f.vcpus),
        opt('--ram', f.ram),
        opt('--disk', f.disk),
        positive('--ephemeral', f['OS-FLV-EXT-DATA:ephemeral']),
        positive('--swap', f.swap),
        f['os-flavor-access:is_public'] === false && '--private',
        opt('--description', f.description),
        q(name),
      )
    },
  },
  { method: 'GET', pattern: '/flavors/{id}', render: (p) => cmd('flavor show', q(p.id!)) },
  { method: 'DELETE', pattern: '/flavors/{id}', render: (p) => cmd('flavor delete', q(p.id!)) },
  { method: 'GET', pattern: '/flavors/{id}/os-extra_specs', render: (p) => cmd('flavor show -c properties', q(p.id!)) },
  { method: 'GET', pattern: '/os-keypairs', render: () => cmd('keypair list') },
  {
    method: 'POST',
    pattern: '/os-keypairs',
    render: (_p, b) => {
      const k = obj(b.keypair)
      const name = str(k.name)
      if (!name) return null
      return k.public_key !== undefined ? cmd('keypair create --public-key <file>', q(name)) : cmd('keypair create', q(name))
    },
  },
  { method: 'GET', pattern: '/os-keypairs/{name}', render: (p) => cmd('keypair show', q(p.name!)) },
  { method: 'DELETE', pattern: '/os-keypairs/{name}', render: (p) => cmd('keypair delete', q(p.name!)) },
  { method: 'GET', pattern: '/limits', render: () => cmd('limits show --absolute') },
  { method: 'GET', pattern: '/os-quota-sets/{id}', render: (p) => cmd('quota show', q(p.id!)) },
  { method: 'GET', pattern: '/os-availability-zone', render: () => cmd('availability zone list --compute') },
  { method: 'GET', pattern: '/os-hypervisors', render: () => cmd('hypervisor list') },
  { method: 'GET', pattern: '/os-hypervisors/detail', render: () => cmd('hypervisor list --long') },
  { method: 'GET', pattern: '/os-hypervisors/statistics', render: () => cmd('hypervisor stats show') },
  { method: 'GET', pattern: '/os-hypervisors/{id}', render: (p) => cmd('hypervisor show', q(p.id!)) },
  { method: 'GET', pattern: '/os-services', render: () => cmd('compute service list') },
]

/** is_public=None (or all/false) lists private flavors too: `flavor list --all`. */
const isAllFlavors = (qs: URLSearchParams) => ['none', 'None', 'all'].includes(qs.get('is_public') ?? '')

/** Attributes Glance defines itself; every other key of an image is a custom property (`--property k=v`). */
export const IMAGE_CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'owner',
  'size',
  'virtual_size',
  'disk_format',
  'container_format',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'min_disk',
  'min_ram',
  'protected',
  'os_hidden',
  'tags',
  'created_at',
  'updated_at',
  'self',
  'file',
  'schema',
  'direct_url',
  'locations',
  'stores',
])

const VISIBILITIES = new Set(['public', 'private', 'shared', 'community'])
const visibilityFlag = (v: unknown) => (typeof v === 'string' && VISIBILITIES.has(v) ? `--${v}` : undefined)
const protectedFlag = (v: unknown) => (v === true ? '--protected' : v === false ? '--unprotected' : undefined)
const hiddenFlag = (v: unknown) => (v === true ? '--hidden' : v === false ? '--unhidden' : undefined)
const property = (k: string, v: unknown) => {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
  return s === undefined ? undefined : `--property ${q(`${k}=${s}`)}`
}
const tagOpts = (v: unknown) => (Array.isArray(v) ? v.map((t) => opt('--tag', t)) : [])

/**
 * `openstack image create` for a POST /v2/images body; with `file`, the command that also uploads the data
 * (what the dashboard does with POST /v2/images then PUT /v2/images/{id}/file). Null without a name: the CLI
 * needs one.
 */
export function imageCreateCommand(body: unknown, file?: string): string | null {
  const b = obj(body)
  const name = str(b.name)
  if (!name) return null
  const props = Object.keys(b)
    .filter((k) => !IMAGE_CORE_ATTRIBUTES.has(k))
    .sort()
    .map((k) => property(k, b[k]))
  return cmd(
    'image create',
    opt('--id', b.id),
    opt('--disk-format', b.disk_format),
    opt('--container-format', b.container_format),
    b.min_disk !== 0 && opt('--min-disk', b.min_disk),
    b.min_ram !== 0 && opt('--min-ram', b.min_ram),
    visibilityFlag(b.visibility),
    protectedFlag(b.protected === true ? true : undefined),
    hiddenFlag(b.os_hidden === true ? true : undefined),
    ...tagOpts(b.tags),
    ...props,
    file !== undefined && `--file ${file === '<file>' ? file : q(file)}`,
    q(name),
  )
}

/** JSON pointer segment decoding (RFC 6901): ~1 is "/", ~0 is "~". */
const unpointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~')

/** A Glance JSON-patch (PATCH /v2/images/{id}) as `openstack image set` and, for removals, `image unset`. */
function imagePatchCommand(id: string, ops: unknown): string | null {
  if (!Array.isArray(ops)) return null
  const set: (string | undefined)[] = []
  const unset: (string | undefined)[] = []
  for (const raw of ops) {
    const op = obj(raw)
    const path = typeof op.path === 'string' ? op.path : ''
    const segs = path.split('/').slice(1).map(unpointer)
    const key = segs[0]
    if (!key) return null
    const v = op.value
    if (op.op === 'add' || op.op === 'replace') {
      if (key === 'name') set.push(opt('--name', v))
      else if (key === 'min_disk') set.push(opt('--min-disk', v))
      else if (key === 'min_ram') set.push(opt('--min-ram', v))
      else if (key === 'disk_format') set.push(opt('--disk-format', v))
      else if (key === 'container_format') set.push(opt('--container-format', v))
      else if (key === 'visibility') set.push(visibilityFlag(v))
      else if (key === 'protected') set.push(protectedFlag(v))
      else if (key === 'os_hidden') set.push(hiddenFlag(v))
      else if (key === 'tags') set.push(...(segs.length > 1 ? [opt('--tag', v)] : tagOpts(v)))
      else if (IMAGE_CORE_ATTRIBUTES.has(key)) return null
      else set.push(property(key, v))
    } else if (op.op === 'remove') {
      if (key === 'tags' && segs.length > 1) unset.push(opt('--tag', segs[1]))
      else if (IMAGE_CORE_ATTRIBUTES.has(key)) return null
      else unset.push(`--property ${q(key)}`)
    } else return null
  }
  const parts: string[] = []
  if (set.some(Boolean)) parts.push(cmd('image set', ...set, q(id)))
  if (unset.some(Boolean)) parts.push(cmd('image unset', ...unset, q(id)))
  return parts.length ? parts.join(' && ') : null
}

const image: Rule[] = [
  { method: 'GET', pattern: '', render: () => cmd('versions show --service image') },
  { method: 'GET', pattern: '/versions', render: () => cmd('versions show --service image') },
  {
    method: 'GET',
    pattern: '/v2/images',
    render: (_p, _b, qs) => {
      const sort = qs.get('sort') ?? (qs.get('sort_key') ? `${qs.get('sort_key')}${qs.get('sort_dir') ? `:${qs.get('sort_dir')}` : ''}` : undefined)
      return cmd(
        'image list',
        visibilityFlag(qs.get('visibility')),
        opt('--name', qs.get('name')),
        opt('--status', qs.get('status')),
        opt('--project', qs.get('owner')),
        opt('--member-status', qs.get('member_status')),
        opt('--tag', qs.get('tag')),
        qs.get('os_hidden') === 'true' && '--hidden',
        opt('--sort', sort),
      )
    },
  },
  { method: 'POST', pattern: '/v2/images', render: (_p, b) => imageCreateCommand(b) },
  { method: 'GET', pattern: '/v2/images/{id}', render: (p) => cmd('image show', q(p.id!)) },
  { method: 'PATCH', pattern: '/v2/images/{id}', render: (p, _b, _q, raw) => imagePatchCommand(p.id!, raw) },
  { method: 'DELETE', pattern: '/v2/images/{id}', render: (p) => cmd('image delete', q(p.id!)) },
  // Glance has no "upload into this image" command: the CLI creates and uploads in one go.
  { method: 'PUT', pattern: '/v2/images/{id}/file', render: () => cmd('image create --disk-format <format> --container-format bare --file <file> <name>') },
  { method: 'GET', pattern: '/v2/images/{id}/file', render: (p) => cmd('image save --file <file>', q(p.id!)) },
  { method: 'PUT', pattern: '/v2/images/{id}/stage', render: (p) => cmd('image stage --file <file>', q(p.id!)) },
  {
    method: 'POST',
    pattern: '/v2/images/{id}/import',
    render: (p, b) => {
      const m = obj(b.method)
      const name = str(m.name)
      const stores = Array.isArray(b.stores) ? b.stores.map((s) => opt('--store', s)) : []
      return cmd(
        'image import',
        name && name !== 'glance-direct' ? `--method ${q(name)}` : undefined,
        opt('--uri', m.uri),
        opt('--remote-region', m.glance_region),
        opt('--remote-image', m.glance_image_id),
        ...stores,
        b.all_stores === true && '--all-stores',
        q(p.id!),
      )
    },
  },
  { method: 'POST', pattern: '/v2/images/{id}/actions/deactivate', render: (p) => cmd('image set --deactivate', q(p.id!)) },
  { method: 'POST', pattern: '/v2/images/{id}/actions/reactivate', render: (p) => cmd('image set --activate', q(p.id!)) },
  { method: 'PUT', pattern: '/v2/images/{id}/tags/{tag}', render: (p) => cmd('image set --tag', q(p.tag!), q(p.id!)) },
  { method: 'DELETE', pattern: '/v2/images/{id}/tags/{tag}', render: (p) => cmd('image unset --tag', q(p.tag!), q(p.id!)) },
  { method: 'GET', pattern: '/v2/images/{id}/members', render: (p) => cmd('image member list', q(p.id!)) },
  {
    method: 'POST',
    pattern: '/v2/images/{id}/members',
    render: (p, b) => {
      const member = str(b.member)
      return member ? cmd('image add project', q(p.id!), q(member)) : null
    },
  },
  { method: 'GET', pattern: '/v2/images/{id}/members/{member}', render: (p) => cmd('image member get', q(p.id!), q(p.member!)) },
  {
    method: 'PUT',
    pattern: '/v2/images/{id}/members/{member}',
    render: (p, b) => {
      const flag = { accepted: '--accept', rejected: '--reject', pending: '--pending' }[str(b.status) ?? '']
      return flag ? cmd('image set', flag, opt('--project', p.member), q(p.id!)) : null
    },
  },
  { method: 'DELETE', pattern: '/v2/images/{id}/members/{member}', render: (p) => cmd('image remove project', q(p.id!), q(p.member!)) },
  { method: 'GET', pattern: '/v2/info/import', render: () => cmd('image import info') },
  { method: 'GET', pattern: '/v2/info/stores', render: () => cmd('image stores list') },
  { method: 'GET', pattern: '/v2/tasks', render: () => cmd('image task list') },
  { method: 'GET', pattern: '/v2/tasks/{id}', render: (p) => cmd('image task show', q(p.id!)) },
]

const volume: Rule[] = [
  { method: 'GET', pattern: '', render: () => cmd('versions show --service block-storage') },
  { method: 'GET', pattern: '/volumes', render: () => cmd('volume list') },
  { method: 'GET', pattern: '/volumes/detail', render: () => cmd('volume list --long') },
  {
    method: 'POST',
    pattern: '/volumes',
    render: (_p, b) => {
      const v = obj(b.volume)
      const name = str(v.name)
      return name ? cmd('volume create', opt('--snapshot', v.snapshot_id), opt('--size', v.size), opt('--image', v.imageRef), opt('--type', v.volume_type), q(name)) : null
    },
  },
  {
    method: 'POST',
    pattern: '/volumes/{id}/action',
    render: (p, b) => {
      const extend = obj(b['os-extend'])
      return str(extend.new_size) ? cmd('volume set', opt('--size', extend.new_size), q(p.id!)) : null
    },
  },
  { method: 'GET', pattern: '/volumes/{id}', render: (p) => cmd('volume show', q(p.id!)) },
  { method: 'DELETE', pattern: '/volumes/{id}', render: (p) => cmd('volume delete', q(p.id!)) },
  { method: 'GET', pattern: '/types', render: () => cmd('volume type list') },
  { method: 'GET', pattern: '/snapshots', render: () => cmd('volume snapshot list') },
  { method: 'GET', pattern: '/snapshots/detail', render: () => cmd('volume snapshot list --long') },
  {
    method: 'POST',
    pattern: '/snapshots',
    render: (_p, b) => {
      const s = obj(b.snapshot)
      const name = str(s.name)
      return name ? cmd('volume snapshot create', opt('--volume', s.volume_id), q(name)) : null
    },
  },
  { method: 'DELETE', pattern: '/snapshots/{id}', render: (p) => cmd('volume snapshot delete', q(p.id!)) },
]

/** Neutron's resources follow one pattern: collection list/create, member show/update/delete. */
function neutronResource(collection: string, noun: string, createArgs: (r: Body) => (string | undefined | false)[] = () => []): Rule[] {
  const key = collection.replace(/-/g, '_').replace(/s$/, '').replace(/ie$/, 'y')
  return [
    { method: 'GET', pattern: `/v2.0/${collection}`, render: () => cmd(`${noun} list`) },
    {
      method: 'POST',
      pattern: `/v2.0/${collection}`,
      render: (_p, b) => {
        const r = obj(b[key])
        const name = str(r.name)
        return cmd(`${noun} create`, ...createArgs(r), name ? q(name) : undefined)
      },
    },
    { method: 'GET', pattern: `/v2.0/${collection}/{id}`, render: (p) => cmd(`${noun} show`, q(p.id!)) },
    { method: 'PUT', pattern: `/v2.0/${collection}/{id}`, render: (p) => cmd(`${noun} set`, q(p.id!)) },
    { method: 'DELETE', pattern: `/v2.0/${collection}/{id}`, render: (p) => cmd(`${noun} delete`, q(p.id!)) },
  ]
}

/** `--security-group` per group id of a port body; `--no-security-group` for an empty list. */
const securityGroupOpts = (groups: unknown, clearFirst: boolean): (string | undefined)[] => {
  if (!Array.isArray(groups)) return []
  return [groups.length === 0 || clearFirst ? '--no-security-group' : undefined, ...groups.map((g) => opt('--security-group', g))]
}

/** A floating IP's port forwarding, as `openstack floating ip port forwarding create` spells it. */
function portForwardingCreateCommand(fip: string, b: Body): string | null {
  const pf = obj(b.port_forwarding)
  return cmd(
    'floating ip port forwarding create',
    opt('--internal-ip-address', pf.internal_ip_address),
    opt('--port', pf.internal_port_id),
    opt('--internal-protocol-port', pf.internal_port),
    opt('--external-protocol-port', pf.external_port),
    opt('--protocol', pf.protocol),
    opt('--description', pf.description),
    q(fip),
  )
}

const network: Rule[] = [
  { method: 'GET', pattern: '', render: () => cmd('versions show --service network') },
  ...neutronResource('networks', 'network', (r) => [r.shared === true && '--share', r['router:external'] === true && '--external']),
  ...neutronResource('subnets', 'subnet', (r) => [
    opt('--network', r.network_id),
    opt('--subnet-range', r.cidr),
    r.gateway_ip === null ? '--gateway none' : opt('--gateway', r.gateway_ip),
    r.enable_dhcp === false && '--no-dhcp',
    ...(Array.isArray(r.dns_nameservers) ? r.dns_nameservers.map((ns) => opt('--dns-nameserver', ns)) : []),
    ...(Array.isArray(r.allocation_pools) ? r.allocation_pools.map((p) => `--allocation-pool start=${q(str(obj(p).start) ?? '')},end=${q(str(obj(p).end) ?? '')}`) : []),
  ]),
  {
    method: 'GET',
    pattern: '/v2.0/ports',
    render: (_p, _b, qs) => cmd('port list', opt('--network', qs.get('network_id')), opt('--device-owner', qs.get('device_owner')), opt('--device-id', qs.get('device_id'))),
  },
  {
    method: 'POST',
    pattern: '/v2.0/ports',
    render: (_p, b) => {
      const r = obj(b.port)
      const name = str(r.name)
      const fixed = Array.isArray(r.fixed_ips)
        ? r.fixed_ips.map((f) => {
            const parts = [str(obj(f).subnet_id) && `subnet=${str(obj(f).subnet_id)}`, str(obj(f).ip_address) && `ip-address=${str(obj(f).ip_address)}`].filter(Boolean)
            return parts.length ? `--fixed-ip ${q(parts.join(','))}` : undefined
          })
        : []
      // The CLI needs a name; Neutron does not.
      return cmd('port create', opt('--network', r.network_id), ...fixed, ...securityGroupOpts(r.security_groups, false), r.admin_state_up === false && '--disable', q(name ?? '<name>'))
    },
  },
  {
    method: 'PUT',
    pattern: '/v2.0/ports/{id}',
    render: (p, b) => {
      const r = obj(b.port)
      return cmd('port set', opt('--name', r.name), ...securityGroupOpts(r.security_groups, true), enableFlag(r.admin_state_up), q(p.id!))
    },
  },
  ...neutronResource('ports', 'port', (r) => [opt('--network', r.network_id)]),
  ...neutronResource('routers', 'router'),
  { method: 'PUT', pattern: '/v2.0/routers/{id}/add_router_interface', render: (p, b) => cmd('router add subnet', q(p.id!), q(str(b.subnet_id) ?? '<subnet>')) },
  { method: 'PUT', pattern: '/v2.0/routers/{id}/remove_router_interface', render: (p, b) => cmd('router remove subnet', q(p.id!), q(str(b.subnet_id) ?? '<subnet>')) },
  ...neutronResource('security-groups', 'security group'),
  ...neutronResource('security-group-rules', 'security group rule', (r) => [
    opt('--protocol', r.protocol),
    r.port_range_min !== undefined && opt('--dst-port', r.port_range_min === r.port_range_max ? r.port_range_min : `${str(r.port_range_min)}:${str(r.port_range_max)}`),
    opt('--remote-ip', r.remote_ip_prefix),
    r.direction === 'egress' && '--egress',
    str(r.security_group_id) && q(str(r.security_group_id)!),
  ]),
  {
    method: 'POST',
    pattern: '/v2.0/floatingips',
    render: (_p, b) => {
      const r = obj(b.floatingip)
      const net = str(r.floating_network_id)
      return net ? cmd('floating ip create', opt('--port', r.port_id), opt('--fixed-ip-address', r.fixed_ip_address), opt('--description', r.description), q(net)) : null
    },
  },
  {
    method: 'PUT',
    pattern: '/v2.0/floatingips/{id}',
    render: (p, b) => {
      const r = obj(b.floatingip)
      if (r.port_id === null) return cmd('floating ip unset --port', q(p.id!))
      return cmd('floating ip set', opt('--port', r.port_id), opt('--fixed-ip-address', r.fixed_ip_address), opt('--description', r.description), q(p.id!))
    },
  },
  { method: 'GET', pattern: '/v2.0/floatingips/{id}/port_forwardings', render: (p) => cmd('floating ip port forwarding list', q(p.id!)) },
  { method: 'POST', pattern: '/v2.0/floatingips/{id}/port_forwardings', render: (p, b) => portForwardingCreateCommand(p.id!, b) },
  { method: 'GET', pattern: '/v2.0/floatingips/{id}/port_forwardings/{pf}', render: (p) => cmd('floating ip port forwarding show', q(p.id!), q(p.pf!)) },
  { method: 'DELETE', pattern: '/v2.0/floatingips/{id}/port_forwardings/{pf}', render: (p) => cmd('floating ip port forwarding delete', q(p.id!), q(p.pf!)) },
  ...neutronResource('floatingips', 'floating ip', (r) => [str(r.floating_network_id) && q(str(r.floating_network_id)!)]),
]

const objectStore: Rule[] = [
  { method: 'GET', pattern: '', render: () => cmd('container list') },
  { method: 'HEAD', pattern: '', render: () => cmd('object store account show') },
  { method: 'PUT', pattern: '/{container}', render: (p) => cmd('container create', q(p.container!)) },
  { method: 'POST', pattern: '', render: () => cmd('object store account set --property <key>=<value>') },
  { method: 'POST', pattern: '/{container}', render: (p) => `swift post ${q(p.container!)}` },
  { method: 'GET', pattern: '/{container}', render: (p) => cmd('object list', q(p.container!)) },
  { method: 'HEAD', pattern: '/{container}', render: (p) => cmd('container show', q(p.container!)) },
  { method: 'DELETE', pattern: '/{container}', render: (p) => cmd('container delete', q(p.container!)) },
  { method: 'PUT', pattern: '/{container}/{object*}', render: (p) => cmd('object create --name', q(p.object!), q(p.container!), '<file>') },
  { method: 'GET', pattern: '/{container}/{object*}', render: (p) => cmd('object save', q(p.container!), q(p.object!)) },
  { method: 'HEAD', pattern: '/{container}/{object*}', render: (p) => cmd('object show', q(p.container!), q(p.object!)) },
  { method: 'DELETE', pattern: '/{container}/{object*}', render: (p) => cmd('object delete', q(p.container!), q(p.object!)) },
]

const RULES: Record<string, Rule[]> = {
  identity,
  compute,
  image,
  volumev3: volume,
  'block-storage': volume,
  volume,
  network,
  'object-store': objectStore,
}

/**
 * Matches `path` against a pattern with `{name}` segments (one segment each), `{name:a|b}` (one of the listed
 * values) and a final `{name*}` (the rest of the path). Returns the decoded parameters, or null.
 */
export function matchPattern(pattern: string, path: string): Params | null {
  const pat = pattern.split('/').filter(Boolean)
  const segs = path.split('/').filter(Boolean)
  const params: Params = {}
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!
    const m = /^\{(\w+)(\*|:([\w|.-]+))?\}$/.exec(p)
    if (m && m[2] === '*') {
      if (i >= segs.length) return null
      params[m[1]!] = segs.slice(i).map(safeDecode).join('/')
      return params
    }
    const s = segs[i]
    if (s === undefined) return null
    if (m) {
      const value = safeDecode(s)
      if (m[3] && !m[3].split('|').includes(value)) return null
      params[m[1]!] = value
    } else if (p !== s) return null
  }
  return segs.length === pat.length ? params : null
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The equivalent `openstack …` command, or null when there is none (or we do not know it). */
export function cliEquivalent(call: RestCall): string | null {
  const rules = RULES[call.service]
  if (!rules) return null
  const method = call.method.toUpperCase()
  const [pathOnly, inlineQuery] = call.path.split('?', 2) as [string, string | undefined]
  const query = call.query instanceof URLSearchParams ? call.query : new URLSearchParams(call.query ?? inlineQuery ?? '')
  const body = obj(call.body)
  for (const rule of rules) {
    if (rule.method !== method) continue
    const params = matchPattern(rule.pattern, pathOnly)
    if (params) return rule.render(params, body, query, call.body)
  }
  return null
}
