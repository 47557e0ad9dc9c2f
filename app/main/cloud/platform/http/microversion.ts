import type { IncomingMessage } from 'node:http'
import { NotAcceptable } from '../errors'

export interface MicroversionRange {
  /** The service name in OpenStack-API-Version ("compute", "volume"). */
  service: string
  min: string
  max: string
  /** A legacy header that also carries it (X-OpenStack-Nova-API-Version). */
  legacyHeader?: string
}

const parse = (v: string): [number, number] => {
  const m = /^(\d+)\.(\d+)$/.exec(v)
  if (!m) return [NaN, NaN]
  return [Number(m[1]), Number(m[2])]
}

export function compareVersions(a: string, b: string): number {
  const [am, an] = parse(a)
  const [bm, bn] = parse(b)
  return am !== bm ? am - bm : an - bn
}

/**
 * Reads the requested microversion (OpenStack-API-Version: <service> X.Y, or the legacy header), answers the
 * negotiated one in the same headers, and refuses one out of range with 406 as Nova and Cinder do.
 */
export function negotiateMicroversion(raw: IncomingMessage, range: MicroversionRange): { version: string; headers: Record<string, string> } {
  let requested: string | undefined
  const header = raw.headers['openstack-api-version']
  for (const part of (Array.isArray(header) ? header.join(',') : header ?? '').split(',')) {
    const [svc, v] = part.trim().split(/\s+/)
    if (svc?.toLowerCase() === range.service && v) requested = v
  }
  if (!requested && range.legacyHeader) {
    const legacy = raw.headers[range.legacyHeader.toLowerCase()]
    requested = Array.isArray(legacy) ? legacy[0] : legacy
  }
  let version = range.min
  if (requested) {
    if (requested.toLowerCase() === 'latest') version = range.max
    else if (Number.isNaN(parse(requested)[0])) {
      throw new NotAcceptable(`Invalid API version request string ${requested}: use X.Y, e.g. ${range.max}.`)
    } else if (compareVersions(requested, range.min) < 0 || compareVersions(requested, range.max) > 0) {
      throw new NotAcceptable(`Version ${requested} is not supported by the API. Minimum is ${range.min} and maximum is ${range.max}.`)
    } else version = requested
  }
  const headers: Record<string, string> = { 'OpenStack-API-Version': `${range.service} ${version}` }
  const vary = ['OpenStack-API-Version']
  if (range.legacyHeader) {
    headers[range.legacyHeader] = version
    vary.push(range.legacyHeader)
  }
  headers.Vary = vary.join(', ')
  return { version, headers }
}
