import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import { isAdmin } from '../../../platform/auth-context'
import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import type { ImageClient } from '../../clients'
import type { ComputeManager, CreateServerRequest, RequestedNic } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import { InstanceNotFound, InvalidRequest } from '../errors'
import type { BootVolume, Instance } from '../models'
import { serverRef, serverStatus, serverView } from './views'
import { serverRoute } from './server-route'

const META = { type: 'object', maxProperties: 128, additionalProperties: { type: 'string', maxLength: 255 }, propertyNames: { minLength: 1, maxLength: 255 } }

const CREATE = {
  type: 'object',
  properties: {
    server: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        imageRef: { type: 'string', maxLength: 255 },
        flavorRef: { type: ['string', 'integer'], minLength: 1 },
        networks: { anyOf: [{ type: 'string', enum: ['auto', 'none'] }, { type: 'array' }] },
        key_name: { type: 'string', minLength: 1, maxLength: 255 },
        user_data: { type: 'string', maxLength: 65535 },
        metadata: META,
        config_drive: { type: ['boolean', 'string'] },
        min_count: { type: ['integer', 'string'] },
        max_count: { type: ['integer', 'string'] },
        availability_zone: { type: 'string', minLength: 1, maxLength: 255 },
        adminPass: { type: 'string' },
        accessIPv4: { type: 'string' },
        accessIPv6: { type: 'string' },
        security_groups: { type: 'array' },
        block_device_mapping_v2: { type: 'array' },
        'OS-DCF:diskConfig': { type: 'string', enum: ['AUTO', 'MANUAL'] },
        return_reservation_id: { type: ['boolean', 'string'] },
        description: { type: ['string', 'null'], maxLength: 255 },
      },
      required: ['name', 'flavorRef'],
      additionalProperties: false,
    },
    'os:scheduler_hints': { type: 'object' },
    'OS-SCH-HNT:scheduler_hints': { type: 'object' },
  },
  required: ['server'],
  additionalProperties: false,
}

const UPDATE = {
  type: 'object',
  properties: {
    server: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, accessIPv4: { type: 'string' }, accessIPv6: { type: 'string' }, 'OS-DCF:diskConfig': { type: 'string' } },
      additionalProperties: false,
    },
  },
  required: ['server'],
  additionalProperties: false,
}

type CreateBody = { server: Record<string, any> }

/** The last path segment of a ref that may be a URL (Nova accepts both). */
const refId = (ref: unknown): string => String(ref).split('/').filter(Boolean).pop() ?? ''

/** oslo's is_uuid_like: 32 hex digits, dashes optional. */
const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/**
 * `networks` at 2.1: absent or [] — whatever is available (Nova's behaviour before 2.37, what the CLI sends without
 * --nic), "auto"/"none", or a list of {uuid}, {port} or {uuid, fixed_ip} (`tag` needs 2.32). Shapes only; whether
 * the networks and ports exist and may be used is the manager's business.
 */
