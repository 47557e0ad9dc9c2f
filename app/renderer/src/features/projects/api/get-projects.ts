import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { identityKeys, listMyProjects, listProjects, type Project } from '../../../lib/openstack/identity'
import { useQuery, type QueryOptions } from '../../../lib/query'

const byName = (a: Project, b: Project) => a.name.localeCompare(b.name)

/** GET /v3/projects: every project (admin only). */
export const getProjects = (client: OpenStackClient, signal?: AbortSignal) => listProjects(client, signal).then((p) => [...p].sort(byName))

export const getProjectsQueryOptions = (client: OpenStackClient): QueryOptions<Project[]> => ({
  queryKey: identityKeys.projects,
  queryFn: ({ signal }) => getProjects(client, signal),
})

export function useProjects() {
  return useQuery(getProjectsQueryOptions(useClient()))
}

/** GET /v3/auth/projects: the projects the logged-in user has a role on (any user). */
export const getMyProjectsQueryOptions = (client: OpenStackClient): QueryOptions<Project[]> => ({
  queryKey: identityKeys.myProjects,
  queryFn: ({ signal }) => listMyProjects(client, signal).then((p) => [...p].sort(byName)),
})

export function useMyProjects() {
  return useQuery(getMyProjectsQueryOptions(useClient()))
}
