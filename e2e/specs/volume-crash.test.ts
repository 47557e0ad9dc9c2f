import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { GuestShell } from '../fixtures/guest-shell'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Milliseconds after the attach request is sent at which the cloud is killed (STACKLING_CRASH_DELAYS=0,5,15 to override). */
const DELAYS = (process.env.STACKLING_CRASH_DELAYS ?? '0,5,15,40,80').split(',').map(Number)

/**
 * Kills at a phase rather than a time (timings vary with the load of the host), seen from the guest's instance
 * folder: the moment the QEMU driver starts writing its record of the guest's hardware (`.guest.json.*.tmp`
 * appears), and the moment that record is renamed into place (`guest.json`). The driver of 2026-11 writes it after
 * QMP device_add (the disk is in the guest, the record does not say so yet: the first kill) and compute completes
 * the attach after it (the second); a driver that records first (write-ahead) is caught before the hot-plug.
 */
const PHASES = [
  { name: 'the driver starts writing its record (after the hot-plug)', file: (f: string) => /^\.guest\.json\..*\.tmp$/.test(f) },
  { name: 'the driver record is in place, the attach not yet completed', file: (f: string) => f === 'guest.json' },
]

const DISKS = 'for d in /sys/block/vd*; do echo "$(basename $d) $(cat $d/serial 2>/dev/null)"; done'

/**
 * Issue 6: `kill -9` of the cloud during a volume attach, then a restart on the same data dir: the volume service,
 * compute's records and the guest's real hardware must agree — in-use + listed by Nova + a disk with the volume's
 * serial in the guest, or available + not listed + no such disk — and no half-written file stays in the volumes
 * folder. A real guest (QEMU/TCG, stackling-tiny) that outlives every kill (STACKLING_ON_QUIT=keep); each kill
 * lands at another moment of the attach (before the request arrives, reserve, the hot-plug, the driver's record,
 * the completion), each on a fresh blank volume; and one detach is cut off after the unplug. A volume that came back
 * available is then attached normally (nothing of the interrupted attach is left in QEMU to stop it) and detached;
 * an in-use one is detached: the guest ends without any of them. After a state that is not true the server is
 * replaced, so that each kill is judged on its own.
 */
