import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AcceleratorChoice } from '../cloud/drivers/hypervisor/qemu/accelerator'
import { adviceFor, CHECK_IDS, OS_FAMILIES } from './advice'
import { formatReport, runDoctor, type DoctorReport } from './doctor'
import { localHost, which, type DoctorHost, type OsFamily } from './host'
import { troubleshootingMarkdown } from './troubleshooting'

const GiB = 1024 ** 3
const ROOT = path.resolve(__dirname, '../../../..')

/** A machine described in code: which programs exist, their versions, the probe's verdict, disk and memory. */
function fakeHost(over: {
  family?: OsFamily
  programs?: Record<string, string>
  accel?: AcceleratorChoice
  freeDisk?: number
  mem?: number
  node?: string
} = {}): DoctorHost & { probed: (string | undefined)[] } {
  const programs = over.programs ?? {
    'qemu-system-x86_64': 'QEMU emulator version 8.2.2',
    'qemu-img': 'qemu-img version 8.2.2',
    openstack: 'openstack 6.0.0',
    swift: 'python-swiftclient 4.4.0',
  }
  const probed: (string | undefined)[] = []
  return {
    probed,
    os: { family: over.family ?? 'debian', label: 'Test OS', platform: 'linux', arch: 'x64' },
    which: async (p) => (p in programs ? `/usr/bin/${p}` : undefined),
    versionOf: async (bin) => programs[path.basename(bin)],
    probeAccelerator: async (_q, override) => {
      probed.push(override)
      return over.accel ?? { accelerator: 'kvm', note: 'kvm (probe guest finished its workload in 80 ms)', probeMs: 90 }
    },
    freeDiskBytes: async () => over.freeDisk ?? 100 * GiB,
    memory: async () => ({ availableBytes: over.mem ?? 8 * GiB, totalBytes: 16 * GiB }),
    nodeVersion: over.node ?? '20.19.0',
  }
}

const byId = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c]))

describe('doctor (injected machine)', () => {
  it('passes on a complete machine, with no advice', async () => {
    const r = await runDoctor(fakeHost(), { dataDir: '/data' })
    assert.equal(r.ok, true)
    assert.deepEqual(r.checks.map((c) => c.id), [...CHECK_IDS])
    for (const c of r.checks) {
      assert.equal(c.status, 'ok', `${c.id}: ${c.summary}`)
      assert.deepEqual(c.advice, [])
    }
    assert.match(byId(r)['qemu-system']!.summary, /8\.2\.2 at \/usr\/bin\/qemu-system-x86_64/)
  })

  it('fails without QEMU, with each failure saying what to install on that OS', async () => {
    const expected: Record<OsFamily, RegExp> = {
      debian: /apt-get install qemu-system-x86 qemu-utils/,
      fedora: /dnf install qemu-system-x86 qemu-img/,
      linux: /pacman|zypper/,
      macos: /brew install qemu/,
      windows: /QEMU for Windows/,
    }
    for (const { family } of OS_FAMILIES) {
      const r = await runDoctor(fakeHost({ family, programs: {} }), { dataDir: '/data' })
      const c = byId(r)
      assert.equal(r.ok, false)
      assert.equal(c['qemu-system']!.status, 'fail')
      assert.equal(c['qemu-img']!.status, 'fail')
      assert.match(c['qemu-system']!.summary, /not installed/)
      assert.match(c['qemu-system']!.advice.join('\n'), expected[family], family)
      assert.equal(c.accelerator!.status, 'skip')
      // the CLIs are optional: a warning with the install line, never a failure
      assert.equal(c['openstack-cli']!.status, 'warn')
      assert.ok(c['openstack-cli']!.advice.length > 0)
      assert.match(formatReport(r), /Missing: QEMU/)
    }
  })

  it('warns when the accelerator probe fell back to TCG, with the OS advice (Windows Home: WHPX or TCG)', async () => {
    const tcg = { accelerator: 'tcg' as const, note: 'tcg (kvm present but unusable: the probe guest did not reach its workload within 1000 ms)', probeMs: 1000 }
    const r = await runDoctor(fakeHost({ accel: tcg }), { dataDir: '/data' })
    assert.equal(r.ok, true, 'TCG works: not a failure')
    assert.equal(byId(r).accelerator!.status, 'warn')
    assert.match(byId(r).accelerator!.summary, /kvm present but unusable/)
    assert.match(adviceFor('accelerator', 'windows').join('\n'), /Windows Home has no Hyper-V.*WHPX.*TCG/s)
    assert.match(adviceFor('accelerator', 'windows').join('\n'), /Hyper-V/)
    // the edition is known on a real Windows (os.version()): only its own lines
    const home = adviceFor('accelerator', 'windows', 'unusable', true).join('\n')
    assert.match(home, /Windows Home has no Hyper-V/)
    assert.doesNotMatch(home, /Pro, Enterprise/)
    const pro = adviceFor('accelerator', 'windows', 'unusable', false).join('\n')
    assert.match(pro, /Pro, Enterprise or Education: turn on "Windows Hypervisor Platform"/)
    assert.doesNotMatch(pro, /Windows Home/)
  })

  it('passes the settings accelerator to the probe; TCG chosen on purpose is fine', async () => {
    const host = fakeHost({ accel: { accelerator: 'tcg', note: 'tcg (chosen by the settings; not probed)', probeMs: 0 } })
    const r = await runDoctor(host, { dataDir: '/data', accelerator: 'tcg' })
    assert.deepEqual(host.probed, ['tcg'])
    assert.equal(byId(r).accelerator!.status, 'ok')
  })

  it('fails on a full disk and little memory, warns when low', async () => {
    const full = await runDoctor(fakeHost({ freeDisk: 0.5 * GiB, mem: 0.25 * GiB }), { dataDir: '/data' })
    assert.equal(full.ok, false)
    assert.equal(byId(full).disk!.status, 'fail')
    assert.equal(byId(full).memory!.status, 'fail')
    assert.match(byId(full).disk!.advice.join(), /--data-dir/)
    const low = await runDoctor(fakeHost({ freeDisk: 3 * GiB, mem: 1 * GiB }), { dataDir: '/data' })
    assert.equal(low.ok, true)
    assert.equal(byId(low).disk!.status, 'warn')
    assert.equal(byId(low).memory!.status, 'warn')
  })

  it('fails on an old Node.js and warns on an old QEMU', async () => {
    const r = await runDoctor(
      fakeHost({ node: '18.19.0', programs: { 'qemu-system-x86_64': 'QEMU emulator version 5.2.0', 'qemu-img': 'qemu-img version 5.2.0' } }),
      { dataDir: '/data' },
    )
    assert.equal(byId(r).node!.status, 'fail')
    assert.equal(byId(r)['qemu-system']!.status, 'warn')
  })

  it('turns a check that throws into a failed check with the reason', async () => {
    const host = fakeHost()
    host.freeDiskBytes = async () => {
      throw new Error('EACCES: permission denied')
    }
    const r = await runDoctor(host, { dataDir: '/data' })
    assert.equal(byId(r).disk!.status, 'fail')
    assert.match(byId(r).disk!.summary, /EACCES/)
  })
})

