import type { Logger } from '../../platform/log'
import { noopNetworkDriver, type NetworkDriver } from './network-driver'

export interface NetworkDriverOptions {
  /** The cloud's data dir: the driver keeps its sockets and helper state under `<dataDir>/network`. */
  dataDir: string
  log: Logger
}

/**
 * The network driver the config names: 'userspace' (the default: a switch in the cloud process, guests on
 * `-netdev stream` sockets, a guest-less QEMU as the host uplink) or 'noop' (API-only; unit tests).
 */
export async function createNetworkDriver(kind: 'userspace' | 'noop', opts: NetworkDriverOptions): Promise<NetworkDriver> {
  if (kind === 'noop') return noopNetworkDriver()
  const { UserspaceNetworkDriver } = await import('./userspace')
  return new UserspaceNetworkDriver({ dataDir: opts.dataDir, log: opts.log })
}
