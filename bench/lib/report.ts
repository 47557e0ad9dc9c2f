import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export type Unit = 'req/s' | 'ms' | 's' | 'MB' | 'µs' | 'MiB/s'

/** A target from the issue. Informational: a miss is reported, never turned into a failing exit code. */
export interface Target {
  /** As written in the table, e.g. "< 1 ms" or "≥ 0.5× baseline". */
  text: string
  met: boolean
  /** How far off, when missed (e.g. "+0.4 ms (40 % over)"). */
  miss?: string
}

/** One row of the results table. */
export interface Figure {
  id: string
  label: string
  unit: Unit
  value: number
  baseline?: { label: string; value: number }
  /** Stackling / baseline (for rates below 1 is worse; for times and memory above 1 is worse). */
  ratio?: number
  target?: Target
}

/** What one bench returns: its rows, plus raw measurements for the JSON file. */
export interface BenchOutput {
  name: string
  figures: Figure[]
  raw: Record<string, unknown>
  notes?: string[]
}

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  return { ...f, ratio: f.baseline && f.baseline.value > 0 ? f.value / f.baseline.value : undefined }
}

/** `value < limit` (or ≥ for rates), with the miss spelled out. */
export function targetBelow(value: number, limit: number, unit: Unit, text: string): Target {
  if (value < limit) return { text, met: true }
  return { text, met: false, miss: `${fmt(value - limit, unit)} ${unit} over (${pct((value - limit) / limit)} over)` }
}

/** `value ≥ floor`; `detail` says what the value is, for the miss message. */
export function targetAtLeast(value: number, floor: number, text: string, detail?: string): Target {
  if (value >= floor) return { text, met: true }
  return { text, met: false, miss: `${detail ? `${detail}: ` : ''}${pct((floor - value) / floor)} short of ${floor}` }
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`

export function fmt(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return 'n/a'
  switch (unit) {
    case 'req/s':
      return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1)
    case 'ms':
      // By magnitude, so that a negative difference reads like a positive one.
      return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)
    case 's':
      return v.toFixed(3)
    case 'MB':
      return v.toFixed(1)
    case 'µs':
      return v.toFixed(0)
    case 'MiB/s':
      return v.toFixed(0)
  }
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return ''
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.01 ? `${r.toFixed(2)}×` : `${r.toExponential(1)}×`
}

/** The readable table printed at the end of a run. */
export function renderTable(outputs: BenchOutput[]): string {
  const header = ['Figure', 'Stackling', 'Baseline', 'Ratio S/B', 'Target', 'Result']
  const rows: string[][] = []
  const misses: string[] = []
  for (const out of outputs) {
    for (const f of out.figures) {
      const result = f.target ? (f.target.met ? 'met' : 'NOT MET') : ''
      rows.push([
        f.label,
        `${fmt(f.value, f.unit)} ${f.unit}`,
        f.baseline ? `${fmt(f.baseline.value, f.unit)} ${f.unit} (${f.baseline.label})` : '',
        fmtRatio(f.ratio),
        f.target?.text ?? '',
        result,
      ])
      if (f.target && !f.target.met) misses.push(`${f.label}: ${f.target.miss ?? 'missed'}`)
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
  const notes = outputs.flatMap((o) => o.notes ?? [])
  if (misses.length) out.push('', 'Missed targets (informational):', ...misses.map((m) => `  - ${m}`))
  if (notes.length) out.push('', 'Notes:', ...notes.map((n) => `  - ${n}`))
  return out.join('\n')
}

export function environment(root: string): Record<string, unknown> {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      return undefined
    }
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain') ? true : false,
  }
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n')
}
