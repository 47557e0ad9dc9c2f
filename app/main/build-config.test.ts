import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

/**
 * electron-builder.yml, checked without building an installer (that needs Electron's binary, which CI cannot
 * download): electron-builder's own loader and schema validation, then what the installers need to hold.
 */
const ROOT = path.resolve(__dirname, '../../..')
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; productName: string; dependencies: Record<string, string> }

interface Target {
  target: string
  arch?: string | string[]
}
interface BuilderConfig {
  appId: string
  productName: string
  directories: { buildResources: string; output: string }
  /** Normalised by getConfig into file sets: [{ filter: [...] }]. */
  files: (string | { from?: string; filter?: string[] })[]
  extraResources: ({ from: string; to: string; filter?: string[] } | string)[]
  asarUnpack: string[]
  linux: { target: (string | Target)[]; icon: string }
  deb: { depends: string[] }
  mac: { target: (string | Target)[]; icon: string }
  win: { target: string | (string | Target)[]; icon: string }
  [key: string]: unknown
}

// electron-builder's internals (devDependencies; loaded at run time so that the typecheck does not depend on them).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const builder = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, fromOptions: unknown): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DebugLogger } = require('builder-util/out/DebugLogger') as { DebugLogger: new (enabled: boolean) => unknown }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { decodePng } = require(path.join(ROOT, 'scripts/make-icons.js')) as { decodePng(buf: Buffer): { width: number; height: number } }

const targetsOf = (t: string | (string | Target)[]) => (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? { target: x } : x))

describe('electron-builder.yml', () => {
  let config: BuilderConfig
  const resource = (p: string) => path.join(ROOT, config.directories.buildResources, p)

  before(async () => {
    config = await builder.getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null)
  })

  it("passes electron-builder's own schema validation (offline, no Electron binary needed)", async () => {
    await builder.validateConfiguration(config, new DebugLogger(false))
    // and the validation is real: a wrong value is refused
    const broken = JSON.parse(JSON.stringify(config)) as BuilderConfig
    broken.mac.target = 42 as unknown as Target[]
    await assert.rejects(builder.validateConfiguration(broken, new DebugLogger(false)), /configuration\.mac\.target/)
  })

  it('names the app like package.json', () => {
    assert.equal(config.appId, 'dev.stackling.app')
    assert.equal(config.productName, pkg.productName)
    assert.equal(config.productName, 'Stackling')
  })

  it('builds an AppImage and a .deb that depends on QEMU (with the default dependencies kept)', () => {
    assert.deepEqual(targetsOf(config.linux.target).map((t) => t.target).sort(), ['AppImage', 'deb'])
    for (const dep of ['qemu-system-x86', 'qemu-utils', 'libgtk-3-0', 'libnss3']) assert.ok(config.deb.depends.includes(dep), dep)
  })

  it('builds an NSIS installer for Windows and a dmg for macOS on x64 and arm64', () => {
    assert.deepEqual(targetsOf(config.win.target).map((t) => t.target), ['nsis'])
    const mac = targetsOf(config.mac.target)
    assert.deepEqual(mac.map((t) => t.target), ['dmg'])
    assert.deepEqual([mac[0]!.arch].flat().sort(), ['arm64', 'x64'])
  })

  it('has an icon for every target: a folder of PNG sizes up to 512 (Linux), .ico (Windows), .icns (macOS)', () => {
    const dir = resource(config.linux.icon)
    assert.ok(statSync(dir).isDirectory(), dir)
    const sizes = readdirSync(dir)
      .filter((f) => /^\d+x\d+\.png$/.test(f))
      .map((f) => {
        const { width, height } = decodePng(readFileSync(path.join(dir, f)))
        assert.equal(`${width}x${height}.png`, f, 'the file name says its size')
        return width
      })
    assert.ok(sizes.includes(512) && sizes.includes(256) && sizes.includes(16), `sizes: ${sizes}`)
    assert.equal(decodePng(readFileSync(path.join(ROOT, 'resources/icon.png'))).width, 512, 'the window icon')

    // .ico: ICONDIR (reserved 0, type 1, count), then 16-byte entries pointing at whole PNGs; one must be 256.
    const ico = readFileSync(resource(config.win.icon))
    assert.equal(ico.readUInt16LE(0), 0)
    assert.equal(ico.readUInt16LE(2), 1)
    const icoSizes: number[] = []
    for (let i = 0; i < ico.readUInt16LE(4); i++) {
      const e = 6 + 16 * i
      const png = decodePng(ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8)))
      assert.equal(png.width, ico[e] || 256)
      icoSizes.push(png.width)
    }
    assert.ok(icoSizes.includes(256) && icoSizes.includes(16), `ico sizes: ${icoSizes}`)

    // .icns: 'icns' + total length, then (OSType, length, PNG) entries; 512 (ic09) is the one electron-builder wants.
    const icns = readFileSync(resource(config.mac.icon))
    assert.equal(icns.toString('latin1', 0, 4), 'icns')
    assert.equal(icns.readUInt32BE(4), icns.length)
    const types = new Map<string, number>()
    for (let off = 8; off < icns.length; off += icns.readUInt32BE(off + 4)) {
      types.set(icns.toString('latin1', off, off + 4), decodePng(icns.subarray(off + 8, off + icns.readUInt32BE(off + 4))).width)
    }
    assert.equal(types.get('ic09'), 512)
    assert.equal(types.get('ic07'), 128)
  })

  it('ships what it lists: build output, the window icon, the docs and the guest image', () => {
    const patterns = config.files.flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])))
    assert.ok(patterns.includes('build/app/**/*') && patterns.includes('resources/icon.png'))
    for (const pattern of patterns.filter((f) => !f.startsWith('!') && !f.startsWith('node_modules'))) {
      const fixed = pattern.split('/').filter((s) => !s.includes('*')).join('/')
      assert.ok(existsSync(path.join(ROOT, fixed)), `files: ${pattern} (run npm run build)`)
    }
    for (const r of config.extraResources) {
      const entry = typeof r === 'string' ? { from: r, to: r } : r
      assert.ok(existsSync(path.join(ROOT, entry.from)), `extraResources: ${entry.from}`)
      for (const f of entry.filter ?? []) assert.ok(existsSync(path.join(ROOT, entry.from, f)), `extraResources: ${entry.from}/${f} (npm run build:guest-image)`)
    }
    const guest = config.extraResources.find((r) => typeof r !== 'string' && r.to === 'guest-image')
    assert.ok(guest, 'the guest image is an extra resource (QEMU cannot read inside app.asar)')
    // native helpers: each native/<helper>/ must be shipped outside the asar too (none exists yet)
    const helpers = readdirSync(path.join(ROOT, 'native'), { withFileTypes: true }).filter((d) => d.isDirectory())
    for (const h of helpers) {
      assert.ok(config.extraResources.some((r) => typeof r !== 'string' && r.from.startsWith(`native/${h.name}`)), `native/${h.name} is not in extraResources`)
    }
  })

  it('unpacks native modules from the asar (sqlite3, node-pty and its helper programs)', () => {
    assert.ok(config.asarUnpack.includes('**/*.node'))
    if ('node-pty' in pkg.dependencies) {
      assert.ok(config.asarUnpack.some((p) => p.startsWith('node_modules/node-pty/prebuilds')), 'node-pty helpers (spawn-helper, winpty-agent.exe)')
    }
    assert.ok('sqlite3' in pkg.dependencies)
  })
})
