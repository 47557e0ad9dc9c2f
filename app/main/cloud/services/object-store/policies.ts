import { adminOrProjectMember, adminOrProjectReader, type Check } from '../../platform/policy'

/**
 * The account owner's rights (keystoneauth's operator roles): members write, readers read, admins reach every
 * account. Everyone else gets in only through a container's ACL, a public container or a TempURL (access.ts).
 */
export const OBJECT_STORE_POLICIES: Record<string, Check> = {
  'object-store:read': adminOrProjectReader,
  'object-store:write': adminOrProjectMember,
}
