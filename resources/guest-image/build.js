#!/usr/bin/env node
// Builds stackling-tiny, the built-in guest image: `npm run build:guest-image [-- --force]`.
//
// Everything that goes into the image comes from Debian packages fetched with `apt-get download` and unpacked with
// `dpkg-deb -x` (recipe.json lists them), so the host's installed versions do not matter and no root is needed:
// the initramfs (cpio newc) is written here, the disk's MBR too, and the FAT partition is filled with mtools.
// Output: build/guest-image/{stackling-tiny.qcow2, stackling-tiny.json, vmlinuz, initrd.img}. The artefacts are
// cached per recipe hash (the files of this folder + the resolved package versions) in
// ${XDG_CACHE_HOME:-~/.cache}/stackling/guest-image/<hash>/; a matching cache entry is copied instead of rebuilt.
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const zlib = require('node:zlib')
const { spawnSync } = require('node:child_process')

const HERE = __dirname
const ROOT = path.resolve(HERE, '../..')
const RECIPE = JSON.parse(fs.readFileSync(path.join(HERE, 'recipe.json'), 'utf8'))
const MARKERS = JSON.parse(fs.readFileSync(path.join(HERE, 'markers.json'), 'utf8'))
const OUT_DIR = path.join(ROOT, 'build', 'guest-image')
const IMAGE_FILE = `${RECIPE.name}.qcow2`
const MANIFEST_FILE = `${RECIPE.name}.json`
const ARTEFACTS = [IMAGE_FILE, 'vmlinuz', 'initrd.img', MANIFEST_FILE] // manifest last: its presence marks completeness

/** Host commands the build runs, and the Debian package that provides each. */
const HOST_TOOLS = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  dpkg: 'dpkg',
  'dpkg-deb': 'dpkg',
  mformat: 'mtools',
  mcopy: 'mtools',
  'qemu-img': 'qemu-utils',
}

class BuildError extends Error {}

const started = Date.now()
const log = (msg) => process.stdout.write(`guest-image: ${msg} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`)

function main() {
  const args = process.argv.slice(2)
  const unknown = args.filter((a) => a !== '--force')
  if (unknown.length) throw new BuildError(`unknown argument ${unknown[0]} (usage: build.js [--force])`)
  const force = args.includes('--force')

  const tools = checkHost()
  const packages = resolvePackages(tools)
  const recipeHash = computeRecipeHash(packages)
  const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'stackling', 'guest-image')
  const entry = path.join(cacheRoot, recipeHash)
  fs.mkdirSync(cacheRoot, { recursive: true })
  removeStaleWorkDirs(cacheRoot)

  let how = 'from cache'
  if (force || !validCacheEntry(entry)) {
    how = 'built'
    const work = path.join(cacheRoot, `.work-${process.pid}`)
    fs.rmSync(work, { recursive: true, force: true })
    fs.mkdirSync(work, { recursive: true })
    try {
      const debs = fetchDebs(tools, packages, path.join(cacheRoot, 'debs'))
      build(tools, packages, debs, recipeHash, work)
      fs.rmSync(entry, { recursive: true, force: true })
      try {
        fs.renameSync(path.join(work, 'out'), entry)
      } catch (e) {
        // Another build of the same recipe finished first: its entry is as good as ours.
        if (!validCacheEntry(entry)) throw e
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true })
    }
    pruneCache(cacheRoot, entry)
  } else {
    log(`recipe ${recipeHash.slice(0, 12)} found in the cache`)
    const now = new Date()
    fs.utimesSync(entry, now, now) // most recently used, for pruneCache
  }

  fs.mkdirSync(OUT_DIR, { recursive: true })
  for (const f of ARTEFACTS) fs.rmSync(path.join(OUT_DIR, f), { force: true })
  for (const f of ARTEFACTS) fs.copyFileSync(path.join(entry, f), path.join(OUT_DIR, f), fs.constants.COPYFILE_FICLONE)
  const manifest = JSON.parse(fs.readFileSync(path.join(OUT_DIR, MANIFEST_FILE), 'utf8'))
  log(`${how}: ${path.join(OUT_DIR, IMAGE_FILE)} (${(manifest.size / 1048576).toFixed(1)} MiB, kernel ${manifest.kernel_version}, recipe ${recipeHash.slice(0, 12)}; cache ${entry})`)
}

// ---------------------------------------------------------------------------------------------------------------
// Host checks and package resolution

