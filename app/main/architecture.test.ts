import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Lint zones, checked on the TypeScript sources (this file runs from build/, the sources sit in app/). */
const APP = path.resolve(__dirname, '../../../app')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') || p.endsWith('.tsx') ? [p] : []
  })
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  )
}

describe('architecture', () => {
  it('keeps the cloud free of electron (it runs headless and in tests)', () => {
    for (const f of sources(path.join(APP, 'main/cloud'))) {
      assert.ok(!imports(f).some((i) => i === 'electron' || i.includes('/shell/')), `${path.relative(APP, f)} imports electron`)
    }
  })

  it('never lets one service import another (they talk through clients)', () => {
    const servicesDir = path.join(APP, 'main/cloud/services')
    const services = readdirSync(servicesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    for (const s of services) {
      for (const f of sources(path.join(servicesDir, s))) {
        for (const i of imports(f).filter((x) => x.startsWith('.'))) {
          const target = path.resolve(path.dirname(f), i)
          const rel = path.relative(servicesDir, target)
          const other = rel.split(path.sep)[0]
          assert.ok(rel.startsWith('..') || !services.includes(other!) || other === s, `${path.relative(APP, f)} imports service ${other}`)
        }
      }
    }
  })

  it('keeps the renderer a plain web client (no node, no electron)', () => {
    let dir
    try {
      dir = sources(path.join(APP, 'renderer/src'))
    } catch {
      return
    }
    for (const f of dir.filter((x) => !x.endsWith('.test.ts'))) {
      for (const i of imports(f)) {
        assert.ok(!i.startsWith('node:') && i !== 'electron' && !i.includes('main/cloud'), `${path.relative(APP, f)} imports ${i}`)
      }
    }
  })
})
