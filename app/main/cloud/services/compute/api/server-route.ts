import type { ApiRequest } from '../../../platform/http/types'
import type { ComputeRepository } from '../compute-repository'
import { InstanceNotFound } from '../errors'
import type { Instance } from '../models'

/**
 * Route options for `/servers/{server_id}/…`: loads the instance, checks `policy` against its project and user,
 * and answers a server the caller may not see as not found (never 403).
 */
export function serverRoute(repo: ComputeRepository, policy: string) {
  return {
    policy,
    load: async (req: ApiRequest): Promise<Instance> => {
      const inst = await repo.instance(req.params.server_id!)
      if (!inst) throw new InstanceNotFound(req.params.server_id!)
      return inst
    },
    target: (_req: ApiRequest, i: Instance) => ({ project_id: i.project_id, user_id: i.user_id }),
    hidden: (req: ApiRequest) => new InstanceNotFound(req.params.server_id!),
  }
}