describe('doctor (this machine)', () => {
  it('finds programs on PATH like a shell, and nothing on an empty PATH', async () => {
    assert.equal(await which('node', { PATH: path.dirname(process.execPath) }), process.execPath)
    assert.equal(await which('node', { PATH: '' }), undefined)
  })

  it('passes here: QEMU and qemu-img are installed (the accelerator may be TCG: a warning at most)', async (t) => {
    if (!(await which('qemu-system-x86_64'))) return t.skip('QEMU is not installed on this machine')
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-doctor-'))
    try {
      const r = await runDoctor(localHost(), { dataDir: path.join(dir, 'not-yet') })
      const c = byId(r)
      assert.equal(c['qemu-system']!.status, 'ok', c['qemu-system']!.summary)
      assert.equal(c['qemu-img']!.status, 'ok')
      assert.notEqual(c.accelerator!.status, 'fail')
      assert.match(c.accelerator!.summary, /^(kvm|hvf|whpx|tcg)/)
      assert.equal(c.disk!.status === 'fail', false, 'the data folder does not exist yet: its nearest parent is measured')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('`serve.js --doctor` with PATH stripped exits 1 and prints each failure with its advice', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-doctor-'))
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'build/app/main/serve.js'), '--doctor', '--data-dir', dir], {
        env: { PATH: '', HOME: dir, STACKLING_TEST: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      })
      assert.equal(r.status, 1, r.stdout + r.stderr)
      assert.match(r.stdout, /\[FAIL\] QEMU \(qemu-system-x86_64\): qemu-system-x86_64 is not installed/)
      assert.match(r.stdout, /\[FAIL\] qemu-img/)
      assert.match(r.stdout, /\[skip\] Hardware acceleration/)
      assert.match(r.stdout, /→ .*(apt-get install qemu-system-x86 qemu-utils|dnf install|pacman)/)
      assert.match(r.stdout, /Missing: QEMU/)
      const json = spawnSync(process.execPath, [path.join(ROOT, 'build/app/main/serve.js'), '--doctor', '--json', '--data-dir', dir], {
        env: { PATH: '', HOME: dir },
        encoding: 'utf8',
        timeout: 30_000,
      })
      const report = JSON.parse(json.stdout) as DoctorReport
      assert.equal(report.ok, false)
      assert.equal(json.status, 1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('docs/troubleshooting.md', () => {
  it('is up to date with the doctor (run `npm run docs:troubleshooting`)', () => {
    const onDisk = readFileSync(path.join(ROOT, 'docs/troubleshooting.md'), 'utf8')
    assert.equal(onDisk, troubleshootingMarkdown())
  })
  it('has a section per check with advice for every OS', () => {
    const md = troubleshootingMarkdown()
    for (const s of ['brew install qemu', 'apt-get install qemu-system-x86 qemu-utils', 'dnf install', 'Windows Home', 'Hyper-V']) assert.ok(md.includes(s), s)
  })
})
