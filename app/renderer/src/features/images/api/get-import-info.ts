import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { getImportInfo, imageKeys, type ImportInfo } from '../../../lib/openstack/image'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2/info/import: which import methods (web-download, glance-direct, …) this cloud offers. */
export const getImportInfoQueryOptions = (client: OpenStackClient): QueryOptions<ImportInfo> => ({
  queryKey: imageKeys.importInfo,
  queryFn: ({ signal }) => getImportInfo(client, signal),
})

export function useImportInfo() {
  return useQuery(getImportInfoQueryOptions(useClient()))
}

/** The method names, or undefined when the cloud did not say. */
export const importMethods = (info: ImportInfo | undefined): string[] | undefined => info?.['import-methods']?.value