describe('kill -9 of the cloud during a volume attach', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-e2e-crash-'))
  const env = { STACKLING_ON_QUIT: 'keep' }
  let cloud: RunningCloud | undefined
  let token = ''
  let project = ''
  let server = ''
  let shell: GuestShell | undefined
  const volumes: string[] = []

  const call = async (method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(cloud!.url + p, {
      method,
      headers: { 'X-Auth-Token': token, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const login = async () => {
    const c = cloud!
    const res = await fetch(`${c.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: c.demo.username, domain: { id: 'default' }, password: c.demo.password } } },
          scope: { project: { name: c.demo.project, domain: { id: 'default' } } },
        },
      }),
    })
    const text = await res.text()
    assert.equal(res.status, 201, text)
    token = res.headers.get('x-subject-token')!
    project = (JSON.parse(text) as { token: { project: { id: string } } }).token.project.id
  }
  const start = async () => {
    cloud = await startTestCloud({ dataDir, env, timeoutMs: 60_000 })
    await login()
  }
  const logLines = () => readFileSync(path.join(dataDir, 'logs', 'stackling.log'), 'utf8').split('\n')
  /** The guest's shell; opening it waits for compute to be ready (its start, with the reconcile, is over). */
  const inGuest = async (cmd: string) => {
    shell ??= await GuestShell.open(call, server)
    const r = await shell.run(cmd, 60_000)
    assert.equal(r.code, 0, `'${cmd}' failed in the guest: ${r.output}`)
    return r.output.trim()
  }
  /** Device name → serial of every virtio disk the guest has. */
  const guestDisks = async () => new Map((await inGuest(DISKS)).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]))
  const diskFor = (disks: Map<string, string>, volumeId: string) => [...disks].find(([, serial]) => serial === volumeId.slice(0, 20))?.[0]
  const volume = async (id: string) => (await call('GET', `/volume/v3/${project}/volumes/${id}`)).body.volume
  const waitVolume = async (id: string, status: string, timeoutMs = 120_000) => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const v = await volume(id)
      if (v?.status === status) return v
      if (Date.now() > end) assert.fail(`volume ${id} never became ${status}: ${JSON.stringify(v)}`)
      await sleep(300)
    }
  }
  const novaAttachments = async () => {
    const r = await call('GET', `/compute/v2.1/servers/${server}/os-volume_attachments`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body.volumeAttachments as { id: string; volumeId: string; serverId: string; device: string }[]
  }
  /** Waits until the guest has (or lacks) the volume's disk: a hot-plug or an ACPI eject takes a moment. */
  const waitDisk = async (volumeId: string, present: boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const disks = await guestDisks()
      if (!!diskFor(disks, volumeId) === present) return disks
      if (Date.now() > end) assert.fail(`the guest ${present ? 'never showed' : 'kept'} volume ${volumeId}; its disks: ${JSON.stringify([...disks])}`)
      await sleep(500)
    }
  }
  /** The volume ids in the QEMU driver's record of the guest (guest.json, via the driver's registry). */
  const driverRecordVolumes = (): string[] => {
    const record = JSON.parse(readFileSync(path.join(instanceDir(), 'guest.json'), 'utf8')) as { hardware: { volumes: { id: string }[] } }
    return record.hardware.volumes.map((v) => v.id)
  }
  const volumeFiles = () => readdirSync(path.join(dataDir, 'volumes'))
  /** QEMU processes of this test's data dir (the guest, and whatever else the cloud started there). */
  const ourQemus = () =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8')
          return cmd.includes('qemu-system') && cmd.includes(dataDir)
        } catch {
          return false
        }
      })
      .map(Number)

  /** A fresh guest without a NIC (the console is all it needs), up to its shell prompt. */
  const launch = async () => {
    const images = (await call('GET', '/image/v2/images?name=stackling-tiny')).body.images as { id: string }[]
    assert.ok(images.length, 'the stackling-tiny image is there')
    const r = await call('POST', '/compute/v2.1/servers', { server: { name: 'crash', imageRef: images[0]!.id, flavorRef: '42', networks: 'none' } })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    server = r.body.server.id
    const end = Date.now() + 180_000
    for (;;) {
      const s = (await call('GET', `/compute/v2.1/servers/${server}`)).body.server
      if (s.status === 'ACTIVE') break
      if (s.status === 'ERROR' || Date.now() > end) assert.fail(`the server never became ACTIVE: ${JSON.stringify(s)}`)
      await sleep(1000)
    }
    // A disk plugged while the kernel still probes its disks may get another name: attach once the shell is up.
    await inGuest('true')
  }
  const deleteServer = async () => {
    shell?.close()
    shell = undefined
    await call('DELETE', `/compute/v2.1/servers/${server}`).catch(() => undefined)
    const end = Date.now() + 60_000
    while ((await call('GET', `/compute/v2.1/servers/${server}`).catch(() => ({ status: 404 }))).status !== 404 && Date.now() < end) await sleep(500)
    server = ''
  }

  before(async () => {
    await start()
    await launch()
  })

  after(async () => {
    shell?.close()
    shell = undefined
    try {
      if (!cloud || cloud.process.exitCode !== null || cloud.process.signalCode !== null) await start()
      for (const a of await novaAttachments().catch(() => [])) await call('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${a.volumeId}`).catch(() => undefined)
      if (server) await deleteServer()
      for (const id of volumes) {
        const end = Date.now() + 30_000
        while ((await call('DELETE', `/volume/v3/${project}/volumes/${id}`).catch(() => ({ status: 0 }))).status === 409 && Date.now() < end) await sleep(500)
      }
    } finally {
      await cloud?.stop()
      // Never leave a guest behind, whatever went wrong above.
      for (const pid of ourQemus()) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  const instanceDir = () => (JSON.parse(readFileSync(path.join(dataDir, 'hypervisor', 'qemu', 'guests', `${server}.json`), 'utf8')) as { instanceDir: string }).instanceDir

  for (const delay of DELAYS) {
    it(`kill -9 ${delay} ms into an attach, restart: the volume service, compute and the guest agree`, () =>
      crashDuring('attach', `${delay} ms`, async (kill) => {
        await sleep(delay)
        kill()
      }).then(() => undefined),
    )
  }
  /** Kills the cloud as soon as a file of the guest's instance folder that `file` matches changes. */
  const atPhase = (file: (f: string) => boolean) => async (kill: () => void) => {
    let seen: () => void = () => undefined
    const done = new Promise<void>((r) => (seen = r))
    const watcher = watch(instanceDir(), (_event, f) => {
      if (f && file(String(f))) {
        kill()
        seen()
      }
    })
    try {
      // (A request that never got there is killed after a while all the same; the end state is still checked.)
      await Promise.race([done, sleep(15_000)])
      kill()
    } finally {
      watcher.close()
    }
  }
  /**
   * The kill races the cloud (the record's write is quick where fsync is): tries again, each time on a fresh volume
   * and with every check, until the driver record read after the kill shows the phase was hit.
   */
  const untilHit = async (t: { diagnostic(m: string): void }, label: string, attempt: () => Promise<{ recorded: boolean; cutOff: boolean }>, hit: (r: { recorded: boolean; cutOff: boolean }) => boolean) => {
    for (let i = 1; i <= 5; i++) {
      if (hit(await attempt())) {
        t.diagnostic(`${label}: hit on attempt ${i}`)
        return
      }
    }
    t.diagnostic(`${label}: not hit in 5 attempts (the kill always came later); every attempt's state was true`)
  }
  for (const [i, phase] of PHASES.entries()) {
    it(`kill -9 when ${phase.name}, restart: the volume service, compute and the guest agree`, (t) =>
      untilHit(t, phase.name, () => crashDuring('attach', phase.name, atPhase(phase.file)), (r) => r.cutOff && (i === 0 ? !r.recorded : r.recorded)),
    )
  }
  // The mirror image: a detach cut off once QEMU has removed the device (DEVICE_DELETED, blockdev-del) and the
  // driver starts writing its record.
  it('kill -9 during a detach when the guest has let the disk go and the driver starts writing its record: they agree', (t) =>
    untilHit(t, 'detach', () => crashDuring('detach', 'detach: the unplug is done, the driver starts writing its record', atPhase(PHASES[0]!.file)), (r) => r.cutOff && r.recorded),
  )

  /**
   * One attach (or detach of an attached volume) cut off by a kill -9 (`killer` calls kill when it wants), a restart
   * on the same data dir, and the checks. Whatever the outcome, the volume leaves the guest and is deleted after.
   */
  async function crashDuring(op: 'attach' | 'detach', label: string, killer: (kill: () => void, request: Promise<string>) => Promise<void>): Promise<{ recorded: boolean; cutOff: boolean }> {
    const c = await call('POST', `/volume/v3/${project}/volumes`, { volume: { size: 1, name: `crash-${volumes.length}` } })
    assert.equal(c.status, 202, JSON.stringify(c.body))
    const id = c.body.volume.id as string
    volumes.push(id)
    await waitVolume(id, 'available')
    if (op === 'detach') {
      const r = await call('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: id } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      await waitVolume(id, 'in-use')
      await waitDisk(id, true)
    }
    const logBefore = logLines().length

    // The request, and the kill of the whole cloud (not a clean stop) while it is under way.
    const dying = cloud!
    const exited = new Promise((r) => dying.process.once('exit', r))
    const t0 = Date.now()
    let killedAt = -1
    const kill = () => {
      if (killedAt >= 0) return
      dying.process.kill('SIGKILL')
      killedAt = Date.now() - t0
    }
    const request = (
      op === 'attach'
        ? call('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: id } })
        : call('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${id}`)
    ).then(
      (r) => `answered ${r.status} after ${Date.now() - t0} ms`,
      (e: Error) => `cut off (${e.message})`,
    )
    await killer(kill, request)
    await exited
    const answer = await request
    // Evidence of how far it got, read from the data dir while no cloud runs: the hypervisor driver's own record of
    // the guest's hardware (written after the hot-plug or the unplug).
    const recorded = driverRecordVolumes().includes(id)
    shell?.close()
    shell = undefined

    await start()
    const disks = await guestDisks() // opens the console: compute has finished its start
    // The volume service's own start may leave work in flight: wait for a settled status.
    const end = Date.now() + 60_000
    let v = await volume(id)
    while (!['available', 'in-use'].includes(v.status)) {
      if (Date.now() > end) assert.fail(`volume ${id} stays ${v.status} after the restart`)
      await sleep(300)
      v = await volume(id)
    }
    const nova = (await novaAttachments()).filter((a) => a.volumeId === id)
    // A disk nobody records is unplugged by the reconcile (an ACPI eject): give the guest a moment to let it go.
    const inGuestNow = v.status === 'in-use' ? diskFor(disks, id) : diskFor(await waitDisk(id, false, 10_000).catch(() => disks), id)
    const reconciled = logLines()
      .slice(logBefore)
      .map((l) => {
        try {
          return (JSON.parse(l) as { msg?: string }).msg ?? ''
        } catch {
          return ''
        }
      })
      .filter((m) => /volume reconcile|unreserve|attach|unfinished volume files|disk file no record/.test(m))
    const state = JSON.stringify({ killedAfterMs: killedAt, request: answer, driverRecord: recorded, cinder: v.status, attachments: v.attachments, nova, guest: [...disks], reconcile: reconciled })
    console.log(`kill (${label}): ${state}`)

    const problems: string[] = []
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what)
    }
    if (v.status === 'in-use') {
      check(v.attachments.length === 1 && v.attachments[0].server_id === server, 'the volume service has one attachment, to the server')
      check(nova.length === 1, 'Nova lists the attachment')
      check(!!inGuestNow, 'the guest has the disk of an in-use volume')
      check(nova[0]?.device === v.attachments[0]?.device, 'Nova and the volume service name the same device')
      check(!inGuestNow || nova[0]?.device === `/dev/${inGuestNow}`, "the device name is the guest's")
    } else {
      check(v.attachments.length === 0, 'the volume service has no attachment')
      check(nova.length === 0, 'Nova does not list it')
      check(!inGuestNow, `the guest has no disk of an available volume (it has ${inGuestNow})`)
    }
    const files = volumeFiles()
    check(!files.some((f) => f.startsWith('.') || /\.(tmp|part)$/.test(f)), `no half-written files in volumes/ (${files})`)
    check(files.includes(`volume-${id}.raw`) || files.includes(`volume-${id}.qcow2`), `the volume's file is there (${files})`)

    if (problems.length) {
      // A fresh guest before failing (deleting the server releases its volumes and QEMU's hold on them), so that the
      // next kills are judged on their own and not on device names or disks this one left behind.
      await deleteServer()
      await waitVolume(id, 'available').catch(() => undefined)
      await launch()
      assert.fail(`after a kill -9 (${label}) the state is not true: ${problems.join('; ')}\n${state}`)
    }

    // The true state is also a usable one: an available volume attaches (nothing of the cut-off request holds it in
    // QEMU); every volume leaves the guest again.
    if (v.status === 'available') {
      const t1 = Date.now()
      const r = await call('POST', `/compute/v2.1/servers/${server}/os-volume_attachments`, { volumeAttachment: { volumeId: id } })
      assert.equal(r.status, 200, `attach after the restart: ${JSON.stringify(r.body)}`)
      console.log(`an uninterrupted attach took ${Date.now() - t1} ms`)
      await waitVolume(id, 'in-use')
      await waitDisk(id, true)
    }
    const d = await call('DELETE', `/compute/v2.1/servers/${server}/os-volume_attachments/${id}`)
    assert.equal(d.status, 202, JSON.stringify(d.body))
    await waitVolume(id, 'available')
    await waitDisk(id, false)
    assert.deepEqual(await novaAttachments(), [])
    const del = await call('DELETE', `/volume/v3/${project}/volumes/${id}`)
    assert.equal(del.status, 202, JSON.stringify(del.body))
    return { recorded, cutOff: answer.startsWith('cut off') }
  }
})
