import type { VolumeDriver } from './volume-driver'

/** The volume driver for the host, loaded lazily: qemu-img files by default, VHDX files with the Hyper-V hypervisor. */
export function createVolumeDriver(kind: 'file' | 'vhdx', opts: { dataDir: string }): VolumeDriver {
  switch (kind) {
    case 'vhdx':
      return new (require('./hyperv/vhdx-driver').VhdxVolumeDriver)(opts) as VolumeDriver
    case 'file':
      return new (require('./file/qemu-img-driver').QemuImgVolumeDriver)(opts) as VolumeDriver
  }
}
