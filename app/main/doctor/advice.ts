import type { OsFamily } from './host'

/** The checks the doctor runs, in report order. */
export const CHECK_IDS = ['node', 'qemu-system', 'qemu-img', 'accelerator', 'disk', 'memory', 'openstack-cli', 'swift-cli'] as const
export type CheckId = (typeof CHECK_IDS)[number]

/** What a check is about, for the report and for docs/troubleshooting.md. */
export interface CheckInfo {
  title: string
  /** Whether the cloud can run without it (a failed required check makes `--doctor` exit 1). */
  required: boolean
  /** One sentence: what it checks and what depends on it. */
  why: string
}

export const CHECKS: Record<CheckId, CheckInfo> = {
  node: {
    title: 'Node.js',
    required: true,
    why: 'The headless server (`npm run serve`) needs Node.js 20.17 or later; the desktop app brings its own.',
  },
  'qemu-system': {
    title: 'QEMU (qemu-system-x86_64)',
    required: true,
    why: 'Compute runs every instance as a qemu-system-x86_64 process, and the network data plane uses it for the uplink to your computer. Without it the compute API answers 503.',
  },
  'qemu-img': {
    title: 'qemu-img',
    required: true,
    why: 'Images are inspected and instance disks created with qemu-img (usually installed together with QEMU).',
  },
  accelerator: {
    title: 'Hardware acceleration',
    required: false,
    why: 'QEMU runs guests far faster with the hardware hypervisor (KVM on Linux, HVF on macOS, WHPX on Windows). Without it Stackling uses TCG (emulation): everything works, guests boot in tens of seconds instead of seconds.',
  },
  disk: {
    title: 'Free disk in the data folder',
    required: true,
    why: 'Images, instance disks and the database live in the data folder. Below 1 GiB free the cloud cannot store an image or start an instance; below 5 GiB it will soon.',
  },
  memory: {
    title: 'Free memory',
    required: true,
    why: 'Each instance needs its RAM plus about 256 MB for its QEMU process; the scheduler refuses an instance the host cannot hold without swapping. Below 512 MB available no instance can start.',
  },
  'openstack-cli': {
    title: 'openstack CLI (optional)',
    required: false,
    why: 'Not needed by Stackling itself: the dashboard does everything. Install it to use the cloud as you would a real OpenStack (clouds.yaml in the data folder).',
  },
  'swift-cli': {
    title: 'swift CLI (optional)',
    required: false,
    why: 'Not needed by Stackling itself; the swift client talks to the object store.',
  },
}

export const OS_FAMILIES: { family: OsFamily; label: string }[] = [
  { family: 'debian', label: 'Debian / Ubuntu' },
  { family: 'fedora', label: 'Fedora / RHEL' },
  { family: 'linux', label: 'Other Linux' },
  { family: 'macos', label: 'macOS' },
  { family: 'windows', label: 'Windows' },
]

/** Why a check did not pass, which changes what to do (a missing binary vs a slow accelerator). */
export type Problem = 'missing' | 'too-old' | 'unusable' | 'low'

/**
 * What to do about a check that did not pass, on this OS: each line one step, commands in backticks. Pure: the
 * same text is printed by `--doctor`, shown by the dashboard's Health page and written to docs/troubleshooting.md.
 */
export function adviceFor(id: CheckId, family: OsFamily, problem: Problem = 'missing', windowsHome?: boolean): string[] {
  const lines = adviceLines(id, family, problem)
  // On Windows the edition decides between Hyper-V and "Windows Home has no Hyper-V" (both when unknown: the docs).
  if (family === 'windows' && id === 'accelerator' && windowsHome !== undefined) {
    return lines.filter((l) => (windowsHome ? !l.startsWith('Windows 10/11 Pro') : !l.startsWith('Windows Home')))
  }
  return lines
}

