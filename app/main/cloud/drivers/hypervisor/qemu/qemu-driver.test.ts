import assert from 'node:assert/strict'
import childProcess from 'node:child_process'
import { existsSync, promises as fs, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { run } from '../../../platform/process/run'
import { runHypervisorContract } from '../contract'
import { chooseAccelerator, clearAcceleratorCache, runProbeGuest } from './accelerator'
import { QemuDriver } from './qemu-driver'

/**
 * The contract against real QEMU guests (the stackling-tiny image, `npm run build:guest-image`), under whatever
 * accelerator the probe picks (TCG on the CI machines: their /dev/kvm is unusable), plus what only QEMU has:
 * the probe itself, surviving a SIGKILL of the cloud, no shell in any spawn, no process left behind.
 */

const ROOT = path.resolve(__dirname, '../../../../../../..')
const IMAGE_DIR = process.env.STACKLING_GUEST_IMAGE_DIR || path.join(ROOT, 'build', 'guest-image')
const IMAGE = path.join(IMAGE_DIR, 'stackling-tiny.qcow2')
const MARKERS = JSON.parse(readFileSync(path.join(ROOT, 'resources', 'guest-image', 'markers.json'), 'utf8')) as Record<string, string>
const QEMU = process.env.STACKLING_QEMU || 'qemu-system-x86_64'
/** Every temp folder of this file starts so; the leftover-process check looks for it in QEMU command lines. */
const PREFIX = 'stk-qemu-'

// Record every child process this file's code starts, to prove none goes through a shell.
const spawned: Array<{ file: string; args: readonly string[]; shell: unknown }> = []
for (const fn of ['spawn', 'execFile', 'spawnSync', 'execFileSync'] as const) {
  const original = childProcess[fn] as (...a: unknown[]) => unknown
  ;(childProcess as unknown as Record<string, unknown>)[fn] = function (this: unknown, file: string, args?: unknown, options?: unknown) {
    const argv = Array.isArray(args) ? (args as string[]) : []
    const o = (Array.isArray(args) ? options : args) as { shell?: unknown } | undefined
    spawned.push({ file, args: argv, shell: o?.shell })
    return original.apply(this, [file, args, options].filter((x) => x !== undefined))
  }
}
for (const fn of ['exec', 'execSync'] as const) {
  ;(childProcess as unknown as Record<string, unknown>)[fn] = () => {
    throw new Error(`child_process.${fn} runs a shell: not allowed`)
  }
}

/** Live (not zombie) processes whose command line names a stackling guest and one of our temp folders. */
async function leftoverGuests(marker = PREFIX): Promise<string[]> {
  const r = await run('pgrep', ['-f', 'stackling-'])
  const left: string[] = []
  for (const pid of r.stdout.split('\n').filter(Boolean)) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    const st = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    if (!stat || st === 'Z') continue
    const cmd = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ')
    if (cmd.includes('process=stackling-') && cmd.includes(marker)) left.push(`${pid}: ${cmd.slice(0, 200)}`)
  }
  return left
}

