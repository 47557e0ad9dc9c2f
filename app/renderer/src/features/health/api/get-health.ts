import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** What GET /stackling/v1/health answers (app/main/doctor/doctor.ts: DoctorReport, plus the services' state). */
export interface HealthCheck {
  id: string
  title: string
  required: boolean
  status: 'ok' | 'warn' | 'fail' | 'skip'
  summary: string
  why: string
  advice: string[]
}

export interface ServiceState {
  type: string
  state: 'up' | 'starting' | 'down'
  reason?: string
}

export interface HealthReport {
  os: { family: string; label: string; platform: string; arch: string }
  dataDir: string
  checkedAt: string
  ok: boolean
  checks: HealthCheck[]
  services: ServiceState[]
}

export const healthKeys = { all: ['stackling', 'health'] as const, services: ['stackling', 'services'] as const }

/** Stackling's own API (not OpenStack, not in the catalog): beside the services on the cloud's origin. */
export const stacklingRoot = (client: OpenStackClient) => `${client.origin}/stackling/v1`

/** GET /stackling/v1/health (admin): the doctor's checks on the machine the cloud runs on. */
export async function getHealth(client: OpenStackClient, signal?: AbortSignal): Promise<HealthReport> {
  const res = await client.requestUrl<{ health: HealthReport }>('stackling', stacklingRoot(client), 'GET', '/health', { signal, cli: 'npm run doctor' })
  return res.body.health
}

export const getHealthQueryOptions = (client: OpenStackClient): QueryOptions<HealthReport> => ({
  queryKey: healthKeys.all,
  queryFn: ({ signal }) => getHealth(client, signal),
})

export function useHealth() {
  return useQuery(getHealthQueryOptions(useClient()))
}

/** GET /stackling/v1/services (any user): whether each service can do its work, and why not. */
export async function getServiceStates(client: OpenStackClient, signal?: AbortSignal): Promise<ServiceState[]> {
  const res = await client.requestUrl<{ services: ServiceState[] }>('stackling', stacklingRoot(client), 'GET', '/services', { signal })
  return res.body.services
}

export function useServiceStates() {
  const client = useClient()
  return useQuery({ queryKey: healthKeys.services, queryFn: ({ signal }) => getServiceStates(client, signal) })
}