export function parseNetworks(v: unknown): CreateServerRequest['networks'] {
  if (v === undefined || v === null) return 'auto'
  if (v === 'auto' || v === 'none') return v
  if (!Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute networks. Value: ${JSON.stringify(v)}. must be "auto", "none" or a list`, 'server/networks')
  if (!v.length) return 'auto'
  return v.map((n: unknown, i): RequestedNic => {
    const f = `networks[${i}]`
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw new BadRequest(`Invalid input for field/attribute ${f}. Value: ${JSON.stringify(n)}. is not of type 'object'`, `server/networks/${i}`)
    const nic = n as Record<string, unknown>
    const extra = Object.keys(nic).filter((k) => !['uuid', 'port', 'fixed_ip'].includes(k))
    if (extra.length) {
      const hint = extra.includes('tag') ? ' (a NIC tag needs microversion 2.32; this cloud speaks 2.1)' : ''
      throw new BadRequest(`Invalid input for field/attribute ${f}. Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length > 1 ? 'were' : 'was'} unexpected)${hint}`, `server/networks/${i}`)
    }
    const out: RequestedNic = {}
    if (nic.port !== undefined && nic.port !== null) {
      if (typeof nic.port !== 'string' || !UUID_LIKE.test(nic.port)) throw new BadRequest(`Invalid input for field/attribute ${f}.port. Value: ${nic.port}. '${nic.port}' is not a 'uuid'`, `server/networks/${i}/port`)
      out.port = nic.port
    }
    if (nic.uuid !== undefined) {
      if (typeof nic.uuid !== 'string' || !UUID_LIKE.test(nic.uuid)) throw new BadRequest(`Bad networks format: network uuid is not in proper format (${nic.uuid}) at ${f}.uuid`, `server/networks/${i}/uuid`)
      out.uuid = nic.uuid
    }
    if (nic.fixed_ip !== undefined) {
      if (typeof nic.fixed_ip !== 'string' || !isIP(nic.fixed_ip)) throw new BadRequest(`Invalid input for field/attribute ${f}.fixed_ip. Value: ${nic.fixed_ip}. '${nic.fixed_ip}' is not a 'ip-address'`, `server/networks/${i}/fixed_ip`)
      if (out.port) throw new BadRequest(`Specified Fixed IP '${nic.fixed_ip}' cannot be used with port '${out.port}': the two cannot be specified together.`, `server/networks/${i}`)
      out.fixed_ip = nic.fixed_ip
    }
    if (!out.port && !out.uuid) throw new BadRequest(`Bad network format: missing 'uuid' at ${f} (give a network uuid or a port)`, `server/networks/${i}`)
    return out
  })
}

/** `security_groups` of a create request: [{name}] (names or ids); undefined when absent. */
export function parseSecurityGroups(v: unknown): string[] | undefined {
  if (v === undefined) return undefined
  if (!Array.isArray(v)) throw new BadRequest('Invalid input for field/attribute security_groups: must be a list of {"name": …}.', 'server/security_groups')
  return v.map((g: unknown, i) => {
    const name = g && typeof g === 'object' && !Array.isArray(g) ? (g as Record<string, unknown>).name : undefined
    if (typeof name !== 'string' || !name || Object.keys(g as object).some((k) => k !== 'name')) {
      throw new BadRequest(`Invalid input for field/attribute security_groups[${i}]: must be {"name": "<name or id>"}.`, `server/security_groups/${i}`)
    }
    return name
  })
}

const int = (v: unknown, field: string, d: number): number => {
  if (v === undefined) return d
  const n = typeof v === 'string' ? Number(v) : v
  if (!Number.isInteger(n) || (n as number) < 1) throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${v}. must be an integer ≥ 1`, `server/${field}`)
  return n as number
}

