import type { Logger } from '../../platform/log'
import { DriverError, type HypervisorDriver } from './hypervisor-driver'

export interface DriverOptions {
  dataDir: string
  log: Logger
  accelerator?: string
}

/** The driver for a config name, loaded lazily so a host loads only the one it uses. */
export async function createHypervisorDriver(kind: 'qemu' | 'hyperv' | 'fake', opts: DriverOptions): Promise<HypervisorDriver> {
  switch (kind) {
    case 'fake':
      return new (require('./fake/fake-driver').FakeDriver)(opts) as HypervisorDriver
    case 'hyperv':
      return new (require('./hyperv/hyperv-driver').HyperVDriver)(opts) as HypervisorDriver
    case 'qemu':
      return new (require('./qemu/qemu-driver').QemuDriver)(opts) as HypervisorDriver
  }
}

/** A driver that refuses everything with `reason`: the cloud stays up and says why compute cannot work. */
export function unavailableDriver(reason: string): HypervisorDriver {
  const fail = async (): Promise<never> => {
    throw new DriverError(reason)
  }
  return {
    name: 'unavailable',
    capabilities: { supportsPause: false, supportsSuspend: false, supportsSnapshot: false, supportsLiveAttach: false, supportsSerialConsole: false },
    initHost: fail,
    listGuests: async () => [],
    spawn: fail,
    destroy: async () => undefined,
    powerOff: fail,
    powerOn: fail,
    reboot: fail,
    pause: fail,
    unpause: fail,
    suspend: fail,
    resume: fail,
    snapshot: fail,
    attachVolume: fail,
    detachVolume: fail,
    resizeVolume: fail,
    attachedVolumes: fail,
    getInfo: fail,
    consoleLog: fail,
    openSerialConsole: fail,
    onDidChangeState: () => ({ dispose: () => undefined }),
    shutdownHost: async () => undefined,
  }
}
