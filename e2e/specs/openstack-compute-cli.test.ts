import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'

const MARKERS = JSON.parse(readFileSync(path.resolve(__dirname, '../../../resources/guest-image/markers.json'), 'utf8')) as { boot: string; ready: string; userData: string }

/** QEMU processes of one instance (the driver names them stackling-<id>). */
function qemuPids(instanceId: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `stackling-${instanceId}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Real QEMU (TCG here) under the unmodified openstack CLI, on the built stackling-tiny image. */
describe('openstack server commands on real QEMU guests', () => {
  let cloud: RunningCloud
  let dataDir: string
  let work: string
  const demo = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const run = (args: string[], name = 'stackling-demo') => openstack(cloud.cloudsYaml, ['--os-cloud', name, ...args])
  const consoleHas = async (server: string, text: string, timeoutMs = 90_000) => {
    const end = Date.now() + timeoutMs
    let out = ''
    while (Date.now() < end) {
      const r = await run(['console', 'log', 'show', server])
      out = r.stdout
      if (out.includes(text)) return out
      await sleep(1000)
    }
    throw new Error(`console of ${server} never showed ${text}:\n${out.slice(-2000)}`)
  }
  const status = async (server: string) => (await demo(['server', 'show', server])).status as string
  const waitStatus = async (server: string, want: string, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs
    let s = ''
    while (Date.now() < end) {
      s = await status(server)
      if (s === want) return
      await sleep(500)
    }
    throw new Error(`${server} stayed ${s}, never ${want}`)
  }

  before(async () => {
    if (!existsSync(path.resolve(__dirname, '../../guest-image/stackling-tiny.qcow2'))) {
      throw new Error('the guest image is not built: run `npm run build:guest-image` first')
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-compute-e2e-'))
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-compute-work-'))
    cloud = await startTestCloud({ dataDir })
  })
  after(async () => {
    await cloud?.stop({ keep: true })
    // Whatever a failed test left: no guest outlives the suite.
    try {
      execFileSync('pkill', ['-9', '-f', `stackling-.*${path.basename(dataDir)}|${dataDir}`])
    } catch {
      /* none left */
    }
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(work, { recursive: true, force: true })
  })

  it('boots stackling-tiny with --wait, runs user data, and shows the markers in the console log', async () => {
    const ud = path.join(work, 'ud.sh')
    writeFileSync(ud, '#!/bin/sh\necho USERDATA-RAN-$(hostname)\n')
    const s = await demo(['server', 'create', '--image', 'stackling-tiny', '--flavor', 'm1.tiny', '--user-data', ud, '--wait', 'vm1'])
    assert.equal(s.status, 'ACTIVE')
    await consoleHas('vm1', MARKERS.boot)
    const out = await consoleHas('vm1', `${MARKERS.ready} hostname=vm1`)
    assert.match(out, /USERDATA-RAN-vm1/)
    const pids = qemuPids(s.id)
    assert.equal(pids.length, 1)
    const argv = readFileSync(`/proc/${pids[0]}/cmdline`, 'utf8').split('\0')
    assert.match(path.basename(argv[0]!), /^qemu-system-/, 'QEMU itself, not a shell')
    assert.ok(!argv.includes('-c') && !argv.some((a) => /^(ba|da)?sh$/.test(path.basename(a))), 'no shell in the command line')
  })

  it('stops, starts, reboots, pauses, resumes, suspends and resumes', async () => {
    for (const [cmd, want] of [
      [['server', 'stop', 'vm1'], 'SHUTOFF'],
      [['server', 'start', 'vm1'], 'ACTIVE'],
      [['server', 'reboot', '--hard', 'vm1'], 'ACTIVE'],
      [['server', 'pause', 'vm1'], 'PAUSED'],
      [['server', 'unpause', 'vm1'], 'ACTIVE'],
      [['server', 'suspend', 'vm1'], 'SUSPENDED'],
      [['server', 'resume', 'vm1'], 'ACTIVE'],
    ] as const) {
      const r = await run([...cmd])
      assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`)
      await waitStatus('vm1', want, 120_000)
    }
    const shown = await demo(['server', 'show', 'vm1'])
    assert.ok([1, 'Running'].includes(shown['OS-EXT-STS:power_state']), String(shown['OS-EXT-STS:power_state']))
    const again = await run(['server', 'unpause', 'vm1'])
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /409.*Cannot 'unpause' instance/)
  })

  it('snapshots an instance and boots a new one from the snapshot', async () => {
    const r = await run(['server', 'image', 'create', '--name', 'vm1-snap', '--wait', 'vm1'])
    assert.equal(r.code, 0, r.stderr)
    const img = await demo(['image', 'show', 'vm1-snap'])
    assert.equal(img.status, 'active')
    const s = await demo(['server', 'create', '--image', 'vm1-snap', '--flavor', 'm1.tiny', '--wait', 'vm2'])
    assert.equal(s.status, 'ACTIVE')
    await consoleHas('vm2', `${MARKERS.ready} hostname=vm2`)
  })

  it('re-adopts running guests after the cloud is killed with SIGKILL, and marks a guest killed from outside SHUTOFF', async () => {
    const ids = [(await demo(['server', 'show', 'vm1'])).id as string, (await demo(['server', 'show', 'vm2'])).id as string]
    const before = ids.map((id) => qemuPids(id)[0])
    cloud.process.kill('SIGKILL')
    await new Promise((r) => cloud.process.once('exit', r))
    await sleep(500)
    assert.deepEqual(ids.map((id) => qemuPids(id)[0]), before, 'the guests outlive the cloud')
    cloud = await startTestCloud({ dataDir })
    for (const id of ids) assert.equal(await status(id), 'ACTIVE')
    assert.deepEqual(ids.map((id) => qemuPids(id)[0]), before, 'adopted, not restarted')
    // Still usable: the console still answers and the guest can be stopped through the cloud.
    assert.ok((await run(['console', 'log', 'show', 'vm2'])).stdout.includes(MARKERS.ready))
    process.kill(before[1]!, 'SIGKILL')
    await waitStatus('vm2', 'SHUTOFF', 30_000)
  })

  it('deletes instances and leaves no process and no file behind', async () => {
    const ids = [(await demo(['server', 'show', 'vm1'])).id as string, (await demo(['server', 'show', 'vm2'])).id as string]
    const r = await run(['server', 'delete', '--wait', 'vm1', 'vm2'])
    assert.equal(r.code, 0, r.stderr)
    for (const id of ids) {
      assert.deepEqual(qemuPids(id), [])
      assert.ok(!existsSync(path.join(dataDir, 'instances', id)), 'instance folder removed')
    }
    assert.deepEqual(await demo(['server', 'list']), [])
  })

  it('puts a flavor bigger than the host in ERROR with NoValidHost, and refuses over quota with 403', async () => {
    const demoProject = (await openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling', 'project', 'show', 'demo'])).id
    const setQuota = (quota_set: Record<string, number>) =>
      token(cloud, 'admin').then((t) =>
        fetch(`${cloud.url}/compute/v2.1/os-quota-sets/${demoProject}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': t }, body: JSON.stringify({ quota_set }) }),
      )
    // The quota would refuse it first: lift it so the scheduler is what says no.
    assert.equal((await setQuota({ ram: 200_000_000 })).status, 200)
    const big = await openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling', 'flavor', 'create', '--ram', '99999999', '--vcpus', '1', '--disk', '1', 'enormous'])
    // --wait stops at ERROR (the CLI's exit code for that differs between releases: the status is what counts).
    await run(['server', 'create', '--image', 'stackling-tiny', '--flavor', big.id, '--wait', 'toobig'])
    const shown = await demo(['server', 'show', 'toobig'])
    assert.equal(shown.status, 'ERROR')
    assert.match(JSON.stringify(shown.fault), /No valid host was found/)
    await run(['server', 'delete', '--wait', 'toobig'])

    // `openstack quota set` also calls the volume and network quota APIs, which come with their services.
    assert.equal((await setQuota({ instances: 0 })).status, 200)
    const over = await run(['server', 'create', '--image', 'stackling-tiny', '--flavor', 'm1.tiny', 'over'])
    assert.notEqual(over.code, 0)
    assert.match(over.stderr, /Quota exceeded for instances/)
    assert.match(over.stderr, /403/)
  })
})

function token(cloud: RunningCloud, who: 'admin' | 'demo'): Promise<string> {
  const c = cloud[who]
  return passwordLogin(cloud.url, c.username, c.password, c.project)
}