function findCommand(cmd) {
  const dirs = (process.env.PATH || '').split(path.delimiter).concat(['/usr/local/sbin', '/usr/sbin', '/sbin'])
  for (const d of dirs) {
    if (!d) continue
    const p = path.join(d, cmd)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {
      // not in this directory
    }
  }
  return undefined
}

function checkHost() {
  if (process.platform !== 'linux') throw new BuildError('the guest image is built on Debian/Ubuntu Linux (it uses apt and dpkg)')
  const tools = {}
  const missing = new Set()
  for (const [cmd, pkg] of Object.entries(HOST_TOOLS)) {
    tools[cmd] = findCommand(cmd)
    if (!tools[cmd]) missing.add(pkg)
  }
  if (missing.size) {
    throw new BuildError(`missing host tools; install them with:\n  sudo apt-get install -y ${[...missing].join(' ')}`)
  }
  const arch = run(tools.dpkg, ['--print-architecture']).trim()
  if (arch !== RECIPE.architecture) throw new BuildError(`the image is ${RECIPE.architecture}; this host's dpkg architecture is ${arch}`)
  return tools
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1048576, ...opts })
  if (r.error) throw new BuildError(`${path.basename(cmd)}: ${r.error.message}`)
  if (r.status !== 0) {
    const err = String(r.stderr || '').trim() || String(r.stdout || '').trim()
    throw new BuildError(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status}):\n${err}`)
  }
  return r.stdout
}

/** `apt-cache show` of the candidate version of each package, as field maps. */
function aptShow(tools, names) {
  const r = spawnSync(tools['apt-cache'], ['show', '--no-all-versions', ...names], { encoding: 'utf8', maxBuffer: 64 * 1048576 })
  const found = new Map()
  for (const para of String(r.stdout || '').split(/\n\s*\n/)) {
    const fields = {}
    let last
    for (const line of para.split('\n')) {
      const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line)
      if (m) fields[(last = m[1])] = m[2]
      else if (last && line.startsWith(' ')) fields[last] += `\n${line}`
    }
    if (fields.Package && !found.has(fields.Package)) found.set(fields.Package, fields)
  }
  const missing = names.filter((n) => !found.has(n))
  if (missing.length) {
    throw new BuildError(`apt knows no candidate for ${missing.join(', ')}: refresh the package lists with \`sudo apt-get update\``)
  }
  return found
}

/** The exact packages (name, version, file, hash) this build uses: the kernel meta-package resolved to its versioned one. */
function resolvePackages(tools) {
  const meta = aptShow(tools, [RECIPE.kernelPackage]).get(RECIPE.kernelPackage)
  const m = /\b(linux-image-[0-9][^\s,(]*)/.exec(meta.Depends || '')
  if (!m) throw new BuildError(`cannot tell which kernel ${RECIPE.kernelPackage} depends on (Depends: ${meta.Depends})`)
  const names = [m[1], ...RECIPE.imagePackages, ...RECIPE.bootPackages]
  const shown = aptShow(tools, names)
  return names.map((name) => {
    const f = shown.get(name)
    return {
      name,
      version: f.Version,
      arch: f.Architecture,
      sha256: f.SHA256,
      source: (f.Source || name).replace(/\s.*/, ''),
      sourceVersion: /\((.*)\)/.exec(f.Source || '')?.[1] || f.Version,
      // Sources compiled into the binary too (the signed kernel is linux's; busybox-static links glibc in).
      builtUsing: [...(f['Built-Using'] || '').matchAll(/([a-z0-9][a-z0-9+.-]*) \(= ([^)]+)\)/g)].map((m) => [m[1], m[2]]),
      // apt-get download's file name: the version's epoch colon is URL-encoded.
      file: `${name}_${f.Version.replace(/:/g, '%3a')}_${f.Architecture}.deb`,
    }
  })
}

function listRecipeFiles(dir = HERE, rel = '') {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...listRecipeFiles(path.join(dir, e.name), r))
    else if (e.isFile() && r !== 'README.md') out.push(r)
  }
  return out
}

function computeRecipeHash(packages) {
  const h = crypto.createHash('sha256')
  for (const f of listRecipeFiles()) {
    h.update(`file ${f}\n`)
    h.update(fs.readFileSync(path.join(HERE, f)))
    h.update('\n')
  }
  for (const p of packages) h.update(`package ${p.name}=${p.version} ${p.sha256}\n`)
  return h.digest('hex')
}