export function registerServerRoutes(router: Router, manager: ComputeManager, repo: ComputeRepository, images: ImageClient): void {
  const base = (req: ApiRequest) => req.serviceUrl
  const one = (policy: string) => serverRoute(repo, policy)

  const list = (detail: boolean) => async (req: ApiRequest) => {
    const q = req.query
    const allTenants = q.has('all_tenants') && !['0', 'false', 'False'].includes(q.get('all_tenants') ?? '')
    if (allTenants && !isAdmin(req.ctx)) throw new Forbidden('Policy does not allow os_compute_api:servers:detail:get_all_tenants to be performed.')
    const project = allTenants ? (q.get('project_id') ?? q.get('tenant_id') ?? undefined) : req.ctx.projectId
    let all = await repo.instances(project)
    let nameRe: RegExp | undefined
    if (q.get('name')) {
      try {
        nameRe = new RegExp(q.get('name')!)
      } catch {
        throw new BadRequest(`Invalid regular expression for name: ${q.get('name')}`, 'name')
      }
    }
    const status = q.get('status')?.toUpperCase()
    const since = q.get('changes-since') ?? q.get('changes_since')
    if (since && Number.isNaN(Date.parse(since))) throw new BadRequest(`Invalid changes-since value: ${since}`, 'changes-since')
    all = all.filter(
      (i) =>
        (!nameRe || nameRe.test(i.name)) &&
        (!status || serverStatus(i.vm_state, i.task_state) === status) &&
        (!q.get('image') || i.image_id === refId(q.get('image'))) &&
        (!q.get('flavor') || i.flavor_id === refId(q.get('flavor'))) &&
        (!q.get('reservation_id') || i.reservation_id === q.get('reservation_id')) &&
        (!since || Date.parse(i.updated_at) >= Date.parse(since)),
    )
    const key = q.get('sort_key') ?? 'created_at'
    if (!['created_at', 'updated_at', 'name', 'id', 'vm_state', 'task_state', 'launched_at', 'display_name'].includes(key)) {
      throw new BadRequest(`Invalid sort key: ${key}`, 'sort_key')
    }
    const col = key === 'display_name' ? 'name' : key
    const dir = q.get('sort_dir') === 'asc' ? 1 : -1
    all.sort((a, b) => {
      const av = String((a as unknown as Record<string, unknown>)[col] ?? '')
      const bv = String((b as unknown as Record<string, unknown>)[col] ?? '')
      return (av.localeCompare(bv) || a.id.localeCompare(b.id)) * dir
    })
    const marker = q.get('marker')
    if (marker) {
      const at = all.findIndex((i) => i.id === marker)
      if (at < 0) throw new BadRequest(`marker [${marker}] not found`, 'marker')
      all = all.slice(at + 1)
    }
    const limitRaw = q.get('limit')
    if (limitRaw !== null && !/^\d+$/.test(limitRaw)) throw new BadRequest(`Invalid limit: ${limitRaw}`, 'limit')
    const limit = Math.min(limitRaw === null ? 1000 : Number(limitRaw), 1000)
    const page = all.slice(0, limit)
    const nets = detail ? await manager.networkViews(page) : undefined
    const vols = detail ? await manager.volumeIdsOf(page) : undefined
    const body: Record<string, unknown> = { servers: page.map((i) => (nets ? serverView(base(req), i, req.ctx, nets.get(i.id), vols?.get(i.id)) : serverRef(base(req), i))) }
    if (all.length > limit && page.length) {
      const next = new URLSearchParams(q)
      next.set('marker', page[page.length - 1]!.id)
      next.set('limit', String(limit))
      body.servers_links = [{ rel: 'next', href: `${base(req)}/v2.1/servers${detail ? '/detail' : ''}?${next}` }]
    }
    return json(200, body)
  }
  router.get('/v2.1/servers', { policy: 'compute:servers:index' }, list(false))
  router.get('/v2.1/servers/detail', { policy: 'compute:servers:detail' }, list(true))

  router.post('/v2.1/servers', { policy: 'compute:servers:create', body: CREATE }, async (req: ApiRequest<CreateBody>) => {
    const s = req.body.server
    if (!req.ctx.projectId) throw new Forbidden('Servers belong to a project: use a project-scoped token.')
    const boot = parseBlockDeviceMapping(s.block_device_mapping_v2)
    if (boot?.imageRef && !s.imageRef) s.imageRef = boot.imageRef
    const bootVolume = boot?.bootVolume
    if (!s.imageRef && !bootVolume) throw new BadRequest('An imageRef is required, or a block_device_mapping_v2 entry with boot_index 0 and destination_type volume to boot from a volume.', 'server/imageRef')
    // Boot from a new volume: the image is the one in the mapping; from an existing volume: none.
    const imageId = bootVolume ? bootVolume.image_id : refId(s.imageRef)
    const image = imageId ? await images.get(req.ctx, imageId) : undefined
    if (imageId && !image) throw new BadRequest(`Can not find requested image ${imageId}`, 'server/imageRef')
    const flavor = await repo.flavor(refId(s.flavorRef))
    if (!flavor) throw new BadRequest(`Flavor ${refId(s.flavorRef)} could not be found.`, 'server/flavorRef')
    if (!flavor.is_public && !isAdmin(req.ctx) && !(await repo.projectFlavorIds(req.ctx.projectId)).has(flavor.id)) {
      throw new BadRequest(`Flavor ${flavor.id} could not be found.`, 'server/flavorRef')
    }
    let keyData: string | null = null
    if (s.key_name) {
      const kp = await repo.keypair(req.ctx.userId, s.key_name)
      if (!kp) throw new BadRequest('Invalid key_name provided.', 'server/key_name')
      keyData = kp.public_key
    }
    if (s.user_data !== undefined && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(s.user_data)) throw new BadRequest('User data needs to be valid base 64.', 'server/user_data')
    const networks = parseNetworks(s.networks)
    const securityGroups = parseSecurityGroups(s.security_groups)
    const az = s.availability_zone ?? 'nova'
    if (az.split(':')[0] !== 'nova') throw new BadRequest(`The requested availability zone is not available: ${az}`, 'server/availability_zone')
    const min = int(s.min_count, 'min_count', 1)
    const max = int(s.max_count, 'max_count', min)
    if (max < min) throw new BadRequest('min_count must be <= max_count', 'server/min_count')
    const configDrive = s.config_drive === undefined ? true : s.config_drive === true || ['true', 'True', '1', 'yes'].includes(String(s.config_drive))
    const created = await manager.create(
      req.ctx,
      { name: s.name, image, bootVolume, flavor, keyName: s.key_name ?? null, keyData, userData: s.user_data?.replace(/\s+/g, '') ?? null, metadata: s.metadata ?? {}, configDrive, networks, securityGroups, availabilityZone: 'nova', count: max },
      req.id,
    )
    if (s.return_reservation_id === true || s.return_reservation_id === 'True') return json(202, { reservation_id: created[0]!.reservation_id })
    const first = created[0]!
    return json(
      202,
      {
        server: {
          ...serverRef(base(req), first),
          adminPass: s.adminPass ?? randomPass(),
          'OS-DCF:diskConfig': 'MANUAL',
          security_groups: [...new Set(securityGroups ?? ['default'])].map((name) => ({ name })),
        },
      },
      { Location: `${base(req)}/v2.1/servers/${first.id}` },
    )
  })

  const view = async (req: ApiRequest, i: Instance) => serverView(base(req), i, req.ctx, (await manager.networkViews([i])).get(i.id), (await manager.volumeIdsOf([i])).get(i.id))
  router.get('/v2.1/servers/:server_id', one('compute:servers:show'), async (req, i) => json(200, { server: await view(req, i) }))

  router.put('/v2.1/servers/:server_id', { ...one('compute:servers:update'), body: UPDATE }, async (req: ApiRequest<{ server: { name?: string; accessIPv4?: string; accessIPv6?: string } }>, i) => {
    const s = req.body.server
    await manager.update(i.id, { ...(s.name ? { name: s.name } : {}), ...(s.accessIPv4 !== undefined ? { access_ipv4: s.accessIPv4 } : {}), ...(s.accessIPv6 !== undefined ? { access_ipv6: s.accessIPv6 } : {}) })
    return json(200, { server: await view(req, (await repo.instance(i.id))!) })
  })

  router.delete('/v2.1/servers/:server_id', one('compute:servers:delete'), async (req, i) => {
    await manager.delete(req.ctx, i, req.id)
    return noContent()
  })

  // Metadata
  const metaBody = { type: 'object', properties: { metadata: META }, required: ['metadata'], additionalProperties: false }
  router.get('/v2.1/servers/:server_id/metadata', one('compute:server-metadata:index'), (_req, i) => json(200, { metadata: i.metadata }))
  router.post('/v2.1/servers/:server_id/metadata', { ...one('compute:server-metadata:update'), body: metaBody }, async (req: ApiRequest<{ metadata: Record<string, string> }>, i) => {
    const metadata = { ...i.metadata, ...req.body.metadata }
    if (Object.keys(metadata).length > 128) throw new Forbidden('Quota exceeded for metadata_items: at most 128 metadata items.')
    await manager.update(i.id, { metadata })
    return json(200, { metadata })
  })
  router.put('/v2.1/servers/:server_id/metadata', { ...one('compute:server-metadata:update_all'), body: metaBody }, async (req: ApiRequest<{ metadata: Record<string, string> }>, i) => {
    await manager.update(i.id, { metadata: req.body.metadata })
    return json(200, { metadata: req.body.metadata })
  })
  router.get('/v2.1/servers/:server_id/metadata/:key', one('compute:server-metadata:show'), (req, i) => {
    const v = i.metadata[req.params.key!]
    if (v === undefined) throw new InvalidMetadataKey(req.params.key!)
    return json(200, { meta: { [req.params.key!]: v } })
  })
  router.put(
    '/v2.1/servers/:server_id/metadata/:key',
    { ...one('compute:server-metadata:create'), body: { type: 'object', properties: { meta: { ...META, minProperties: 1, maxProperties: 1 } }, required: ['meta'], additionalProperties: false } },
    async (req: ApiRequest<{ meta: Record<string, string> }>, i) => {
      const [[k, v]] = Object.entries(req.body.meta) as [[string, string]]
      if (k !== req.params.key) throw new BadRequest('Request body and URI mismatch', 'meta')
      await manager.update(i.id, { metadata: { ...i.metadata, [k]: v } })
      return json(200, { meta: { [k]: v } })
    },
  )
  router.delete('/v2.1/servers/:server_id/metadata/:key', one('compute:server-metadata:delete'), async (req, i) => {
    if (!(req.params.key! in i.metadata)) throw new InvalidMetadataKey(req.params.key!)
    const { [req.params.key!]: _gone, ...rest } = i.metadata
    await manager.update(i.id, { metadata: rest })
    return noContent()
  })

  // Instance actions
  router.get('/v2.1/servers/:server_id/os-instance-actions', one('compute:instance-actions:list'), async (_req, i) => {
    const actions = await repo.actions(i.id)
    return json(200, { instanceActions: actions.map((a) => actionView(a)) })
  })
  router.get('/v2.1/servers/:server_id/os-instance-actions/:request_id', one('compute:instance-actions:show'), async (req, i) => {
    const a = await repo.action(i.id, req.params.request_id!)
    if (!a) throw new InvalidRequest(`Action for request_id ${req.params.request_id} on instance ${i.id} not found`)
    const events = await repo.events(i.id, a.request_id)
    return json(200, {
      instanceAction: {
        ...actionView(a),
        events: events.map((e) => ({ event: e.event, start_time: t(e.start_time), finish_time: t(e.finish_time), result: e.result, ...(isAdmin(req.ctx) ? { traceback: e.traceback } : {}) })),
      },
    })
  })

  router.post(
    '/v2.1/os-server-external-events',
    { policy: 'compute:server-external-events:create', body: { type: 'object', properties: { events: { type: 'array', minItems: 1 } }, required: ['events'] } },
    async (req: ApiRequest<{ events: { name: string; server_uuid: string; tag?: string; status?: string }[] }>) => {
      const events = []
      for (const e of req.body.events) {
        const exists = await repo.instance(e.server_uuid)
        let code = exists ? 200 : 404
        if (exists && e.name === 'volume-extended' && e.tag) {
          // Cinder's extend of an in-use volume: the guest is told the new size (Nova reads it from Cinder too).
          code = await manager
            .volumeSize(req.ctx, e.tag)
            .then((bytes) => manager.volumeExtended(e.server_uuid, e.tag!, bytes))
            .then(
              () => 200,
              () => 422,
            )
        }
        events.push({ ...e, status: code === 200 ? (e.status ?? 'completed') : 'failed', code })
      }
      return json(events.some((e) => e.code === 200) ? 200 : 404, { events })
    },
  )
}

