import type { Service, ServiceDeps } from './service'

/**
 * Every service of the cloud, in start order (identity first: the others rely on its authenticator).
 * Factories are lazy so that a service's code is loaded only when the cloud starts it.
 */
export const SERVICE_FACTORIES: ReadonlyArray<{ type: string; create: (deps: ServiceDeps) => Promise<Service> }> = [
  { type: 'identity', create: async (d) => (await import('./identity')).createIdentityService(d) },
  { type: 'compute', create: async (d) => (await import('./compute')).createComputeService(d) },
  { type: 'image', create: async (d) => (await import('./image')).createImageService(d) },
  { type: 'volume', create: async (d) => (await import('./volume')).createVolumeService(d) },
  { type: 'network', create: async (d) => (await import('./network')).createNetworkService(d) },
  { type: 'object-store', create: async (d) => (await import('./object-store')).createObjectStoreService(d) },
  { type: 'cloud-shell', create: async (d) => (await import('./cloud-shell')).createCloudShellService(d) },
]
