import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest, type Reply } from '../../../platform/http/types'
import { NOVA_POWER_STATE } from '../../../drivers/hypervisor/hypervisor-driver'
import type { ImageClient } from '../../clients'
import type { ComputeManager } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import { InstanceNotFound } from '../errors'
import type { Instance } from '../models'
import type { ConsoleTokens } from '../serial-console'
import { serverView } from './views'

const accepted = (): Reply => ({ status: 202, text: '', headers: { 'Content-Length': 0 } })

function securityGroupName(arg: unknown, action: string): string {
  const name = arg && typeof arg === 'object' ? (arg as Record<string, unknown>).name : undefined
  if (typeof name !== 'string' || !name.trim()) throw new BadRequest(`Invalid input for field/attribute name: ${action} needs {"name": "<security group name or id>"}.`, `${action}/name`)
  return name.trim()
}

type Handler = (req: ApiRequest, inst: Instance, arg: any) => Promise<Reply>

/** POST /servers/{id}/action: one key in the body names the action (Nova's @wsgi.action). */
export function registerServerActionRoutes(router: Router, manager: ComputeManager, repo: ComputeRepository, images: ImageClient, consoles: ConsoleTokens): void {
  const soft = 60_000
  /** The actions that are one driver call and a new state. */
  const power = (action: string, call: (id: string) => Promise<void>, vm_state: Instance['vm_state'], state: keyof typeof NOVA_POWER_STATE): Handler => async (req, inst) => {
    await manager.action(req.ctx, inst, action, req.id, async (i) => {
      await call(i.id)
      return { vm_state, power_state: NOVA_POWER_STATE[state] }
    })
    return accepted()
  }
  const d = manager.driver
  const handlers: Record<string, Handler> = {
    'os-stop': power('os-stop', (id) => d.powerOff(id, { timeoutMs: soft }), 'stopped', 'shutdown'),
    'os-start': power('os-start', (id) => d.powerOn(id), 'active', 'running'),
    pause: power('pause', (id) => d.pause(id), 'paused', 'paused'),
    unpause: power('unpause', (id) => d.unpause(id), 'active', 'running'),
    suspend: power('suspend', (id) => d.suspend(id), 'suspended', 'suspended'),
    resume: power('resume', (id) => d.resume(id), 'active', 'running'),
    reboot: async (req, inst, arg) => {
      const type = arg?.type
      if (type !== 'SOFT' && type !== 'HARD') throw new BadRequest("Invalid input for field/attribute type. Value: must be 'SOFT' or 'HARD'", 'reboot/type')
      await manager.action(req.ctx, inst, `reboot-${type}`, req.id, async (i) => {
        // The driver leaves the guest running whatever state it was in (a HARD reboot also revives a stopped one).
        await d.reboot(i.id, type)
        return { vm_state: 'active', power_state: NOVA_POWER_STATE.running }
      }, 'reboot')
      return accepted()
    },
    createImage: async (req, inst, arg) => {
      const name = arg?.name
      if (typeof name !== 'string' || !name.trim() || name.length > 255) throw new BadRequest("Invalid input for field/attribute name: a name of 1 to 255 characters is required.", 'createImage/name')
      const metadata = arg?.metadata ?? {}
      if (typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) throw new BadRequest('Image metadata values must be strings.', 'createImage/metadata')
      const source = inst.image_id ? await images.get(req.ctx, inst.image_id) : undefined
      const image = await images.createQueued(req.ctx, {
        name,
        disk_format: 'qcow2',
        min_disk: inst.flavor.disk,
        min_ram: source?.min_ram ?? 0,
        properties: { ...(source?.properties ?? {}), ...metadata, image_type: 'snapshot', instance_uuid: inst.id, ...(inst.image_id ? { base_image_ref: inst.image_id } : {}) },
      })
      await manager.action(req.ctx, inst, 'createImage', req.id, async (i) => {
        const file = path.join(manager.instanceDir(i.id), `snapshot-${randomBytes(4).toString('hex')}.qcow2`)
        await manager.driver.snapshot(i.id, file, 'qcow2')
        await manager.update(i.id, { task_state: 'image_uploading' })
        await images.uploadFile(image.id, file)
        return {}
      })
      return { status: 202, text: '', headers: { Location: `${req.baseUrl}/image/v2/images/${image.id}`, 'Content-Length': 0 } }
    },
    rebuild: async (req, inst, arg) => {
      if (inst.boot_volume) throw new BadRequest('Rebuilding a volume-backed server is not supported (its root disk is a volume): create a new server from a new volume instead.', 'rebuild')
      const ref = String(arg?.imageRef ?? '').split('/').pop() ?? ''
      const image = ref ? await images.get(req.ctx, ref) : undefined
      if (!image) throw new BadRequest(`Can not find requested image ${ref}`, 'rebuild/imageRef')
      if (image.status !== 'active' || !image.file) throw new BadRequest(`Image ${ref} is not active.`, 'rebuild/imageRef')
      const changes: Partial<Instance> = {}
      if (typeof arg.name === 'string' && arg.name) changes.name = arg.name
      if (arg.metadata && typeof arg.metadata === 'object') changes.metadata = arg.metadata
      if (typeof arg.user_data === 'string') changes.user_data = arg.user_data
      await images.hold(image.id, `instance:${inst.id}`)
      await manager.action(req.ctx, inst, 'rebuild', req.id, (i) => manager.rebuildGuest(i, image, changes))
      const current = (await repo.instance(inst.id))!
      const net = (await manager.networkViews([current])).get(current.id)
      return json(202, { server: { ...serverView(req.serviceUrl, current, req.ctx, net, (await manager.volumeIdsOf([current])).get(current.id)), adminPass: arg.adminPass ?? randomBytes(9).toString('base64url') } })
    },
    // What `openstack server add/remove security group` sends at 2.1; the name may also be an id (the CLI sends one).
    addSecurityGroup: async (req, inst, arg) => {
      await manager.changeSecurityGroup(req.ctx, inst, securityGroupName(arg, 'addSecurityGroup'), 'add')
      return accepted()
    },
    removeSecurityGroup: async (req, inst, arg) => {
      await manager.changeSecurityGroup(req.ctx, inst, securityGroupName(arg, 'removeSecurityGroup'), 'remove')
      return accepted()
    },
    'os-getConsoleOutput': async (_req, inst, arg) => {
      const length = arg?.length
      if (length !== undefined && length !== null && !(Number.isInteger(Number(length)) && Number(length) >= -1)) {
        throw new BadRequest('Invalid input for field/attribute length: must be an integer ≥ -1 or null.', 'os-getConsoleOutput/length')
      }
      const n = length === undefined || length === null || Number(length) === -1 ? undefined : Number(length)
      return json(200, { output: await manager.consoleOutput(inst, n) })
    },
    'os-getSerialConsole': async (req, inst, arg) => {
      if (arg?.type !== 'serial') throw new BadRequest("Invalid input for field/attribute type: only 'serial' is supported.", 'os-getSerialConsole/type')
      if (inst.vm_state !== 'active') throw new BadRequest(`The serial console is available while the instance runs (it is ${inst.vm_state}).`, 'os-getSerialConsole')
      const token = consoles.issue(inst.id)
      return json(200, { console: { type: 'serial', url: `${req.baseUrl.replace(/^http/, 'ws')}/compute/serial-console?token=${token}` } })
    },
    'os-getVNCConsole': async () => {
      throw new BadRequest('This instance has no graphical display (the guest boots with a serial console only); use os-getSerialConsole.', 'os-getVNCConsole')
    },
  }

  router.post<Instance>(
    '/v2.1/servers/:server_id/action',
    {
      policy: 'compute:servers:action',
      body: { type: 'object', minProperties: 1, maxProperties: 1 },
      load: async (req) => {
        const inst = await repo.instance(req.params.server_id!)
        if (!inst) throw new InstanceNotFound(req.params.server_id!)
        return inst
      },
      target: (_req, i) => ({ project_id: i.project_id }),
      hidden: (req) => new InstanceNotFound(req.params.server_id!),
    },
    async (req: ApiRequest<Record<string, unknown>>, inst) => {
      const [name] = Object.keys(req.body) as [string]
      const handler = handlers[name]
      if (!handler) throw new BadRequest(`There is no such action: ${name}`, name)
      return handler(req, inst, req.body[name])
    },
  )
}