function validCacheEntry(dir) {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'))
    return ARTEFACTS.every((f) => fs.statSync(path.join(dir, f)).isFile()) && sha256File(path.join(dir, IMAGE_FILE)) === manifest.sha256
  } catch {
    return false
  }
}

/** Keeps the current entry and the two most recent others (switching branches should not mean rebuilding). */
function pruneCache(cacheRoot, current) {
  const entries = fs
    .readdirSync(cacheRoot)
    .filter((n) => /^[0-9a-f]{64}$/.test(n) && path.join(cacheRoot, n) !== current)
    .map((n) => ({ p: path.join(cacheRoot, n), t: fs.statSync(path.join(cacheRoot, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
  for (const e of entries.slice(2)) fs.rmSync(e.p, { recursive: true, force: true })
}

function removeStaleWorkDirs(cacheRoot) {
  for (const name of fs.readdirSync(cacheRoot)) {
    const m = /^\.work-(\d+)$/.exec(name)
    if (!m) continue
    try {
      process.kill(Number(m[1]), 0)
    } catch (e) {
      // ESRCH: that build is gone (EPERM: a live process of another user).
      if (e.code === 'ESRCH') fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true })
    }
  }
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** Downloads the missing .debs into the deb cache, checks each against apt's SHA256, drops debs no longer used. */
function fetchDebs(tools, packages, debDir) {
  fs.mkdirSync(debDir, { recursive: true })
  const ok = (p) => {
    try {
      return sha256File(path.join(debDir, p.file)) === p.sha256
    } catch {
      return false
    }
  }
  const missing = packages.filter((p) => !ok(p))
  if (missing.length) {
    log(`downloading ${missing.map((p) => `${p.name}=${p.version}`).join(' ')}`)
    // As root apt downloads as the _apt user, who may not be able to write here (a home directory): stay root.
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : []
    const r = spawnSync(tools['apt-get'], [...sandbox, '-q', 'download', ...missing.map((p) => `${p.name}=${p.version}`)], {
      cwd: debDir,
      encoding: 'utf8',
    })
    if (r.status !== 0) {
      throw new BuildError(`apt-get download failed (exit ${r.status}); if the versions are gone from the mirror, run \`sudo apt-get update\`:\n${r.stderr}`)
    }
    for (const p of missing) if (!ok(p)) throw new BuildError(`${p.file}: missing or its SHA256 differs from apt's after the download`)
  }
  const keep = new Set(packages.map((p) => p.file))
  for (const f of fs.readdirSync(debDir)) if (f.endsWith('.deb') && !keep.has(f)) fs.rmSync(path.join(debDir, f))
  return new Map(packages.map((p) => [p.name, path.join(debDir, p.file)]))
}

// ---------------------------------------------------------------------------------------------------------------
// The build

function build(tools, packages, debs, recipeHash, work) {
  const x = path.join(work, 'x')
  const out = path.join(work, 'out')
  fs.mkdirSync(out, { recursive: true })
  fs.mkdirSync(x, { recursive: true })
  for (const p of packages) run(tools['dpkg-deb'], ['-x', debs.get(p.name), path.join(x, p.name)])
  log('packages unpacked')

  const kernelPkg = packages[0]
  const kdir = path.join(x, kernelPkg.name)
  const kver = fs.readdirSync(path.join(kdir, 'lib', 'modules'))[0]
  fs.copyFileSync(path.join(kdir, 'boot', `vmlinuz-${kver}`), path.join(out, 'vmlinuz'))

  const root = new CpioTree()
  addBaseTree(root, x)
  addModules(root, kdir, kver)
  addDropbear(root, x)
  addRecipeFiles(root, kver, recipeHash)
  const initrd = zlib.gzipSync(root.toBuffer(RECIPE.sourceDateEpoch), { level: 9 })
  fs.writeFileSync(path.join(out, 'initrd.img'), initrd)
  log(`initramfs: ${root.entries.size} entries, ${(initrd.length / 1048576).toFixed(1)} MiB gzip`)

  const disk = path.join(work, 'disk.img')
  buildDisk(tools, x, out, work, disk, recipeHash)
  const image = path.join(out, IMAGE_FILE)
  run(tools['qemu-img'], ['convert', '-f', 'raw', '-O', 'qcow2', disk, image])
  const info = JSON.parse(run(tools['qemu-img'], ['info', '--output=json', image]))
  log('disk converted to qcow2')

  const data = fs.readFileSync(image)
  const hash = (alg) => crypto.createHash(alg).update(data).digest('hex')
  const manifest = {
    name: RECIPE.name,
    disk_format: 'qcow2',
    container_format: 'bare',
    file: IMAGE_FILE,
    size: data.length,
    virtual_size: info['virtual-size'],
    sha256: hash('sha256'),
    md5: hash('md5'),
    sha512: hash('sha512'),
    min_ram: 128,
    min_disk: 0,
    kernel_version: kver,
    kernel_file: 'vmlinuz',
    initrd_file: 'initrd.img',
    kernel_cmdline: RECIPE.cmdline,
    recipe_hash: recipeHash,
    built_at: new Date().toISOString(),
    packages: Object.fromEntries(packages.map((p) => [p.name, p.version])),
    source_packages: Object.fromEntries(packages.flatMap((p) => [[p.source, p.sourceVersion], ...p.builtUsing])),
    markers: MARKERS,
    properties: {
      hw_architecture: 'x86_64',
      os_distro: RECIPE.name,
      os_type: 'linux',
      os_version: recipeHash.slice(0, 12),
      os_admin_user: 'root',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_machine_type: 'pc',
      hw_firmware_type: 'bios',
      hw_rng_model: 'virtio',
      img_config_drive: 'optional',
    },
  }
  fs.writeFileSync(path.join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
}

/** busybox with a link per applet, the directories and device nodes the kernel needs before devtmpfs is mounted. */
function addBaseTree(root, x) {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'run', 'root', 'var', 'mnt', 'lib', 'lib64']) root.dir(d)
  root.dir('tmp', 0o1777)
  root.symlink('var/run', '/run')
  root.dir('var/log')
  root.node('dev/console', 0o600, 5, 1)
  root.node('dev/null', 0o666, 1, 3)
  const busybox = path.join(x, 'busybox-static', 'bin', 'busybox')
  root.file('bin/busybox', fs.readFileSync(busybox), 0o755)
  const applets = run(busybox, ['--list-full']).split('\n').filter(Boolean)
  for (const a of applets) if (a !== 'bin/busybox') root.symlink(a, '/bin/busybox')
  root.symlink('init', '/sbin/init')
  // busybox calls these mke2fs and mkdosfs; the usual names as well.
  root.file('sbin/mkfs.ext2', '#!/bin/sh\nexec mke2fs "$@"\n', 0o755)
  root.file('sbin/mkfs.vfat', '#!/bin/sh\nexec mkdosfs "$@"\n', 0o755)
}

/** The recipe's module groups with their dependencies (read from each .ko), in load order, plus a modules.dep. */
function addModules(root, kdir, kver) {
  const mdir = path.join(kdir, 'lib', 'modules', kver)
  const byName = new Map()
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ko')) byName.set(normModule(e.name.slice(0, -3)), path.relative(mdir, p))
    }
  }
  walk(path.join(mdir, 'kernel'))
  const info = new Map()
  const ordered = []
  const visit = (name, chain) => {
    const n = normModule(name)
    if (info.has(n)) return
    if (chain.includes(n)) throw new BuildError(`module dependency cycle: ${[...chain, n].join(' → ')}`)
    const rel = byName.get(n)
    if (!rel) throw new BuildError(`kernel ${kver} has no module ${name} (wanted by ${chain.join(' → ') || 'recipe.json'})`)
    const data = fs.readFileSync(path.join(mdir, rel))
    const depends = modinfoField(data, 'depends')
    for (const d of depends) visit(d, [...chain, n])
    info.set(n, { rel, data, depends: depends.map(normModule) })
    ordered.push(n)
  }
  const loaded = new Set()
  for (const [group, wanted] of Object.entries(RECIPE.modules)) {
    for (const w of wanted) visit(w, [])
    // A group lists every module it needs that an earlier group has not loaded, dependencies first.
    const list = ordered.filter((n) => !loaded.has(n))
    list.forEach((n) => loaded.add(n))
    root.file(`etc/stackling/modules.${group}`, `${list.map((n) => path.basename(info.get(n).rel, '.ko')).join('\n')}\n`)
  }
  const allDeps = (n, acc = []) => {
    for (const d of info.get(n).depends) if (!acc.includes(d)) allDeps(d, acc), acc.push(d)
    return acc
  }
  const dep = []
  for (const n of ordered) {
    const { rel, data } = info.get(n)
    root.file(`lib/modules/${kver}/${rel}`, data)
    // modules.dep lists dependencies in unload order (modprobe loads them last to first).
    dep.push(`${rel}:${allDeps(n).reverse().map((d) => ` ${info.get(d).rel}`).join('')}`)
  }
  root.file(`lib/modules/${kver}/modules.dep`, `${dep.join('\n')}\n`)
  for (const f of ['modules.builtin', 'modules.order']) {
    const p = path.join(mdir, f)
    if (fs.existsSync(p)) root.file(`lib/modules/${kver}/${f}`, fs.readFileSync(p))
  }
}

function normModule(name) {
  return name.replace(/-/g, '_')
}

/** Values of one field in a module's .modinfo strings ("depends=a,b"). */
function modinfoField(data, field) {
  const key = Buffer.from(`\0${field}=`)
  const at = data.indexOf(key)
  if (at < 0) return []
  const start = at + key.length
  const value = data.subarray(start, data.indexOf(0, start)).toString('latin1')
  return value.split(',').filter(Boolean)
}

/** dropbear is linked dynamically: the binaries, every library they need (from the recipe's packages) and the loader. */
function addDropbear(root, x) {
  const libs = new Map() // soname → file in an unpacked package
  for (const pkg of RECIPE.imagePackages) {
    for (const d of ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']) {
      const dir = path.join(x, pkg, d)
      if (!fs.existsSync(dir)) continue
      for (const name of fs.readdirSync(dir)) if (/\.so(\.|$)/.test(name) && !libs.has(name)) libs.set(name, path.join(dir, name))
    }
  }
  const added = new Set()
  const addLib = (soname, by) => {
    if (added.has(soname)) return
    const file = libs.get(soname)
    if (!file) throw new BuildError(`${by} needs ${soname}, which no package in recipe.json imagePackages ships: add its package`)
    const data = readInTree(path.join(x), file)
    added.add(soname)
    root.file(`lib/x86_64-linux-gnu/${soname}`, data, 0o755)
    for (const n of elfInfo(data).needed) addLib(n, soname)
  }
  for (const rel of RECIPE.dropbearFiles) {
    const data = fs.readFileSync(path.join(x, 'dropbear-bin', rel))
    const elf = elfInfo(data)
    root.file(rel, data, 0o755)
    for (const n of elf.needed) addLib(n, rel)
    if (elf.interp) {
      addLib(path.basename(elf.interp), rel)
      if (elf.interp !== `/lib/x86_64-linux-gnu/${path.basename(elf.interp)}`) {
        root.symlink(elf.interp.slice(1), `/lib/x86_64-linux-gnu/${path.basename(elf.interp)}`)
      }
    }
  }
  root.symlink('usr/bin/ssh', 'dbclient')
}

/** Reads a file of an unpacked package, following symlinks inside the unpacked tree (absolute ones included). */
function readInTree(treeRoot, file) {
  let p = file
  for (let i = 0; i < 16; i++) {
    const st = fs.lstatSync(p)
    if (!st.isSymbolicLink()) return fs.readFileSync(p)
    const target = fs.readlinkSync(p)
    if (!target.startsWith('/')) p = path.join(path.dirname(p), target)
    else {
      // An absolute target names a path inside the same package.
      const pkgRoot = path.join(treeRoot, path.relative(treeRoot, p).split(path.sep)[0])
      p = path.join(pkgRoot, target)
    }
  }
  throw new BuildError(`${file}: too many symlinks`)
}

/** DT_NEEDED entries and PT_INTERP of a 64-bit little-endian ELF file. */
function elfInfo(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new BuildError('not a 64-bit little-endian ELF file')
  const phoff = Number(buf.readBigUInt64LE(0x20))
  const phentsize = buf.readUInt16LE(0x36)
  const phnum = buf.readUInt16LE(0x38)
  const loads = []
  let dynamic
  let interp
  for (let k = 0; k < phnum; k++) {
    const o = phoff + k * phentsize
    const type = buf.readUInt32LE(o)
    const offset = Number(buf.readBigUInt64LE(o + 8))
    const vaddr = Number(buf.readBigUInt64LE(o + 16))
    const filesz = Number(buf.readBigUInt64LE(o + 32))
    if (type === 1) loads.push({ offset, vaddr, filesz })
    else if (type === 2) dynamic = { offset, filesz }
    else if (type === 3) interp = buf.toString('latin1', offset, offset + filesz).replace(/\0.*$/s, '')
  }
  if (!dynamic) return { needed: [], interp }
  const neededOffsets = []
  let strtab
  for (let o = dynamic.offset; o + 16 <= dynamic.offset + dynamic.filesz; o += 16) {
    const tag = Number(buf.readBigInt64LE(o))
    const val = Number(buf.readBigUInt64LE(o + 8))
    if (tag === 0) break
    if (tag === 1) neededOffsets.push(val)
    else if (tag === 5) strtab = val
  }
  const seg = loads.find((l) => strtab >= l.vaddr && strtab < l.vaddr + l.filesz)
  if (strtab === undefined || !seg) throw new BuildError('ELF file without a loadable string table')
  const base = strtab - seg.vaddr + seg.offset
  const cstr = (off) => buf.toString('latin1', base + off, buf.indexOf(0, base + off))
  return { needed: neededOffsets.map(cstr), interp }
}

/** The files of rootfs/ and those generated from the recipe (marker names, build facts). */
function addRecipeFiles(root, kver, recipeHash) {
  const rootfs = path.join(HERE, 'rootfs')
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      const p = path.join(d, e.name)
      if (e.isDirectory()) {
        root.dir(r)
        walk(p, r)
      } else {
        const data = fs.readFileSync(p)
        // Scripts are executable whatever the checkout did to file modes.
        root.file(r, data, data.subarray(0, 2).toString() === '#!' ? 0o755 : 0o644)
      }
    }
  }
  walk(rootfs, '')
  const shellName = (k) => `STACKLING_MARK_${k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`
  const markers = Object.entries(MARKERS).map(([k, v]) => `${shellName(k)}='${v}'`)
  root.file('etc/stackling/markers.sh', `# generated from resources/guest-image/markers.json\n${markers.join('\n')}\n`)
  root.file(
    'etc/os-release',
    `NAME="Stackling tiny"\nID=${RECIPE.name}\nVERSION_ID=${recipeHash.slice(0, 12)}\nPRETTY_NAME="Stackling tiny (${kver})"\nHOME_URL="https://github.com/stackling"\n`,
  )
  root.dir('root/.ssh', 0o700)
  root.dir('etc/dropbear', 0o700)
}

