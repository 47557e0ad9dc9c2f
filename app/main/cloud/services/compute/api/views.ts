import { createHash } from 'node:crypto'
import type { AuthContext } from '../../../platform/auth-context'
import { isAdmin } from '../../../platform/auth-context'
import type { Flavor, Instance, Keypair, TaskState, VmState } from '../models'

/** Nova's whole-second timestamps: 2012-08-20T21:11:09Z */
export const novaTime = (iso: string | null): string | null => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null)

/** The status Nova derives from vm_state and task_state. */
export function serverStatus(vm: VmState, task: TaskState | null): string {
  switch (vm) {
    case 'building':
      return 'BUILD'
    case 'active':
      if (task === 'rebooting') return 'REBOOT'
      if (task === 'rebooting_hard') return 'HARD_REBOOT'
      if (task === 'rebuilding') return 'REBUILD'
      return 'ACTIVE'
    case 'stopped':
      return 'SHUTOFF'
    case 'paused':
      return 'PAUSED'
    case 'suspended':
      return 'SUSPENDED'
    case 'error':
      return 'ERROR'
    case 'deleted':
      return 'DELETED'
  }
}

const link = (base: string, kind: string, id: string) => [
  { rel: 'self', href: `${base}/v2.1/${kind}/${id}` },
  { rel: 'bookmark', href: `${base}/${kind}/${id}` },
]

export function serverRef(base: string, i: Instance) {
  return { id: i.id, name: i.name, links: link(base, 'servers', i.id) }
}

/** GET /servers/detail and /servers/{id} at microversion 2.1 (with the OS-EXT-* extensions). */
export function serverView(base: string, i: Instance, ctx: AuthContext) {
  const view: Record<string, unknown> = {
    id: i.id,
    name: i.name,
    status: serverStatus(i.vm_state, i.task_state),
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: i.host ? createHash('sha224').update(i.project_id + i.host).digest('hex') : '',
    image: i.image_id ? { id: i.image_id, links: [{ rel: 'bookmark', href: `${base}/images/${i.image_id}` }] } : '',
    flavor: { id: i.flavor_id, links: [{ rel: 'bookmark', href: `${base}/flavors/${i.flavor_id}` }] },
    created: novaTime(i.created_at),
    updated: novaTime(i.updated_at),
    addresses: i.addresses,
    accessIPv4: i.access_ipv4,
    accessIPv6: i.access_ipv6,
    links: link(base, 'servers', i.id),
    'OS-DCF:diskConfig': 'MANUAL',
    progress: i.vm_state === 'building' ? 0 : 100,
    'OS-EXT-AZ:availability_zone': i.availability_zone,
    config_drive: i.config_drive ? 'True' : '',
    key_name: i.key_name,
    'OS-SRV-USG:launched_at': i.launched_at ? i.launched_at.replace('Z', '') : null,
    'OS-SRV-USG:terminated_at': i.terminated_at ? i.terminated_at.replace('Z', '') : null,
    'OS-EXT-STS:task_state': i.task_state,
    'OS-EXT-STS:vm_state': i.vm_state,
    'OS-EXT-STS:power_state': i.power_state,
    'os-extended-volumes:volumes_attached': [],
    security_groups: [{ name: 'default' }],
  }
  if (isAdmin(ctx)) {
    view['OS-EXT-SRV-ATTR:host'] = i.host
    view['OS-EXT-SRV-ATTR:instance_name'] = `instance-${i.id.slice(0, 8)}`
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.host
  }
  if (i.fault && (i.vm_state === 'error' || i.vm_state === 'deleted')) {
    view.fault = {
      code: i.fault.code,
      created: novaTime(i.fault.created),
      message: i.fault.message,
      ...(isAdmin(ctx) && i.fault.details ? { details: i.fault.details } : {}),
    }
  }
  return view
}

export function flavorView(base: string, f: Flavor, detail = true) {
  const view: Record<string, unknown> = { id: f.id, name: f.name, links: link(base, 'flavors', f.id) }
  if (!detail) return view
  return {
    ...view,
    ram: f.ram,
    vcpus: f.vcpus,
    disk: f.disk,
    swap: f.swap === 0 ? '' : f.swap,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
    'OS-FLV-DISABLED:disabled': false,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor,
  }
}

export function keypairView(k: Keypair, extra: Record<string, unknown> = {}) {
  return { name: k.name, public_key: k.public_key, fingerprint: k.fingerprint, ...extra }
}
