import { admin, adminOrProjectMember, adminOrProjectReader, projectMember, projectReader, type Check } from '../../platform/policy'
import { KINDS, SINGULAR } from './models'

/**
 * Neutron's defaults (neutron/conf/policies), reduced to admin / member / reader. Reads are filtered by
 * visibility in the manager (a resource the caller may not see is a 404 before any policy runs).
 */
export const NETWORK_POLICIES: Record<string, Check> = {
  ...Object.fromEntries(
    KINDS.flatMap((k) => [
      [`network:get_${SINGULAR[k]}`, projectReader],
      [`network:create_${SINGULAR[k]}`, projectMember],
      [`network:update_${SINGULAR[k]}`, adminOrProjectMember],
      [`network:delete_${SINGULAR[k]}`, adminOrProjectMember],
    ]),
  ),
  'network:add_router_interface': adminOrProjectMember,
  'network:remove_router_interface': adminOrProjectMember,
  // Attributes only an admin may set.
  'network:create_network:shared': admin,
  'network:create_network:router:external': admin,
  'network:update_network:shared': admin,
  'network:update_network:router:external': admin,
  // Port forwardings: the target is their floating IP's project.
  'network:get_floatingip_port_forwarding': adminOrProjectReader,
  'network:create_floatingip_port_forwarding': adminOrProjectMember,
  'network:update_floatingip_port_forwarding': adminOrProjectMember,
  'network:delete_floatingip_port_forwarding': adminOrProjectMember,
  'network:get_quota': adminOrProjectReader,
  'network:update_quota': admin,
  'network:delete_quota': admin,
  'network:get_quotas': admin,
  'network:get_extensions': projectReader,
}
