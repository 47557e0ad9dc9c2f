import { admin, allOf, always, anyOf, ownProject, ownUser, role, type Check, type PolicyTarget } from '../../platform/policy'
import type { AuthContext } from '../../platform/auth-context'

/** The token's own domain (domain-scoped, or the domain of its project). */
const ownDomain: Check = (ctx: AuthContext, t: PolicyTarget) =>
  t.domain_id !== undefined && (t.domain_id === ctx.domainId || t.domain_id === ctx.projectDomainId)

const adminOrSelf = anyOf(admin, ownUser)

/** Keystone's default rules, reduced to the admin / member / reader roles Stackling has. */
export const IDENTITY_POLICIES: Record<string, Check> = {
  'identity:validate_token': adminOrSelf,
  'identity:check_token': adminOrSelf,
  'identity:revoke_token': adminOrSelf,
  'identity:get_auth_catalog': always,
  'identity:get_auth_projects': always,
  'identity:get_auth_domains': always,
  'identity:get_auth_system': always,

  'identity:list_domains': admin,
  'identity:get_domain': anyOf(admin, ownDomain),
  'identity:create_domain': admin,
  'identity:update_domain': admin,
  'identity:delete_domain': admin,

  'identity:list_projects': admin,
  'identity:get_project': anyOf(admin, ownProject),
  'identity:create_project': admin,
  'identity:update_project': admin,
  'identity:delete_project': admin,
  'identity:list_user_projects': adminOrSelf,

  'identity:list_users': admin,
  'identity:get_user': adminOrSelf,
  'identity:create_user': admin,
  'identity:update_user': admin,
  'identity:delete_user': admin,
  'identity:change_password': ownUser,

  'identity:list_groups': admin,
  'identity:get_group': admin,
  'identity:create_group': admin,
  'identity:update_group': admin,
  'identity:delete_group': admin,
  'identity:list_users_in_group': admin,
  'identity:add_user_to_group': admin,
  'identity:check_user_in_group': admin,
  'identity:remove_user_from_group': admin,
  'identity:list_groups_for_user': adminOrSelf,

  'identity:list_roles': admin,
  'identity:get_role': admin,
  'identity:create_role': admin,
  'identity:update_role': admin,
  'identity:delete_role': admin,
  'identity:list_role_inference_rules': admin,
  'identity:create_implied_role': admin,
  'identity:list_grants': admin,
  'identity:check_grant': admin,
  'identity:create_grant': admin,
  'identity:revoke_grant': admin,
  'identity:list_role_assignments': admin,

  'identity:list_services': admin,
  'identity:get_service': admin,
  'identity:list_endpoints': admin,
  'identity:get_endpoint': admin,
  'identity:list_regions': always,
  'identity:get_region': always,

  'identity:list_application_credentials': ownUser,
  'identity:get_application_credential': ownUser,
  // Readers cannot write, not even credentials of their own.
  'identity:create_application_credential': allOf(ownUser, role('member')),
  'identity:delete_application_credential': allOf(ownUser, role('member')),
}