async function rssMb(pidFile: string): Promise<number> {
  const pid = (await fs.readFile(pidFile, 'utf8')).trim()
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

async function waitConsole(driver: QemuDriver, id: string, marker: string, ms: number): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if ((await driver.consoleLog(id)).split('\n').some((l) => l.startsWith(marker))) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`no ${marker} within ${ms} ms:\n${await driver.consoleLog(id, 30)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('QEMU driver', { timeout: 600_000 }, () => {
  before(() => {
    if (!existsSync(IMAGE)) throw new Error(`the guest image is not built (${IMAGE} is missing): run \`npm run build:guest-image\` first`)
  })

  after(async () => {
    const left = await leftoverGuests()
    assert.deepEqual(left, [], 'no guest process outlives the suite')
    const shells = spawned.filter((s) => s.shell || /(^|[\\/])(sh|bash|dash|zsh|cmd(\.exe)?|powershell(\.exe)?)$/.test(s.file))
    assert.deepEqual(shells, [], 'no program is started through a shell')
    assert.ok(spawned.some((s) => s.file === QEMU), 'the spawn recorder saw QEMU')
  })

  it('the accelerator probe picks a working accelerator and says why (TCG when /dev/kvm is unusable)', { timeout: 60_000 }, async (t) => {
    clearAcceleratorCache()
    const choice = await chooseAccelerator({ qemuBinary: QEMU, env: {}, cacheFile: false })
    t.diagnostic(`probe: ${choice.accelerator} in ${choice.probeMs} ms — ${choice.note}`)
    assert.match(choice.accelerator, /^(kvm|tcg)$/)
    assert.ok(choice.note.startsWith(choice.accelerator), choice.note)
    if (choice.accelerator === 'tcg' && existsSync('/dev/kvm')) assert.match(choice.note, /kvm (present but unusable|unusable): .+/)
    assert.equal(await chooseAccelerator({ qemuBinary: QEMU, env: {}, cacheFile: false }), choice, 'cached per process')
    const forced = await chooseAccelerator({ qemuBinary: QEMU, env: { STACKLING_ACCEL: 'tcg' } })
    assert.deepEqual([forced.accelerator, /STACKLING_ACCEL/.test(forced.note)], ['tcg', true])
    // The probe guest itself is sound: under TCG it always finishes.
    const tcg = await runProbeGuest(QEMU, 'tcg', 20_000)
    assert.ok(tcg.ok, tcg.error)
    t.diagnostic(`probe guest under tcg: workload reached after ${tcg.startMs} ms, done after ${tcg.doneMs} ms`)
  })

  it('a probe verdict is reused by later processes until the host reboots or QEMU changes', { timeout: 60_000 }, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), PREFIX))
    try {
      const cacheFile = path.join(dir, 'accel.json')
      clearAcceleratorCache()
      const first = await chooseAccelerator({ qemuBinary: QEMU, env: {}, cacheFile })
      clearAcceleratorCache() // as in a new process
      const second = await chooseAccelerator({ qemuBinary: QEMU, env: {}, cacheFile })
      assert.equal(first.cached, undefined)
      assert.equal(second.cached, true)
      assert.equal(second.accelerator, first.accelerator)
      assert.ok(second.note.startsWith(first.note))
      assert.ok(second.probeMs < 1000, `reading the cache took ${second.probeMs} ms`)
      const stored = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as Record<string, unknown>
      assert.equal(Object.keys(stored).length, 1)
      assert.match(Object.keys(stored)[0]!, /QEMU emulator version/)
    } finally {
      clearAcceleratorCache()
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  runHypervisorContract(
    'qemu',
    async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), PREFIX))
      const make = () => new QemuDriver({ dataDir, softRebootTimeoutMs: 60_000 })
      return {
        driver: make(),
        baseImage: IMAGE,
        baseFormat: 'qcow2',
        reopen: async () => make(),
        makeVolume: async (file) => {
          const r = await run('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M'])
          assert.equal(r.code, 0, r.stderr)
          return 'qcow2'
        },
        cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
      }
    },
    {
      timeoutMs: 120_000,
      guest: { bootMarker: MARKERS.boot!, readyMarker: MARKERS.ready!, shutdownMarker: MARKERS.shutdown!, serialShell: true },
      inspectSnapshot: async (file, format) => {
        const r = await run('qemu-img', ['info', '--output=json', file])
        assert.equal(r.code, 0, r.stderr)
        const info = JSON.parse(r.stdout) as Record<string, unknown>
        assert.equal(info.format, format)
        assert.equal(info['backing-filename'], undefined, 'the snapshot is standalone')
        assert.equal(info['full-backing-filename'], undefined)
      },
      assertGone: async (id) => assert.deepEqual(await leftoverGuests(id), []),
    },
  )

  describe('QEMU specifics', () => {
    let dataDir: string
    let driver: QemuDriver

    before(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), PREFIX))
      driver = new QemuDriver({ dataDir })
      await driver.initHost()
    })
    after(async () => {
      for (const id of await driver.listGuests()) await driver.destroy(id, { keepDisks: false })
      await driver.shutdownHost()
      await fs.rm(dataDir, { recursive: true, force: true })
    })

    it('a guest survives a SIGKILL of the cloud and is adopted by the next driver; figures', { timeout: 180_000 }, async (t) => {
      const id = '5e1f0000-0000-4000-8000-00000000c0de'
      const instanceDir = path.join(dataDir, 'instances', id)
      await fs.mkdir(instanceDir, { recursive: true })
      const spec = { id, name: 'sigkill', vcpus: 1, memoryMb: 256, instanceDir, rootDisk: { baseImage: IMAGE, baseFormat: 'qcow2', sizeGb: 1 }, nics: [{ mac: 'fa:16:3e:00:00:02', backend: { type: 'user' } }], imageProperties: { hw_rng_model: 'virtio' } }
      // A separate Node process plays the cloud: it spawns the guest, then is killed without any cleanup.
      const script = `
        const { QemuDriver } = require(${JSON.stringify(path.join(__dirname, 'qemu-driver.js'))});
        const d = new QemuDriver({ dataDir: ${JSON.stringify(dataDir)} });
        d.initHost().then(() => { process.stdout.write('SPAWNING\\n'); const t0 = Date.now(); return d.spawn(${JSON.stringify(spec)}, { powerOn: true }).then(() => Date.now() - t0) })
          .then((ms) => { process.stdout.write('SPAWNED ' + ms + '\\n'); setInterval(() => {}, 1000) }, (e) => { console.error(e); process.exit(1) });`
      // The probe ran in this process already: the child uses its answer (its own probe would cost seconds).
      const accel = (await chooseAccelerator({ qemuBinary: QEMU })).accelerator
      const cloud = childProcess.spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STACKLING_ACCEL: accel } })
      let t0 = Date.now()
      const spawnMs = await new Promise<number>((resolve, reject) => {
        let out = ''
        cloud.stdout!.on('data', (d: Buffer) => {
          if (!out.includes('SPAWNING') && d.toString().includes('SPAWNING')) t0 = Date.now()
          out += d.toString()
          const m = /SPAWNED (\d+)/.exec(out)
          if (m) resolve(Number(m[1]))
        })
        cloud.once('exit', (code) => reject(new Error(`the cloud process exited (${code}) before spawning`)))
      })
      cloud.kill('SIGKILL')
      await new Promise((r) => cloud.once('exit', r))

      const second = new QemuDriver({ dataDir })
      try {
        await second.initHost()
        assert.ok((await second.listGuests()).includes(id))
        assert.equal((await second.getInfo(id)).state, 'running', 'the guest outlived the cloud process')
        const bootMs = Date.now() - t0 + (await waitConsole(second, id, MARKERS.boot!, 60_000))
        const readyMs = Date.now() - t0 + (await waitConsole(second, id, MARKERS.ready!, 90_000))
        const rss = await rssMb(path.join(instanceDir, 'qemu.pid'))
        let s = Date.now()
        await second.snapshot(id, path.join(dataDir, 'snap.qcow2'), 'qcow2')
        const snapMs = Date.now() - s
        s = Date.now()
        await second.suspend(id)
        const suspendMs = Date.now() - s
        s = Date.now()
        await second.resume(id)
        const resumeMs = Date.now() - s
        s = Date.now()
        await second.powerOff(id, { timeoutMs: 60_000 })
        const offMs = Date.now() - s
        assert.match(await second.consoleLog(id, 40), new RegExp(MARKERS.shutdown!))
        t.diagnostic(
          `figures: spawn() ${spawnMs} ms; spawn→boot marker ${bootMs} ms; →ready ${readyMs} ms; QEMU RSS ${rss.toFixed(0)} MB (-m 256, booted); ` +
            `snapshot ${snapMs} ms; suspend ${suspendMs} ms; resume ${resumeMs} ms; ACPI power-off ${offMs} ms`,
        )
        await second.destroy(id, { keepDisks: false })
        assert.deepEqual(await fs.readdir(instanceDir), [])
        assert.deepEqual(await leftoverGuests(id), [])
      } finally {
        await second.destroy(id, { keepDisks: false }).catch(() => undefined)
        await second.shutdownHost()
      }
    })

    it('refuses to start a guest QEMU cannot run, with QEMU\'s reason, and leaves nothing', { timeout: 60_000 }, async () => {
      const id = '5e1f0000-0000-4000-8000-0000000bad01'
      const instanceDir = path.join(dataDir, 'instances', id)
      await fs.mkdir(instanceDir, { recursive: true })
      const base = { id, name: 'bad', vcpus: 1, memoryMb: 256, instanceDir, rootDisk: { baseImage: IMAGE, baseFormat: 'qcow2' as const, sizeGb: 0 }, nics: [] }
      await assert.rejects(
        driver.spawn({ ...base, volumes: [{ id: 'vol-missing', file: path.join(dataDir, 'missing.qcow2'), format: 'qcow2' }] }, { powerOn: true }),
        /QEMU refused to start the guest.*missing\.qcow2/,
      )
      assert.deepEqual(await fs.readdir(instanceDir), [])
      assert.ok(!(await driver.listGuests()).includes(id))
      // A client-mode stream NIC whose switch socket is absent: QEMU 7.2 would start with the NIC silently unplugged.
      await assert.rejects(
        driver.spawn({ ...base, nics: [{ mac: 'fa:16:3e:00:00:03', backend: { type: 'stream', socketPath: path.join(dataDir, 'no-switch.sock'), server: false } }] }, { powerOn: true }),
        /no-switch\.sock is not there/,
      )
      assert.deepEqual(await fs.readdir(instanceDir), [])
      // A server-mode NIC never deletes a file that is not a socket.
      const notSocket = path.join(dataDir, 'precious.txt')
      await fs.writeFile(notSocket, 'keep me')
      await assert.rejects(
        driver.spawn({ ...base, nics: [{ mac: 'fa:16:3e:00:00:04', backend: { type: 'stream', socketPath: notSocket, server: true } }] }, { powerOn: true }),
        /precious\.txt exists and is not a socket/,
      )
      assert.equal(await fs.readFile(notSocket, 'utf8'), 'keep me')
      assert.deepEqual(await fs.readdir(instanceDir), [])
    })

    it('a server-mode stream NIC listens where the network driver said, with no switch up, over a stale socket', { timeout: 60_000 }, async () => {
      const id = '5e1f0000-0000-4000-8000-00000000ee01'
      const instanceDir = path.join(dataDir, 'instances', id)
      await fs.mkdir(instanceDir, { recursive: true })
      const socketPath = path.join(dataDir, 'net', 'p1.sock')
      await fs.mkdir(path.dirname(socketPath), { recursive: true })
      // A socket file left behind by an earlier process (bound, never unlinked; nobody listens on it any more).
      childProcess.execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', socketPath])
      assert.ok((await fs.lstat(socketPath)).isSocket())
      try {
        await driver.spawn(
          { id, name: 'nic', vcpus: 1, memoryMb: 256, instanceDir, rootDisk: { baseImage: IMAGE, baseFormat: 'qcow2', sizeGb: 0 }, nics: [{ mac: 'fa:16:3e:00:00:05', backend: { type: 'stream', socketPath, server: true } }] },
          { powerOn: true },
        )
        // QEMU is the server: a client (the switch) can connect.
        await new Promise<void>((resolve, reject) => {
          const c = net.connect(socketPath, () => {
            c.destroy()
            resolve()
          })
          c.once('error', reject)
        })
      } finally {
        await driver.destroy(id, { keepDisks: false })
      }
      assert.equal(await fs.lstat(socketPath).catch(() => undefined), undefined, 'destroy removes the NIC socket')
    })

    it('refuses image properties it cannot honour before creating anything', async () => {
      const id = '5e1f0000-0000-4000-8000-0000000bad02'
      const instanceDir = path.join(dataDir, 'instances', id)
      await fs.mkdir(instanceDir, { recursive: true })
      await assert.rejects(
        driver.spawn({ id, name: 'bad', vcpus: 1, memoryMb: 256, instanceDir, rootDisk: { baseImage: IMAGE, baseFormat: 'qcow2', sizeGb: 0 }, nics: [], imageProperties: { hw_machine_type: 'virt' } }, { powerOn: true }),
        /hw_machine_type=virt/,
      )
      assert.deepEqual(await fs.readdir(instanceDir), [])
    })
  })
})
