import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Flavor } from '../../../lib/openstack/compute'
import type { Image } from '../../../lib/openstack/image'
import type { Network, SecurityGroup } from '../../../lib/openstack/network'
import {
  bootVolumeMinimum,
  buildCreateServerBody,
  defaultNetworkIds,
  emptyLaunchForm,
  firstStepWithError,
  hasErrors,
  launchableGroups,
  launchableImages,
  launchableNetworks,
  launchedNames,
  validateLaunchForm,
  withNetworkNames,
  type LaunchContext,
  type LaunchForm,
} from './launch-form'

const image = (id: string, status = 'active', over: Partial<Image> = {}): Image =>
  ({ id, name: id, status, visibility: 'public', min_disk: 0, min_ram: 0, protected: false, tags: [], created_at: '', updated_at: '', virtual_size: 64 << 20, ...over }) as Image
const flavor = (id: string, vcpus: number, ram: number, disk: number): Flavor => ({
  id,
  name: `f-${id}`,
  vcpus,
  ram,
  disk,
  swap: '',
  'OS-FLV-EXT-DATA:ephemeral': 0,
  'os-flavor-access:is_public': true,
})
const ctx: LaunchContext = {
  images: [image('tiny'), image('queued', 'queued'), image('big', 'active', { min_ram: 1024 })],
  flavors: [flavor('1', 1, 512, 1), flavor('42', 1, 128, 1)],
  keypairNames: ['ann'],
  limits: { maxTotalInstances: 10, totalInstancesUsed: 8, maxTotalCores: 20, totalCoresUsed: 0, maxTotalRAMSize: 51200, totalRAMUsed: 0 },
}
const form = (over: Partial<LaunchForm> = {}): LaunchForm => ({ ...emptyLaunchForm('tiny'), name: 'vm1', flavorId: '42', ...over })

