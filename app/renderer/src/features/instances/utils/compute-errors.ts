import { describeError, OpenStackError } from '../../../lib/openstack/errors'

/**
 * Nova's refusals in words that say what to do. `action` completes "You are not allowed to …" for the refusals
 * we cannot explain better. Pure: no DOM, no I/O.
 */
export function describeComputeError(err: unknown, action: string): string {
  if (!(err instanceof OpenStackError)) return describeError(err, action)
  const msg = err.message.trim()
  const said = /[.!?]$/.test(msg) ? msg : `${msg}.`
  switch (err.status) {
    case 400:
      if (/too small for requested image/i.test(msg)) return `${said} Choose a larger flavor.`
      if (/key_name|key pair|keypair/i.test(msg)) return `${said} Choose another key pair, or none.`
      if (/image/i.test(msg) && /(find|not active|could not)/i.test(msg)) return `${said} Choose an active image.`
      if (/serial console is available while the instance runs/i.test(msg)) return `${said} Start the instance first.`
      return said
    case 403:
      if (/quota exceeded/i.test(msg)) return `${said} Delete instances you no longer need, choose a smaller flavor, or ask an admin to raise the project's quota.`
      break
    case 409: {
      // "Cannot 'os-stop' instance … while it is in vm_state stopped": the list was older than the instance.
      const m = /while it is in (vm_state|task_state) (\S+)/i.exec(msg)
      if (m) {
        const state = m[2]!.replace(/[_-]+/g, ' ')
        return m[1] === 'task_state'
          ? `Nova is busy with this instance (${state}). Wait until the task ends, then try again.`
          : `The instance is ${state} now, which does not allow this. The list has been refreshed: its buttons show what the instance can do.`
      }
      if (/already exists/i.test(msg)) return `${said} Choose another name.`
      return `${said} Refresh and try again.`
    }
    case 503:
      if (/hypervisor is not available/i.test(msg)) {
        // The reason may carry a stack of file names after its first line: the log has them.
        const first = msg.split('\n')[0]!.trim()
        return `${/[.!?]$/.test(first) ? first : `${first}.`} No instance can start or change until the hypervisor works: the Overview shows its state (for admins), the cloud's log in the data folder says more.`
      }
      return `${said} Try again in a moment.`
  }
  return describeError(err, action)
}

/** The words for an instance in ERROR, from its fault. */
export function describeFault(fault: { code?: number; message?: string } | undefined): string {
  const message = fault?.message?.trim()
  if (!message) return 'The instance failed without saying why. Delete it and launch it again; the action log may tell more.'
  const said = /[.!?]$/.test(message) ? message : `${message}.`
  if (/no valid host/i.test(message)) return `${said} The host cannot hold it: delete it and launch a smaller flavor, or stop other instances first.`
  if (/hypervisor/i.test(message)) return `${said} Delete it and launch it again once the hypervisor works.`
  return `${said} Delete it and launch it again.`
}
