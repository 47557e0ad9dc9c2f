import { loadConfig } from '../cloud/platform/config'
import { readSettingsSync } from '../cloud/platform/settings'
import { formatReport, runDoctor } from './doctor'
import { localHost, type DoctorHost } from './host'

/**
 * `npm run serve -- --doctor` / `npm run doctor`: checks this machine, prints the report (or JSON with `json`) and
 * resolves to the exit code: 0 when everything required is there, 1 when something required is missing.
 */
export async function runDoctorCli(opts: {
  dataDir: string
  json?: boolean
  env?: NodeJS.ProcessEnv
  host?: DoctorHost
  write?: (text: string) => void
}): Promise<number> {
  const env = opts.env ?? process.env
  const write = opts.write ?? ((t: string) => void process.stdout.write(t))
  const stored = readSettingsSync(opts.dataDir, (m) => write(`note: ${m}\n`))
  const config = loadConfig({}, env, stored)
  const report = await runDoctor(opts.host ?? localHost(env), {
    dataDir: opts.dataDir,
    accelerator: config.accelerator,
    qemuBinary: env.STACKLING_QEMU,
    qemuImgBinary: env.STACKLING_QEMU_IMG,
  })
  write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
  return report.ok ? 0 : 1
}
