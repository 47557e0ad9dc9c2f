import path from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MetadataHandler } from '../../drivers/network/network-driver'
import type { Logger } from '../../platform/log'
import {
  EC2_VERSIONS,
  OPENSTACK_VERSIONS,
  ec2Listing,
  ec2Metadata,
  metaData,
  networkData,
  openstackFiles,
  userDataOf,
  type Ec2Node,
  type MetadataInput,
} from './instance-metadata'

/** Who answers for a port: the instance whose NIC is on it and that NIC's index, or undefined. */
export type MetadataLookup = (portId: string) => Promise<{ input: MetadataInput; nicIndex: number } | undefined>

interface Answer {
  status: number
  body: string | Buffer
  type: string
  headers?: Record<string, string>
}

const TEXT = 'text/plain; charset=UTF-8'
const JSON_TYPE = 'application/json'
const BINARY = 'application/octet-stream'
const notFound = (): Answer => ({ status: 404, body: '404 Not Found\n\nThe resource could not be found.\n', type: TEXT })

/**
 * Nova's metadata API (nova/api/metadata) for the guests on Neutron ports: the network driver hands each HTTP request
 * a guest sends to 169.254.169.254 to this handler with the port it came in on. The instance is found from that
 * port alone — never from the request (no header, path or address a guest could forge) — so a guest can read only
 * its own data. GET only (405 otherwise); an unknown path, version or a port no instance has: 404.
 *
 *   /openstack                           versions, then "latest"
 *   /openstack/<version>[/]              the files of that version
 *   /openstack/<version>/<file>          meta_data.json, network_data.json, vendor_data(2).json, password, user_data
 *   /                                    EC2 versions, then "latest"
 *   /<ec2 version>[/meta-data/…]         the EC2 tree (folders list their entries), /<ec2 version>/user-data
 */
export function createMetadataHandler(lookup: MetadataLookup, log: Logger): MetadataHandler {
  return (portId, req, res) => {
    answer(lookup, portId, req)
      .catch((err: Error) => {
        log.error('metadata request failed', { port_id: portId, path: req.url, error: err.stack })
        return { status: 500, body: '500 Internal Server Error\n', type: TEXT } as Answer
      })
      .then((a) => send(res, a))
      .catch(() => res.destroy())
  }
}

function send(res: ServerResponse, a: Answer): void {
  res.writeHead(a.status, { 'Content-Type': a.type, 'Content-Length': Buffer.byteLength(a.body), ...a.headers })
  res.end(a.body)
}

async function answer(lookup: MetadataLookup, portId: string, req: IncomingMessage): Promise<Answer> {
  if (req.method !== 'GET') return { status: 405, body: '405 Method Not Allowed\n', type: TEXT, headers: { Allow: 'GET' } }
  let raw: string
  try {
    raw = decodeURIComponent((req.url ?? '/').split('?')[0]!)
  } catch {
    return notFound()
  }
  // Like Nova: a normalised absolute path; "a//b/" is "a/b", and ".." cannot climb above the root.
  const tokens = path.posix.normalize('/' + raw).split('/').filter(Boolean)
  const found = await lookup(portId)
  if (!found) return notFound()
  const { input, nicIndex } = found
  const inst = input.instance

  if (tokens[0] === 'openstack') {
    if (tokens.length === 1) return { status: 200, body: [...OPENSTACK_VERSIONS, 'latest'].join('\n'), type: TEXT }
    const version = tokens[1]!
    if (version !== 'latest' && !(OPENSTACK_VERSIONS as readonly string[]).includes(version)) return notFound()
    const files = openstackFiles(inst, version)
    if (tokens.length === 2) return { status: 200, body: files.join('\n'), type: TEXT }
    if (tokens.length > 3 || !files.includes(tokens[2]!)) return notFound()
    switch (tokens[2]) {
      case 'meta_data.json':
        return { status: 200, body: JSON.stringify(metaData(inst, version)), type: JSON_TYPE }
      case 'network_data.json':
        return { status: 200, body: JSON.stringify(networkData(input.nics)), type: JSON_TYPE }
      case 'vendor_data.json':
      case 'vendor_data2.json':
        return { status: 200, body: '{}', type: JSON_TYPE }
      case 'password':
        // No password was ever posted (posting one is not supported): Nova answers an empty body.
        return { status: 200, body: '', type: TEXT }
      case 'user_data':
        return { status: 200, body: userDataOf(inst)!, type: BINARY }
    }
    return notFound()
  }

  if (!tokens.length) return { status: 200, body: [...EC2_VERSIONS, 'latest'].join('\n'), type: TEXT }
  const version = tokens[0]!
  if (version !== 'latest' && !(EC2_VERSIONS as readonly string[]).includes(version)) return notFound()
  let node: Ec2Node = ec2Metadata(input, version, nicIndex)
  for (const t of tokens.slice(1)) {
    if (typeof node === 'string' || Buffer.isBuffer(node) || t === '_name' || !Object.prototype.hasOwnProperty.call(node, t)) return notFound()
    node = node[t]!
  }
  if (Buffer.isBuffer(node)) return { status: 200, body: node, type: BINARY }
  if (typeof node === 'string') return { status: 200, body: node, type: TEXT }
  return { status: 200, body: ec2Listing(node), type: TEXT }
}