/** MBR + one FAT16 partition (syslinux, kernel, initramfs) as a raw disk image. */
function buildDisk(tools, x, out, work, disk, recipeHash) {
  const diskBytes = RECIPE.diskMiB * 1048576
  const partStart = 2048 // sectors: 1 MiB alignment
  const partSectors = diskBytes / 512 - partStart
  const part = path.join(work, 'part.img')
  fs.writeFileSync(part, '')
  fs.truncateSync(part, partSectors * 512)
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(RECIPE.sourceDateEpoch), MTOOLS_SKIP_CHECK: '1', LC_ALL: 'C' }
  // FAT16 (mformat picks it for this size); -H: the partition's offset, which the boot sector needs to find itself.
  const geometry = ['-T', String(partSectors), '-h', '255', '-s', '63', '-H', String(partStart)]
  run(tools.mformat, ['-i', part, ...geometry, '-v', 'STACKLING', '-N', recipeHash.slice(0, 8), '::'], { env })
  const cfg = path.join(work, 'syslinux.cfg')
  fs.writeFileSync(cfg, ['SERIAL 0 115200', 'DEFAULT linux', 'PROMPT 0', 'TIMEOUT 0', 'LABEL linux', '  KERNEL vmlinuz', '  INITRD initrd.img', `  APPEND ${RECIPE.cmdline}`, ''].join('\n'))
  for (const [src, name] of [[path.join(out, 'vmlinuz'), 'vmlinuz'], [path.join(out, 'initrd.img'), 'initrd.img'], [cfg, 'syslinux.cfg']]) {
    run(tools.mcopy, ['-i', part, src, `::/${name}`], { env })
  }
  // The unpacked syslinux (the mtools installer): the boot loader in the image is the recipe's, not the host's.
  run(path.join(x, 'syslinux', 'usr', 'bin', 'syslinux'), ['--install', part], { env })

  const mbrCode = fs.readFileSync(path.join(x, 'syslinux-common', 'usr', 'lib', 'syslinux', 'mbr', 'mbr.bin'))
  const mbr = Buffer.alloc(512)
  mbrCode.copy(mbr, 0, 0, Math.min(440, mbrCode.length))
  Buffer.from(recipeHash.slice(8, 16), 'hex').copy(mbr, 440) // disk signature
  const e = 446
  mbr[e] = 0x80 // bootable
  chs(partStart).copy(mbr, e + 1)
  mbr[e + 4] = 0x06 // FAT16 (> 32 MiB)
  chs(partStart + partSectors - 1).copy(mbr, e + 5)
  mbr.writeUInt32LE(partStart, e + 8)
  mbr.writeUInt32LE(partSectors, e + 12)
  mbr[510] = 0x55
  mbr[511] = 0xaa

  const fd = fs.openSync(disk, 'w')
  try {
    fs.writeSync(fd, mbr, 0, 512, 0)
    const src = fs.openSync(part, 'r')
    try {
      const chunk = Buffer.alloc(1048576)
      for (let off = 0; ; off += chunk.length) {
        const n = fs.readSync(src, chunk, 0, chunk.length, off)
        if (n === 0) break
        // Leave all-zero chunks as holes: the raw file stays sparse and qemu-img reads less.
        if (chunk.subarray(0, n).some((b) => b !== 0)) fs.writeSync(fd, chunk, 0, n, partStart * 512 + off)
      }
    } finally {
      fs.closeSync(src)
    }
    fs.ftruncateSync(fd, diskBytes)
  } finally {
    fs.closeSync(fd)
  }
  log('boot disk assembled (MBR, FAT16, syslinux)')
}