/**
 * block_device_mapping_v2 at 2.1, the boot disk only (boot_index 0): source image → destination local (the classic
 * boot, imageRef from the mapping), source image → destination volume with volume_size (boot from a new volume),
 * source volume → destination volume (boot from the user's volume). Other disks (blank/ephemeral, snapshot sources,
 * more volumes) are refused with what to do instead.
 */
export function parseBlockDeviceMapping(v: unknown): { imageRef?: string; bootVolume?: BootVolume } | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new BadRequest('Invalid input for field/attribute block_device_mapping_v2: must be a list.', 'server/block_device_mapping_v2')
  if (!v.length) return undefined
  const field = 'server/block_device_mapping_v2'
  const entries = v.map((b: unknown, i) => {
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new BadRequest(`Invalid input for field/attribute block_device_mapping_v2[${i}]: must be an object.`, `${field}/${i}`)
    return b as Record<string, unknown>
  })
  const isBoot = (b: Record<string, unknown>) => b.boot_index !== undefined && b.boot_index !== null && Number(b.boot_index) === 0
  const boot = entries.filter(isBoot)
  if (boot.length !== 1) throw new BadRequest('Boot sequence for the instance and image/block device mapping combination is not valid: exactly one mapping needs boot_index 0.', field)
  if (entries.length > 1) throw new BadRequest('Only the boot disk can be given in block_device_mapping_v2 here: attach further volumes after the server is ACTIVE (openstack server add volume).', field)
  const b = boot[0]!
  const source = String(b.source_type ?? '')
  const dest = String(b.destination_type ?? (source === 'image' ? 'local' : 'volume'))
  const uuid = typeof b.uuid === 'string' ? b.uuid : ''
  if (!UUID_LIKE.test(uuid)) throw new BadRequest(`Invalid input for field/attribute block_device_mapping_v2[0].uuid: '${uuid}' is not a UUID.`, `${field}/0/uuid`)
  const dot = b.delete_on_termination
  const deleteOnTermination = dot === true || ['true', 'True', '1'].includes(String(dot))
  if (source === 'image' && dest === 'local') return { imageRef: uuid }
  if (source === 'image' && dest === 'volume') {
    const size = Number(b.volume_size)
    if (!Number.isInteger(size) || size < 1) throw new BadRequest('Images with destination_type volume need a volume_size (GiB, an integer ≥ 1).', `${field}/0/volume_size`)
    return { bootVolume: { source: 'image', image_id: uuid, size, delete_on_termination: deleteOnTermination } }
  }
  if (source === 'volume' && dest === 'volume') return { bootVolume: { source: 'volume', volume_id: uuid, delete_on_termination: deleteOnTermination } }
  throw new BadRequest(`A boot disk from source_type ${source || '(none)'} to destination_type ${dest} is not supported (use image → local, image → volume, or volume → volume).`, field)
}

class InvalidMetadataKey extends InstanceNotFound {
  constructor(key: string) {
    super('')
    this.message = `Metadata item was not found: ${key}`
  }
}

const t = (v: string | null) => (v ? v.replace(/Z$/, '').replace(/(\.\d{6})\d*$/, '$1') : null)
function actionView(a: Record<string, any>) {
  return { action: a.action, instance_uuid: a.instance_id, message: a.message ?? null, project_id: a.project_id, request_id: a.request_id, start_time: t(a.start_time), user_id: a.user_id }
}

function randomPass(): string {
  return randomBytes(9).toString('base64url')
}
