import assert from 'node:assert/strict'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DriverError, GuestNotFound, type GuestSpec, type GuestStateEvent, type HypervisorDriver, type PowerState } from './hypervisor-driver'

/**
 * The suite every hypervisor driver passes (like Nova's test_virt_drivers.py): the fake in fake-driver.test.ts, QEMU
 * in qemu-driver.test.ts, Hyper-V in its own. It walks guests through their life in order, so one guest serves
 * most cases (a real guest boots in seconds, not milliseconds). Checks that need to look inside a real guest (its
 * console markers, its serial shell) run only when `opts.guest` describes that guest.
 */

export interface ContractSubject {
  driver: HypervisorDriver
  /** The image guests boot from. */
  baseImage: string
  baseFormat?: 'qcow2' | 'raw'
  cleanup(): Promise<void>
  /**
   * A second driver over the same host state, as after a restart (or SIGKILL) of the cloud; the suite calls the
   * first driver's shutdownHost() before, like a clean restart. Without it the re-adoption case is skipped.
   */
  reopen?(): Promise<HypervisorDriver>
  /** Creates a blank disk file for the volume cases (default: an empty file, raw). */
  makeVolume?(file: string): Promise<'qcow2' | 'raw'>
}

export interface ContractOptions {
  /** A real guest whose console the suite can read (markers) and type into (serial shell). */
  guest?: {
    bootMarker: string
    readyMarker: string
    shutdownMarker?: string
    /** The guest offers a root shell on its serial console after Enter (busybox askfirst). */
    serialShell: boolean
  }
  /** Per-case timeout (default 120 s; real guests under emulation need tens of seconds for some). */
  timeoutMs?: number
  /** Extra checks of a snapshot file (e.g. `qemu-img info` shows no backing file). */
  inspectSnapshot?(file: string, format: 'qcow2' | 'raw'): Promise<void>
  /**
   * Makes the guest power itself off from inside (default with a serial shell: typing `poweroff`). The fake
   * driver passes its simulation hook.
   */
  guestPowersOff?(driver: HypervisorDriver, id: string): Promise<void>
  /** Called once a guest is destroyed (e.g. check that no process is left). */
  assertGone?(id: string): Promise<void>
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

let counter = 0
function guestId(): string {
  // Instance ids are UUIDs; the counter keeps parallel suites apart.
  const hex = `${process.pid.toString(16)}${(counter++).toString(16)}${Date.now().toString(16)}`.padStart(32, '0').slice(-32)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`)
    await sleep(everyMs)
  }
}

function count(text: string, line: string): number {
  return text.split('\n').filter((l) => l.trim() === line || l.startsWith(`${line} `)).length
}

export function runHypervisorContract(name: string, make: () => Promise<ContractSubject>, opts: ContractOptions = {}): void {
  const timeout = opts.timeoutMs ?? 120_000
  const g = opts.guest

  describe(`hypervisor driver contract: ${name}`, { timeout: timeout * 20 }, () => {
    let subject: ContractSubject
    let driver: HypervisorDriver
    let root: string
    const spawned = new Set<string>()

    const spec = (id: string, over: Partial<GuestSpec> = {}): GuestSpec => ({
      id,
      name: `contract-${id.slice(0, 8)}`,
      vcpus: 1,
      memoryMb: 256,
      instanceDir: path.join(root, id),
      rootDisk: { baseImage: subject.baseImage, baseFormat: subject.baseFormat ?? 'qcow2', sizeGb: 0 },
      nics: [{ mac: 'fa:16:3e:00:00:01', backend: { type: 'user' } }],
      ...over,
    })

    const newGuest = async (over: Partial<GuestSpec> = {}, powerOn = true): Promise<string> => {
      const id = guestId()
      await fs.mkdir(path.join(root, id), { recursive: true })
      spawned.add(id)
      await driver.spawn(spec(id, over), { powerOn })
      return id
    }

    const state = async (id: string): Promise<PowerState> => (await driver.getInfo(id)).state

    /** The console text so far (its length marks a point to wait from). */
    const logLength = async (id: string): Promise<number> => (g ? (await driver.consoleLog(id)).length : 0)

    /** Waits for a console line starting with `marker` after position `since` of the console text. */
    const waitConsole = async (id: string, marker: string, since = 0, ms = timeout): Promise<void> => {
      await waitFor(`'${marker}' on the console of ${id}`, async () => count((await driver.consoleLog(id)).slice(since), marker) > 0, ms)
    }

    /** With a real guest: waits for its boot and ready lines after `since`. */
    const waitBooted = async (id: string, since: number): Promise<void> => {
      if (!g) return
      await waitConsole(id, g.bootMarker, since)
      await waitConsole(id, g.readyMarker, since)
    }

    /** Runs a command in the guest's serial shell; resolves with its output (lines between two nonces). */
    const shell = async (id: string, command: string, ms = 30_000): Promise<string> => {
      const con = await driver.openSerialConsole(id)
      try {
        let out = ''
        con.on('data', (d: Buffer | string) => (out += d.toString()))
        const nonce = Math.random().toString(36).slice(2, 10)
        con.write('\n')
        await sleep(300)
        con.write(`echo B-${nonce}; ${command}; echo E-${nonce}\n`)
        const re = new RegExp(`^B-${nonce}\\r?\\n([\\s\\S]*?)^E-${nonce}\\r?$`, 'm')
        const m = await waitFor(`output of '${command}'`, async () => re.exec(out) ?? undefined, ms, 100)
        return m[1]!.replace(/\r/g, '')
      } finally {
        con.close()
      }
    }

    const blockDevices = async (id: string): Promise<string[]> =>
      (await shell(id, 'ls /sys/block')).split(/\s+/).filter((d) => /^(vd|sd|hd)[a-z]+$/.test(d)).sort()

    before(async () => {
      subject = await make()
      driver = subject.driver
      root = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-contract-'))
      const host = await driver.initHost()
      assert.ok(host.hypervisorType.length > 0)
      assert.ok(host.accelerator.length > 0)
    })

    after(async () => {
      for (const id of spawned) await driver?.destroy(id, { keepDisks: false }).catch(() => undefined)
      await driver?.shutdownHost().catch(() => undefined)
      await subject?.cleanup()
      if (root) await fs.rm(root, { recursive: true, force: true })
    })

    it('throws GuestNotFound for an unknown id; destroy of one is a no-op', { timeout }, async () => {
      const id = guestId()
      await assert.rejects(driver.getInfo(id), GuestNotFound)
      await assert.rejects(driver.powerOn(id), GuestNotFound)
      await assert.rejects(driver.powerOff(id, { timeoutMs: 0 }), GuestNotFound)
      await assert.rejects(driver.reboot(id, 'HARD'), GuestNotFound)
      await assert.rejects(driver.pause(id), GuestNotFound)
      await assert.rejects(driver.consoleLog(id), GuestNotFound)
      await assert.rejects(driver.openSerialConsole(id), GuestNotFound)
      await assert.rejects(driver.snapshot(id, path.join(root, 'x.qcow2'), 'qcow2'), GuestNotFound)
      await driver.destroy(id, { keepDisks: false })
      assert.ok(!(await driver.listGuests()).includes(id))
    })

    it('spawn with powerOn:false leaves a defined, stopped guest; a second spawn of the id fails', { timeout }, async () => {
      const id = await newGuest({}, false)
      assert.equal(await state(id), 'shutdown')
      assert.ok((await driver.listGuests()).includes(id))
      const info = await driver.getInfo(id)
      assert.equal(info.vcpus, 1)
      assert.equal(info.memoryMb, 256)
      assert.ok((await fs.readdir(path.join(root, id))).length > 0, 'the guest has files in its folder')
      await assert.rejects(driver.spawn(spec(id), { powerOn: false }), DriverError)
      await assert.rejects(driver.openSerialConsole(id), DriverError)
      await driver.powerOff(id, { timeoutMs: 1000 }) // idempotent on a stopped guest
      assert.equal(await state(id), 'shutdown')
      await driver.destroy(id, { keepDisks: false })
      await driver.destroy(id, { keepDisks: false })
      assert.deepEqual(await fs.readdir(path.join(root, id)), [])
      await assert.rejects(driver.getInfo(id), GuestNotFound)
    })

    it('a failed spawn leaves nothing behind', { timeout }, async () => {
      const id = guestId()
      await fs.mkdir(path.join(root, id))
      await assert.rejects(driver.spawn(spec(id, { rootDisk: { baseImage: path.join(root, 'no-such-image.qcow2'), baseFormat: 'qcow2', sizeGb: 0 } }), { powerOn: true }), DriverError)
      assert.deepEqual(await fs.readdir(path.join(root, id)), [])
      await assert.rejects(driver.getInfo(id), GuestNotFound)
      assert.ok(!(await driver.listGuests()).includes(id))
    })

    describe('one running guest, through its life', () => {
      let id: string

      it('spawn powers it on: running, with its vCPUs and memory; the console shows the boot', { timeout }, async () => {
        id = await newGuest({ vcpus: 1, memoryMb: 256, configDrive: { 'openstack/latest/meta_data.json': JSON.stringify({ uuid: 'x', hostname: 'contract-vm', name: 'contract-vm' }) } })
        const info = await driver.getInfo(id)
        assert.equal(info.state, 'running')
        assert.equal(info.vcpus, 1)
        assert.equal(info.memoryMb, 256)
        assert.equal(typeof info.uptimeSeconds, 'number')
        if (g) {
          await waitBooted(id, 0)
          const log = await driver.consoleLog(id)
          assert.match(log, new RegExp(`^${g.readyMarker} hostname=contract-vm `, 'm'), 'the guest read its config drive')
        }
        const tail = await driver.consoleLog(id, 2)
        assert.ok(tail.replace(/\n$/, '').split('\n').length <= 2, 'at most two lines (and their newline)')
      })

      it('openSerialConsole: a newline gets an answer', { timeout }, async () => {
        const con = await driver.openSerialConsole(id)
        try {
          let out = ''
          con.on('data', (d: Buffer | string) => (out += d.toString()))
          con.write('\n')
          await waitFor('console output', async () => out.length > 0, 15_000, 50)
        } finally {
          con.close()
        }
      })

      it('pause and unpause', { timeout }, async () => {
        await driver.pause(id)
        assert.equal(await state(id), 'paused')
        await driver.unpause(id)
        assert.equal(await state(id), 'running')
      })

      it('attaches a blank volume to the running guest and detaches it', { timeout }, async () => {
        const file = path.join(root, `${id}-vol.img`)
        const format = subject.makeVolume ? await subject.makeVolume(file) : (await fs.writeFile(file, ''), 'raw' as const)
        const before = g?.serialShell ? await blockDevices(id) : []
        await driver.attachVolume(id, { id: 'vol-contract-0001', file, format })
        await driver.attachVolume(id, { id: 'vol-contract-0001', file, format }) // same attachment again: no-op
        if (g?.serialShell) {
          const added = await waitFor('the new disk in the guest', async () => {
            const now = await blockDevices(id)
            const extra = now.filter((d) => !before.includes(d))
            return extra.length === 1 ? extra[0] : undefined
          }, 30_000, 500)
          assert.match(added, /^vd[b-z]$/)
          // Grown while attached (Cinder's in-use extend): the guest sees the new size.
          const sectors = async () => Number((await shell(id, `cat /sys/block/${added}/size`)).trim().split(/\s+/).pop())
          const was = await sectors()
          await driver.resizeVolume(id, 'vol-contract-0001', was * 512 + 1024 * 1024)
          await waitFor('the grown disk in the guest', async () => (await sectors()) === was + 2048, 30_000, 500)
        } else {
          await driver.resizeVolume(id, 'vol-contract-0001', 128 * 1024 * 1024)
        }
        assert.deepEqual(await driver.attachedVolumes(id), ['vol-contract-0001'])
        await assert.rejects(driver.resizeVolume(id, 'vol-not-attached', 1024 * 1024), DriverError)
        await driver.detachVolume(id, 'vol-contract-0001')
        assert.deepEqual(await driver.attachedVolumes(id), [])
        if (g?.serialShell) {
          await waitFor('the disk to leave the guest', async () => (await blockDevices(id)).join() === before.join(), 30_000, 500)
        }
        await assert.rejects(driver.detachVolume(id, 'vol-contract-0001'), DriverError)
        assert.equal(await state(id), 'running')
      })

      it('snapshot writes a standalone image that boots; the guest keeps running', { timeout }, async () => {
        const file = path.join(root, `${id}-snap.qcow2`)
        await driver.snapshot(id, file, 'qcow2')
        assert.ok((await fs.stat(file)).size > 0)
        assert.equal(await state(id), 'running')
        await opts.inspectSnapshot?.(file, 'qcow2')
        const other = await newGuest({ rootDisk: { baseImage: file, baseFormat: 'qcow2', sizeGb: 0 }, nics: [] })
        assert.equal(await state(other), 'running')
        if (g) await waitConsole(other, g.bootMarker, 0)
        await driver.destroy(other, { keepDisks: false })
        await opts.assertGone?.(other)
      })

      it('boots from a volume: its file is the root disk, used directly and left in place by destroy', { timeout }, async () => {
        const file = path.join(root, `${id}-root-volume.qcow2`)
        await fs.copyFile(subject.baseImage, file)
        const format = subject.baseFormat ?? 'qcow2'
        const other = await newGuest({ rootDisk: { volume: { id: 'vol-contract-root', file, format } }, nics: [] })
        assert.equal(await state(other), 'running')
        if (g) await waitConsole(other, g.bootMarker, 0)
        assert.deepEqual(await driver.attachedVolumes(other), [], 'the root volume is not a data volume')
        await driver.destroy(other, { keepDisks: false })
        await opts.assertGone?.(other)
        assert.ok((await fs.stat(file)).size > 0, 'the volume file outlives the guest')
      })

      it('HARD reboot resets it; it stays running', { timeout }, async () => {
        const since = await logLength(id)
        await driver.reboot(id, 'HARD')
        assert.equal(await state(id), 'running')
        await waitBooted(id, since)
      })

      it('SOFT reboot: the guest shuts down cleanly and comes back', { timeout }, async () => {
        const since = await logLength(id)
        await driver.reboot(id, 'SOFT')
        assert.equal(await state(id), 'running')
        if (g?.shutdownMarker) assert.equal(count((await driver.consoleLog(id)).slice(since), g.shutdownMarker), 1, 'the guest ran its shutdown')
        await waitBooted(id, since)
      })

      it('suspend saves it (suspended) and resume brings it back where it was', { timeout }, async () => {
        if (!driver.capabilities.supportsSuspend) return
        const since = await logLength(id)
        await driver.suspend(id)
        assert.equal(await state(id), 'suspended')
        await assert.rejects(driver.openSerialConsole(id), DriverError)
        await assert.rejects(driver.attachVolume(id, { id: 'v2', file: path.join(root, 'none.img'), format: 'raw' }), DriverError)
        await driver.resume(id)
        assert.equal(await state(id), 'running')
        if (g) {
          // Not a new boot: the guest continues where it stopped.
          assert.equal(count((await driver.consoleLog(id)).slice(since), g.bootMarker), 0)
          if (g.serialShell) assert.match(await shell(id, 'echo alive'), /^alive$/m)
        }
      })

      it('powerOff: ACPI first (the guest shuts down cleanly); idempotent', { timeout }, async () => {
        const since = await logLength(id)
        await driver.powerOff(id, { timeoutMs: 60_000 })
        assert.equal(await state(id), 'shutdown')
        if (g?.shutdownMarker) assert.equal(count((await driver.consoleLog(id)).slice(since), g.shutdownMarker), 1)
        await driver.powerOff(id, { timeoutMs: 60_000 })
        assert.equal(await state(id), 'shutdown')
        await assert.rejects(driver.pause(id), DriverError)
      })

      it('powerOn starts it again; powerOff with timeout 0 stops it at once', { timeout }, async () => {
        const since = await logLength(id)
        await driver.powerOn(id)
        assert.equal(await state(id), 'running')
        await driver.powerOn(id) // idempotent
        if (g) await waitConsole(id, g.bootMarker, since)
        const t0 = Date.now()
        await driver.powerOff(id, { timeoutMs: 0 })
        assert.equal(await state(id), 'shutdown')
        assert.ok(Date.now() - t0 < 10_000, 'a hard stop does not wait for the guest')
      })

      it('onDidChangeState reports the guest powering itself off', { timeout }, async () => {
        const trigger = opts.guestPowersOff ?? (g?.serialShell ? (d: HypervisorDriver, gid: string) => typeIn(d, gid, 'poweroff') : undefined)
        if (!trigger) return
        const since = await logLength(id)
        await driver.powerOn(id)
        await waitBooted(id, since)
        const events: GuestStateEvent[] = []
        const sub = driver.onDidChangeState((e) => events.push(e))
        try {
          await trigger(driver, id)
          await waitFor('a shutdown event', async () => events.some((e) => e.id === id && e.state === 'shutdown'), 60_000)
        } finally {
          sub.dispose()
        }
        assert.equal(await state(id), 'shutdown')
      })

      it('a second driver (after a restart of the cloud) adopts the running guest and controls it', { timeout }, async () => {
        if (!subject.reopen) return
        await driver.powerOn(id)
        assert.equal(await state(id), 'running')
        await driver.shutdownHost()
        const second = await subject.reopen()
        try {
          await second.initHost()
          assert.ok((await second.listGuests()).includes(id))
          assert.equal((await second.getInfo(id)).state, 'running')
          if (g) assert.ok((await second.consoleLog(id)).length > 0)
          await second.pause(id)
          assert.equal((await second.getInfo(id)).state, 'paused')
          await second.powerOff(id, { timeoutMs: 0 })
          assert.equal((await second.getInfo(id)).state, 'shutdown')
        } finally {
          await second.shutdownHost()
          driver = await subject.reopen()
          subject.driver = driver
          await driver.initHost()
        }
        assert.equal(await state(id), 'shutdown')
      })

      it('destroy removes everything: idempotent, folder empty, unknown afterwards', { timeout }, async () => {
        await driver.powerOn(id)
        await driver.destroy(id, { keepDisks: false })
        await driver.destroy(id, { keepDisks: false })
        assert.deepEqual(await fs.readdir(path.join(root, id)), [])
        await assert.rejects(driver.getInfo(id), GuestNotFound)
        assert.ok(!(await driver.listGuests()).includes(id))
        await opts.assertGone?.(id)
      })
    })

    it('destroy with keepDisks keeps the disks only', { timeout }, async () => {
      const id = await newGuest({}, false)
      await driver.destroy(id, { keepDisks: true })
      const left = await fs.readdir(path.join(root, id))
      assert.ok(left.length > 0, 'the root disk is kept')
      await assert.rejects(driver.getInfo(id), GuestNotFound)
    })
  })
}

/** Types a line into the guest's serial console (activating the shell first) without waiting for an answer. */
async function typeIn(driver: HypervisorDriver, id: string, line: string): Promise<void> {
  const con = await driver.openSerialConsole(id)
  try {
    con.write('\n')
    await sleep(300)
    con.write(`${line}\n`)
    await sleep(200)
  } finally {
    con.close()
  }
}
