/**
 * Settings the services read. Defaults here; the environment (STACKLING_*) and, for tests, startCloud's options
 * override them. Issue 8's settings page will store user choices in the data dir on top of these.
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
}

const GiB = 1024 ** 3

export function loadConfig(overrides: Partial<CloudConfig> = {}, env = process.env): CloudConfig {
  const num = (v: string | undefined, d: number) => (v && /^\d+$/.test(v) ? Number(v) : d)
  const config: CloudConfig = {
    imageQuotaBytes: num(env.STACKLING_IMAGE_QUOTA_BYTES, 50 * GiB),
    webDownloadMaxBytes: num(env.STACKLING_WEB_DOWNLOAD_MAX_BYTES, 20 * GiB),
    guestImageDir: env.STACKLING_GUEST_IMAGE_DIR || undefined,
    hypervisor: (['qemu', 'hyperv', 'fake'] as const).find((h) => h === env.STACKLING_HYPERVISOR) ?? 'qemu',
    accelerator: env.STACKLING_ACCEL || undefined,
    onQuit: env.STACKLING_ON_QUIT === 'keep' ? 'keep' : 'stop',
    networkDriver: env.STACKLING_NETWORK_DRIVER === 'noop' ? 'noop' : 'userspace',
    ...overrides,
  }
  // The fake hypervisor runs no guests: nothing to switch (unless a test asks for the switch explicitly).
  if (config.hypervisor === 'fake' && !overrides.networkDriver) config.networkDriver = 'noop'
  return config
}