function adviceLines(id: CheckId, family: OsFamily, problem: Problem): string[] {
  switch (id) {
    case 'node':
      return {
        debian: ['Install Node.js 20 LTS or later from https://nodejs.org or NodeSource (`sudo apt-get install nodejs` gives an older one on Debian 12).'],
        fedora: ['`sudo dnf install nodejs20` (or a later nodejsNN stream).'],
        linux: ['Install Node.js 20 LTS or later from https://nodejs.org or your distribution.'],
        macos: ['`brew install node@20` (or the installer from https://nodejs.org).'],
        windows: ['Install Node.js 20 LTS or later with the installer from https://nodejs.org (or `winget install OpenJS.NodeJS.LTS`).'],
      }[family]
    case 'qemu-system':
    case 'qemu-img': {
      const both = id === 'qemu-system' ? 'QEMU' : 'qemu-img'
      const tooOld = problem === 'too-old' ? ['Stackling is tested with QEMU 7.2 and later; upgrade QEMU from your package manager.'] : []
      return [
        ...tooOld,
        ...{
          debian: [`\`sudo apt-get install qemu-system-x86 qemu-utils\` (qemu-system-x86 has qemu-system-x86_64, qemu-utils has qemu-img).`],
          fedora: ['`sudo dnf install qemu-system-x86 qemu-img`'],
          linux: [`Install ${both} from your distribution (Arch: \`sudo pacman -S qemu-base\`; openSUSE: \`sudo zypper install qemu-x86 qemu-tools\`).`],
          macos: ['`brew install qemu` (Homebrew: https://brew.sh); it installs qemu-system-x86_64 and qemu-img.'],
          windows: [
            'Install QEMU for Windows (https://www.qemu.org/download/#windows, e.g. `winget install SoftwareFreedomConservancy.QEMU`), then add its folder (C:\\Program Files\\qemu) to PATH and restart Stackling.',
          ],
        }[family],
      ]
    }
    case 'accelerator':
      return {
        debian: [
          'Enable virtualisation (VT-x / AMD-V) in the BIOS/UEFI; in a VM, enable nested virtualisation on its host.',
          '`sudo apt-get install qemu-system-x86` loads the kvm modules; then `sudo usermod -aG kvm $USER` and log in again.',
          'If /dev/kvm exists but the probe says it hangs or is slow (nested virtualisation that does not work), Stackling uses TCG: nothing to fix, or set the accelerator to tcg in Settings to skip the probe.',
        ],
        fedora: [
          'Enable virtualisation (VT-x / AMD-V) in the BIOS/UEFI; in a VM, enable nested virtualisation on its host.',
          '`sudo dnf install qemu-kvm` and `sudo usermod -aG kvm $USER`, then log in again.',
          'If /dev/kvm hangs or is slow, Stackling uses TCG: set the accelerator to tcg in Settings to skip the probe.',
        ],
        linux: [
          'Enable virtualisation in the BIOS/UEFI, load the kvm_intel or kvm_amd module and give your user access to /dev/kvm (the kvm group).',
        ],
        macos: [
          'On an Intel Mac HVF is used when the CPU has VT-x (every Intel Mac since 2010). On Apple silicon, x86_64 guests cannot use HVF: Stackling runs them with TCG (works, slower); nothing to fix.',
          "Use Homebrew's QEMU (`brew install qemu`): it is signed with the hypervisor entitlement HVF needs.",
        ],
        windows: [
          'Windows 10/11 Pro, Enterprise or Education: turn on "Windows Hypervisor Platform" (and, for the Hyper-V driver, "Hyper-V") in "Turn Windows features on or off", or `Enable-WindowsOptionalFeature -Online -FeatureName HypervisorPlatform` in an admin PowerShell, then restart.',
          'Windows Home has no Hyper-V: turn on "Windows Hypervisor Platform" where the edition offers it so QEMU can use WHPX; otherwise Stackling runs QEMU with TCG (slower, works).',
          'Enable virtualisation (VT-x / AMD-V) in the BIOS/UEFI.',
        ],
      }[family]
    case 'disk':
      return [
        'Free space on the disk holding the data folder (delete unused images, snapshots and instances in the dashboard), or move the data folder to a bigger disk: `npm run serve -- --data-dir DIR` / `STACKLING_DATA_DIR`.',
      ]
    case 'memory':
      return [
        'Close other programs, or stop instances you do not need; use small flavors (m1.tiny: 512 MB).',
        'Settings → "memory for instances" caps what the cloud may give to VMs so your computer keeps enough for itself.',
      ]
    case 'openstack-cli':
      return {
        debian: ['`sudo apt-get install python3-openstackclient`'],
        fedora: ['`sudo dnf install python3-openstackclient`'],
        linux: ['`pipx install python-openstackclient` (or pip in a virtualenv).'],
        macos: ['`brew install openstackclient` or `pipx install python-openstackclient`.'],
        windows: ['`pip install python-openstackclient` (Python 3 from https://python.org), or use it inside WSL.'],
      }[family]
    case 'swift-cli':
      return {
        debian: ['`sudo apt-get install python3-swiftclient`'],
        fedora: ['`sudo dnf install python3-swiftclient`'],
        linux: ['`pipx install python-swiftclient`'],
        macos: ['`pipx install python-swiftclient`'],
        windows: ['`pip install python-swiftclient`'],
      }[family]
  }
}
