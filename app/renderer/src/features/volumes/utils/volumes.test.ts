import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OpenStackError } from '../../../lib/openstack/errors'
import type { Volume, VolumeSnapshot } from '../../../lib/openstack/volume'
import {
  attachCli,
  buildCreateVolumeBody,
  buildSnapshotBody,
  createVolumeCli,
  deleteCli,
  describeVolumeError,
  detachCli,
  emptyVolumeForm,
  extendCli,
  snapshotCli,
  validateExtend,
  validateVolumeForm,
} from './volume-form'
import { actionBlocker, isTransitional, needsPolling, statusLabel, statusTone } from './volume-status'

const vol = (over: Partial<Volume> = {}): Volume => ({ id: 'vid', name: 'v1', status: 'available', size: 1, volume_type: '__DEFAULT__', attachments: [], ...over })
const snap = (over: Partial<VolumeSnapshot> = {}): VolumeSnapshot => ({ id: 'sid', name: 's1', status: 'available', size: 1, volume_id: 'vid', ...over })

describe('create volume form', () => {
  it('builds a blank volume body with metadata and volume_type always present', () => {
    const f = { ...emptyVolumeForm(), name: 'v1', size: '1' }
    assert.deepEqual(validateVolumeForm(f, {}), {})
    assert.deepEqual(buildCreateVolumeBody(f), { volume: { name: 'v1', size: 1, volume_type: null, metadata: {} } })
    assert.equal(createVolumeCli(f, {}), 'openstack volume create --size 1 v1')
  })

  it('from an image: imageRef, and at least the image size', () => {
    const f = { ...emptyVolumeForm(), name: 'v2', source: 'image' as const, imageId: 'img', size: '1', type: 'tid' }
    assert.deepEqual(buildCreateVolumeBody(f).volume, { name: 'v2', size: 1, imageRef: 'img', volume_type: 'tid', metadata: {} })
    assert.equal(createVolumeCli({ ...f, type: '' }, { image: 'stackling-tiny' }), 'openstack volume create --image stackling-tiny --size 1 v2')
    assert.equal(createVolumeCli(f, { image: 'stackling-tiny', type: 'lvm' }), 'openstack volume create --image stackling-tiny --size 1 --type lvm v2')
    const big = { name: 'big', size: 3 * 1024 ** 3, min_disk: 0 }
    assert.match(validateVolumeForm(f, { image: big }).size ?? '', /At least 3 GB/)
    assert.match(validateVolumeForm({ ...f, imageId: '' }, {}).imageId ?? '', /Choose an image/)
  })

  it('from a snapshot: snapshot_id, its size by default, no --size in the CLI', () => {
    const f = { ...emptyVolumeForm(), name: 'v3', source: 'snapshot' as const, snapshotId: 'sid', size: '2' }
    assert.equal(buildCreateVolumeBody(f).volume.snapshot_id, 'sid')
    assert.equal(createVolumeCli(f, { snapshot: 's1', snapshotSize: 2 }), 'openstack volume create --snapshot s1 v3')
    assert.equal(createVolumeCli({ ...f, size: '5' }, { snapshot: 's1', snapshotSize: 2 }), 'openstack volume create --snapshot s1 --size 5 v3')
    assert.match(validateVolumeForm({ ...f, size: '1' }, { snapshot: { name: 's1', size: 2 } }).size ?? '', /snapshot's 2 GB/)
  })

  it('refuses empty names and sizes that are not whole GB', () => {
    const e = validateVolumeForm({ ...emptyVolumeForm(), size: '1.5' }, {})
    assert.ok(e.name)
    assert.match(e.size ?? '', /whole number/)
  })
})

describe('extend, snapshot, attach', () => {
  it('only grows', () => {
    assert.match(validateExtend(vol({ size: 2 }), '2') ?? '', /Larger than the current 2 GB/)
    assert.equal(validateExtend(vol({ size: 1 }), '2'), undefined)
    assert.equal(extendCli(vol(), '2'), 'openstack volume set --size 2 v1')
  })

  it('forces the snapshot of an in-use volume', () => {
    assert.deepEqual(buildSnapshotBody(vol(), 's1'), { snapshot: { volume_id: 'vid', name: 's1', force: false } })
    assert.equal(buildSnapshotBody(vol({ status: 'in-use' }), 's1').snapshot.force, true)
    assert.equal(snapshotCli(vol(), 's1'), 'openstack volume snapshot create --volume v1 s1')
  })

  it('gives the CLI lines of the brief', () => {
    assert.equal(attachCli('vm1', vol()), 'openstack server add volume vm1 v1')
    assert.equal(detachCli('vm1', vol()), 'openstack server remove volume vm1 v1')
    assert.equal(deleteCli(vol()), 'openstack volume delete v1')
  })
})

describe('volume status', () => {
  it('polls while anything moves', () => {
    assert.ok(isTransitional('attaching'))
    assert.ok(!isTransitional('in-use'))
    assert.ok(needsPolling([vol({ status: 'creating' })], []))
    assert.ok(needsPolling([vol()], [snap({ status: 'creating' })]))
    assert.ok(!needsPolling([vol()], [snap()]))
    assert.equal(statusTone('error_extending'), 'danger')
    assert.equal(statusTone('in-use'), 'info')
    assert.equal(statusLabel('in-use'), 'In use')
  })

  it('explains why an action is not offered', () => {
    const inUse = vol({ status: 'in-use', attachments: [{ server_id: 'vm', device: '/dev/vdb' }] })
    assert.match(actionBlocker('delete', inUse) ?? '', /Detach it first/)
    assert.match(actionBlocker('delete', vol(), [snap()]) ?? '', /Delete its 1 snapshot first/)
    assert.equal(actionBlocker('delete', vol(), [snap({ volume_id: 'other' })]), undefined)
    assert.match(actionBlocker('extend', inUse) ?? '', /3\.42/)
    assert.equal(actionBlocker('detach', inUse), undefined)
    assert.match(actionBlocker('attach', vol({ status: 'creating' })) ?? '', /Wait/)
    assert.equal(actionBlocker('snapshot', inUse), undefined)
    assert.match(actionBlocker('detach', vol({ status: 'in-use', attachments: [{ server_id: 'vm', device: '/dev/vda' }] })) ?? '', /boot disk/)
  })

  it('says what to do about refusals', () => {
    const e = new OpenStackError(400, 'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.', { method: 'DELETE', path: '/x' })
    assert.match(describeVolumeError(e, 'delete volumes'), /Detach it from its instance first/)
    const q = new OpenStackError(413, 'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota.', { method: 'POST', path: '/x' })
    assert.match(describeVolumeError(q, 'create volumes'), /larger quota/)
  })
})