describe('launch form', () => {
  it('accepts a complete form', () => {
    assert.deepEqual(validateLaunchForm(form(), ctx), {})
    assert.deepEqual(validateLaunchForm(form({ keyName: 'ann', count: '2', userData: '#!/bin/sh\necho hi' }), ctx), {})
  })

  it('says what is missing, step by step', () => {
    const e = validateLaunchForm(emptyLaunchForm(), ctx)
    assert.equal(e.name, 'Give the instance a name.')
    assert.equal(e.imageId, 'Choose the image to boot from.')
    assert.equal(e.flavorId, 'Choose a flavor: it sets the vCPUs, RAM and disk.')
    assert.equal(firstStepWithError(e), 'details')
    assert.equal(firstStepWithError({ flavorId: 'x' }), 'flavor')
    assert.equal(firstStepWithError({}), undefined)
    assert.equal(hasErrors({ name: undefined }), false)
  })

  it('checks the count against the quota', () => {
    assert.equal(validateLaunchForm(form({ count: '0' }), ctx).count, 'A whole number, 1 or more.')
    assert.equal(validateLaunchForm(form({ count: '1.5' }), ctx).count, 'A whole number, 1 or more.')
    assert.equal(validateLaunchForm(form({ count: '3' }), ctx).count, "The project's quota allows 2 more of f-42.")
    assert.equal(validateLaunchForm(form({ count: '3' }), ctx).flavorId, undefined, 'the count already says the quota is short')
  })

  it('refuses images that cannot boot and flavors too small for the image', () => {
    assert.equal(validateLaunchForm(form({ imageId: 'queued' }), ctx).imageId, 'The image is queued: only active images can boot.')
    assert.equal(validateLaunchForm(form({ imageId: 'gone' }), ctx).imageId, 'That image is no longer available: choose another.')
    assert.equal(validateLaunchForm(form({ imageId: 'big', flavorId: '1' }), ctx).flavorId, 'The image needs 1024 MB of RAM; this flavor has 512 MB.')
    assert.deepEqual(
      launchableImages(ctx.images).map((i) => i.id),
      ['tiny', 'big'],
    )
  })

  it("warns about the host but leaves the decision to Nova's scheduler", () => {
    const down = { ...ctx, hypervisor: { id: 1, hypervisor_hostname: 'h', state: 'down', status: 'enabled', vcpus: 2, vcpus_used: 0, memory_mb: 4096, memory_mb_used: 0, local_gb: 10, local_gb_used: 0, free_disk_gb: 5, running_vms: 0 } }
    assert.deepEqual(validateLaunchForm(form(), down), {})
  })

  it('checks the key pair and the user data size', () => {
    assert.equal(validateLaunchForm(form({ keyName: 'bob' }), ctx).keyName, 'That key pair no longer exists: choose another or none.')
    assert.match(validateLaunchForm(form({ userData: 'x'.repeat(50_000) }), ctx).userData ?? '', /Too long/)
  })

  it('builds the POST /servers body, user data in base64', () => {
    assert.deepEqual(buildCreateServerBody(form({ name: '  vm1 ' })), { server: { name: 'vm1', imageRef: 'tiny', flavorRef: '42' } })
    assert.deepEqual(buildCreateServerBody(form({ keyName: 'ann', userData: '#!/bin/sh\necho STACKLING\n', count: '2' })), {
      server: {
        name: 'vm1',
        imageRef: 'tiny',
        flavorRef: '42',
        key_name: 'ann',
        user_data: Buffer.from('#!/bin/sh\necho STACKLING\n').toString('base64'),
        min_count: 2,
        max_count: 2,
      },
    })
  })

  it('knows the names Nova gives several instances', () => {
    assert.deepEqual(launchedNames({ name: 'web', count: '3' }), ['web-1', 'web-2', 'web-3'])
    assert.deepEqual(launchedNames({ name: 'web', count: '1' }), ['web'])
  })

  it('offers the project networks (external ones to admins only) and defaults to private', () => {
    const net = (id: string, name: string, project: string, over: Partial<Network> = {}): Network => ({ id, name, status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [], project_id: project, ...over })
    const nets = [net('pub', 'public', 'admin', { 'router:external': true }), net('priv', 'private', 'demo'), net('other', 'lab', 'x'), net('sh', 'shared-net', 'x', { shared: true })]
    assert.deepEqual(
      launchableNetworks(nets, 'demo', false).map((n) => n.name),
      ['private', 'shared-net'],
    )
    assert.deepEqual(
      launchableNetworks(nets, 'demo', true).map((n) => n.name),
      ['private', 'lab', 'shared-net', 'public'],
    )
    assert.deepEqual(defaultNetworkIds(launchableNetworks(nets, 'demo', false), 'demo'), ['priv'])
    assert.deepEqual(defaultNetworkIds(launchableNetworks(nets, 'admin', true), 'admin'), ['priv'], "an admin gets demo's private too")
    assert.deepEqual(defaultNetworkIds([net('a', 'mine', 'p')], 'p'), ['a'])
    assert.deepEqual(defaultNetworkIds([net('a', 'mine', 'p'), net('b', 'also', 'p')], 'p'), [])
    const g = (name: string, project = 'demo'): SecurityGroup => ({ id: `${name}-${project}`, name, description: '', project_id: project })
    assert.deepEqual(
      launchableGroups([g('web'), g('default'), g('default', 'other'), g('dup'), g('dup')], 'demo').map((x) => x.name),
      ['default', 'web'],
    )
  })

  it('needs a network and a security group once they are offered', () => {
    const withNets: LaunchContext = { ...ctx, networks: [{ id: 'priv', name: 'private', status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [], project_id: 'p' }], securityGroupNames: ['default'] }
    const e = validateLaunchForm(form(), withNets)
    assert.match(e.networkIds ?? '', /at least one network/)
    assert.match(e.securityGroups ?? '', /at least one security group/)
    assert.equal(firstStepWithError(e), 'networks')
    assert.deepEqual(validateLaunchForm(form({ networkIds: ['priv'], securityGroups: ['default'] }), withNets), {})
    assert.match(validateLaunchForm(form({ networkIds: ['gone'], securityGroups: ['web'] }), withNets).securityGroups ?? '', /web no longer exists/)
  })

  it('sends networks as [{uuid}] and security groups as [{name}], and names them for the CLI', () => {
    const body = buildCreateServerBody(form({ networkIds: ['priv-id'], securityGroups: ['default', 'web'] }))
    assert.deepEqual(body, { server: { name: 'vm1', imageRef: 'tiny', flavorRef: '42', networks: [{ uuid: 'priv-id' }], security_groups: [{ name: 'default' }, { name: 'web' }] } })
    const nets = [{ id: 'priv-id', name: 'private' }] as Network[]
    assert.deepEqual(withNetworkNames(body, nets).server.networks, [{ uuid: 'private' }])
    assert.deepEqual(withNetworkNames(body, [...nets, { id: 'x', name: 'private' } as Network]).server.networks, [{ uuid: 'priv-id' }], 'an ambiguous name stays an ID')
  })
})

describe('boot from volume', () => {
  it('sends block_device_mapping_v2 image → volume with an empty imageRef', () => {
    const body = buildCreateServerBody({ ...emptyLaunchForm('img'), name: 'vm1', flavorId: '42', bootFromVolume: true, volumeSize: '2', deleteVolumeOnTermination: true })
    assert.equal(body.server.imageRef, '')
    assert.deepEqual(body.server.block_device_mapping_v2, [{ boot_index: 0, uuid: 'img', source_type: 'image', destination_type: 'volume', volume_size: 2, delete_on_termination: true }])
    assert.equal(buildCreateServerBody({ ...emptyLaunchForm('img'), name: 'vm1', flavorId: '42' }).server.block_device_mapping_v2, undefined)
  })

  it('needs a volume large enough for the image', () => {
    assert.equal(bootVolumeMinimum({ min_disk: 0, size: 3 * 1024 ** 3 + 1, virtual_size: null }), 4)
    assert.equal(bootVolumeMinimum(undefined), 1)
  })
})
