import { admin, adminOrProjectMember, always, anyOf, allOf, projectMember, projectReader, role, type Check } from '../../platform/policy'

/** Glance's defaults, reduced to admin / member / reader. Visibility itself is checked when the image is loaded. */
export const IMAGE_POLICIES: Record<string, Check> = {
  'image:get_images': projectReader,
  'image:get_image': projectReader,
  'image:download_image': projectReader,
  'image:add_image': projectMember,
  'image:modify_image': adminOrProjectMember,
  'image:delete_image': adminOrProjectMember,
  'image:upload_image': adminOrProjectMember,
  'image:import_image': adminOrProjectMember,
  'image:deactivate': admin,
  'image:reactivate': admin,
  'image:get_members': projectReader,
  'image:get_member': projectReader,
  'image:add_member': adminOrProjectMember,
  'image:delete_member': adminOrProjectMember,
  // Only the member project decides whether it accepts an image shared with it.
  'image:modify_member': anyOf(admin, allOf(role('member'), (ctx, t) => t.member_id === ctx.projectId)),
  'image:get_schema': always,
  'image:get_info': always,
  // Glance's stores_info_detail: where the stores keep data is the operator's business.
  'image:stores_info_detail': admin,
}