/** CHS address of an LBA sector for the MBR (255 heads, 63 sectors; clamped beyond 1024 cylinders). */
function chs(lba) {
  const c = Math.floor(lba / (255 * 63))
  if (c > 1023) return Buffer.from([0xfe, 0xff, 0xff])
  const h = Math.floor(lba / 63) % 255
  const s = (lba % 63) + 1
  return Buffer.from([h, s | ((c >> 2) & 0xc0), c & 0xff])
}

// ---------------------------------------------------------------------------------------------------------------

/** An initramfs tree written as a cpio "newc" archive: every file root-owned, parent directories implied. */
class CpioTree {
  constructor() {
    this.entries = new Map()
  }
  dir(p, mode = 0o755) {
    const parts = p.split('/')
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/')
      if (!this.entries.has(parent)) this.entries.set(parent, { type: 0o040000, mode: 0o755 })
    }
    this.entries.set(p, { type: 0o040000, mode })
  }
  file(p, data, mode = 0o644) {
    this.parents(p)
    this.entries.set(p, { type: 0o100000, mode, data: Buffer.isBuffer(data) ? data : Buffer.from(data) })
  }
  symlink(p, target) {
    this.parents(p)
    this.entries.set(p, { type: 0o120000, mode: 0o777, data: Buffer.from(target) })
  }
  node(p, mode, major, minor) {
    this.parents(p)
    this.entries.set(p, { type: 0o020000, mode, rdev: [major, minor] })
  }
  parents(p) {
    const d = path.posix.dirname(p)
    if (d !== '.' && !this.entries.has(d)) this.dir(d)
  }
  toBuffer(mtime) {
    const chunks = []
    let ino = 1
    const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4)
    let size = 0
    const push = (b) => {
      chunks.push(b)
      size += b.length
    }
    const entry = (name, e) => {
      const data = e.data || Buffer.alloc(0)
      const [rmaj, rmin] = e.rdev || [0, 0]
      const fields = [ino++, e.type | e.mode, 0, 0, e.type === 0o040000 ? 2 : 1, mtime, data.length, 0, 0, rmaj, rmin, Buffer.byteLength(name) + 1, 0]
      const header = `070701${fields.map((v) => v.toString(16).padStart(8, '0')).join('')}`
      push(Buffer.from(header))
      push(Buffer.from(`${name}\0`))
      push(pad(size))
      push(data)
      push(pad(size))
    }
    // Sorted so that each directory precedes its contents.
    for (const name of [...this.entries.keys()].sort()) entry(name, this.entries.get(name))
    entry('TRAILER!!!', { type: 0, mode: 0 })
    return Buffer.concat(chunks)
  }
}

try {
  main()
} catch (e) {
  if (e instanceof BuildError) {
    process.stderr.write(`guest-image: ${e.message}\n`)
    process.exit(2)
  }
  throw e
}
