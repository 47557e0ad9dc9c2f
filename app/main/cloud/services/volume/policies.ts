import { admin, adminOrProjectMember, adminOrProjectReader, always, projectMember, projectReader, type Check } from '../../platform/policy'

/** Cinder's defaults (volume:*, volume_extension:*), reduced to admin / member / reader. */
export const VOLUME_POLICIES: Record<string, Check> = {
  'volume:create': projectMember,
  'volume:get_all': projectReader,
  'volume:get': adminOrProjectReader,
  'volume:update': adminOrProjectMember,
  'volume:delete': adminOrProjectMember,
  'volume:force_delete': admin,
  'volume:action': adminOrProjectMember,
  'volume:extend_attached_volume': adminOrProjectMember,
  'volume:reset_status': admin,
  'volume:metadata:get': adminOrProjectReader,
  'volume:metadata:update': adminOrProjectMember,

  'volume:attachment:create': projectMember,
  'volume:attachment:get_all': projectReader,
  'volume:attachment:get': adminOrProjectReader,
  'volume:attachment:update': adminOrProjectMember,
  'volume:attachment:delete': adminOrProjectMember,
  'volume:attachment:complete': adminOrProjectMember,

  'volume:snapshot:create': projectMember,
  'volume:snapshot:get_all': projectReader,
  'volume:snapshot:get': adminOrProjectReader,
  'volume:snapshot:update': adminOrProjectMember,
  'volume:snapshot:delete': adminOrProjectMember,
  'volume:snapshot:reset_status': admin,

  'volume:backup:create': projectMember,
  'volume:backup:get_all': projectReader,
  'volume:backup:get': adminOrProjectReader,
  'volume:backup:delete': adminOrProjectMember,
  'volume:backup:restore': adminOrProjectMember,

  'volume:type:get_all': always,
  'volume:type:get': always,
  'volume:type:manage': admin,

  'volume:limits': always,
  'volume:quota:defaults': always,
  'volume:quota:show': adminOrProjectReader,
  'volume:quota:update': admin,
  'volume:quota:delete': admin,

  'volume:discovery': always,
  'volume:not_implemented': always,
}
