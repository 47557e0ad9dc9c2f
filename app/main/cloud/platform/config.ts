import type { StoredSettings } from './settings'

/**
 * Settings the services read. Precedence, highest first: startCloud's options (tests) > the environment
 * (STACKLING_*) > the user's settings.json in the data dir (platform/settings.ts, edited on the dashboard's Settings
 * page) > the defaults here. The object is shared by every service; the settings service updates the live fields
 * (onQuit, vmMemoryCapMb, vmDiskCapGb) in place, so readers must read them when they act, not copy them at start.
 */
export interface CloudConfig {
  /** Image storage a project may use, in bytes (Glance's per-project quota). */
  imageQuotaBytes: number
  /** Largest image a web-download may fetch, in bytes. */
  webDownloadMaxBytes: number
  /** Where the built guest image is looked for at start (registered as the public image stackling-tiny). */
  guestImageDir: string | undefined
  /** The hypervisor driver: qemu (default), hyperv (Windows), fake (unit tests only). */
  hypervisor: 'qemu' | 'hyperv' | 'fake'
  /** Accelerator override for QEMU (kvm, hvf, whpx, tcg); undefined = probe. */
  accelerator: string | undefined
  /** What happens to running guests when the cloud stops: shut them down (ACPI, then hard) or keep them for re-adoption. */
  onQuit: 'stop' | 'keep'
  /** The network data plane: the userspace switch (default) or none (API only: unit tests with the fake hypervisor). */
  networkDriver: 'userspace' | 'noop'
  /** Bytes that must stay free on the data dir's disk after a volume or snapshot is created (else 413). */
  volumeFreeSpaceMarginBytes: number
  /** Most RAM (MB) all instances together may be given (the scheduler's cap); undefined = only the host limits it. */
  vmMemoryCapMb: number | undefined
  /** Most disk (GB, root + ephemeral) all instances together may be given; undefined = only the free space. */
  vmDiskCapGb: number | undefined
  /** Where new image data goes unless the upload names a store (X-Image-Meta-Store): files, or the object store. */
  imageStore: 'file' | 'object-store'
}

const GiB = 1024 ** 3

export function loadConfig(overrides: Partial<CloudConfig> = {}, env = process.env, stored: StoredSettings = {}): CloudConfig {
  const num = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d)
  const cap = (v: string | undefined, s: number | null | undefined) => (v && /^\d+$/.test(v) ? Number(v) : (s ?? undefined))
  const config: CloudConfig = {
    imageQuotaBytes: num(env.STACKLING_IMAGE_QUOTA_BYTES, 50 * GiB),
    webDownloadMaxBytes: num(env.STACKLING_WEB_DOWNLOAD_MAX_BYTES, 20 * GiB),
    guestImageDir: env.STACKLING_GUEST_IMAGE_DIR || undefined,
    hypervisor: (['qemu', 'hyperv', 'fake'] as const).find((h) => h === env.STACKLING_HYPERVISOR) ?? 'qemu',
    accelerator: env.STACKLING_ACCEL || (stored.accelerator && stored.accelerator !== 'auto' ? stored.accelerator : undefined),
    onQuit: env.STACKLING_ON_QUIT ? (env.STACKLING_ON_QUIT === 'keep' ? 'keep' : 'stop') : (stored.onQuit ?? 'stop'),
    networkDriver: env.STACKLING_NETWORK_DRIVER === 'noop' ? 'noop' : 'userspace',
    volumeFreeSpaceMarginBytes: num(env.STACKLING_VOLUME_FREE_SPACE_MARGIN_BYTES, 1 * GiB),
    vmMemoryCapMb: cap(env.STACKLING_VM_MEMORY_CAP_MB, stored.vmMemoryCapMb),
    vmDiskCapGb: cap(env.STACKLING_VM_DISK_CAP_GB, stored.vmDiskCapGb),
    imageStore: env.STACKLING_IMAGE_STORE ? (env.STACKLING_IMAGE_STORE === 'object-store' ? 'object-store' : 'file') : (stored.imageStore ?? 'file'),
    ...overrides,
  }
  // The fake hypervisor runs no guests: nothing to switch (unless a test asks for the switch explicitly).
  if (config.hypervisor === 'fake' && !overrides.networkDriver) config.networkDriver = 'noop'
  return config
}
