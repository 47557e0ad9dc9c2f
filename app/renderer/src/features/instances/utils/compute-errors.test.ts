import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OpenStackError } from '../../../lib/openstack/errors'
import { describeComputeError, describeFault } from './compute-errors'

const err = (status: number, message: string) => new OpenStackError(status, message, { method: 'POST', path: '/compute/v2.1/servers' })

describe('compute errors', () => {
  it('turns a state conflict into what to do', () => {
    assert.equal(
      describeComputeError(err(409, "Cannot 'os-stop' instance 1234 while it is in vm_state stopped"), 'stop instances'),
      'The instance is stopped now, which does not allow this. The list has been refreshed: its buttons show what the instance can do.',
    )
    assert.equal(
      describeComputeError(err(409, "Cannot 'reboot' instance 1234 while it is in task_state powering-off"), 'reboot instances'),
      'Nova is busy with this instance (powering off). Wait until the task ends, then try again.',
    )
    assert.equal(describeComputeError(err(409, "Key pair 'k' already exists."), 'create key pairs'), "Key pair 'k' already exists. Choose another name.")
  })

  it('explains an unavailable hypervisor and quota', () => {
    assert.match(describeComputeError(err(503, 'The hypervisor is not available: qemu not found'), 'launch instances'), /^The hypervisor is not available: qemu not found\. No instance can start/)
    assert.match(describeComputeError(err(503, "The hypervisor is not available: Cannot find module 'x'\nRequire stack:\n- a.js"), 'launch instances'), /^The hypervisor is not available: Cannot find module 'x'\. No instance/)
    assert.match(
      describeComputeError(err(403, 'Quota exceeded for cores: Requested 4, but already used 18 of 20 cores'), 'launch instances'),
      /cores\. Delete instances you no longer need, choose a smaller flavor, or ask an admin/,
    )
    assert.match(describeComputeError(err(403, 'Policy does not allow'), 'create flavors'), /You are not allowed to create flavors \(needs the admin role\)/)
  })

  it('points at the flavor when it is too small', () => {
    assert.equal(describeComputeError(err(400, "Flavor's memory is too small for requested image."), 'launch instances'), "Flavor's memory is too small for requested image. Choose a larger flavor.")
  })

  it('explains a fault', () => {
    assert.match(describeFault({ code: 500, message: 'No valid host was found. RAM: 512 MB requested' }), /The host cannot hold it/)
    assert.match(describeFault(undefined), /without saying why/)
  })
})
