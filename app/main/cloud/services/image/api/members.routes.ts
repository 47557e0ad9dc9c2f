import { Forbidden, NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import type { ImageManager } from '../image-manager'
import type { ImageRepository } from '../image-repository'
import type { Image, ImageMember, MemberStatus } from '../models'
import { memberView } from './views'

/** Sharing: the owner adds projects as members of a shared image; each member accepts or rejects it. */
export function registerMemberRoutes(router: Router, manager: ImageManager, repo: ImageRepository): void {
  const loadImage = (req: ApiRequest) => manager.get(req.ctx, req.params.image_id!)
  const loadMember = async (req: ApiRequest) => {
    const image = await loadImage(req)
    const m = await repo.member(image.id, req.params.member_id!)
    if (!m) throw new NotFound(`Member ${req.params.member_id} not found for image ${image.id}.`)
    return { image, member: m }
  }
  const ownerTarget = (_req: ApiRequest, i: Image) => ({ project_id: i.owner })

  router.get('/v2/images/:image_id/members', { policy: 'image:get_members', load: loadImage }, async (req, image) => {
    let members = await repo.members(image.id)
    // A member sees only its own membership; the owner sees them all.
    if (image.owner !== req.ctx.projectId && !req.ctx.roles.includes('admin')) members = members.filter((m) => m.member_id === req.ctx.projectId)
    return json(200, { members: members.map(memberView), schema: '/v2/schemas/members' })
  })
  router.post(
    '/v2/images/:image_id/members',
    { policy: 'image:add_member', load: loadImage, target: ownerTarget, body: S.object({ member: S.string(1, 255) }, ['member'], false) },
    async (req: ApiRequest<{ member: string }>, image) => json(200, memberView(await manager.addMember(image, req.body.member))),
  )
  router.get('/v2/images/:image_id/members/:member_id', { policy: 'image:get_member', load: loadMember }, (req, { image, member }) => {
    if (image.owner !== req.ctx.projectId && member.member_id !== req.ctx.projectId && !req.ctx.roles.includes('admin')) {
      throw new NotFound(`Member ${member.member_id} not found for image ${image.id}.`)
    }
    return json(200, memberView(member))
  })
  router.put<{ image: Image; member: ImageMember }>(
    '/v2/images/:image_id/members/:member_id',
    {
      policy: 'image:modify_member',
      load: loadMember,
      target: (_req, x) => ({ member_id: x.member.member_id }),
      body: S.object({ status: { type: 'string', enum: ['pending', 'accepted', 'rejected'] } }, ['status']),
    },
    async (req: ApiRequest<{ status: MemberStatus }>, { member }) => json(200, memberView(await manager.setMemberStatus(member, req.body.status))),
  )
  router.delete<{ image: Image; member: ImageMember }>(
    '/v2/images/:image_id/members/:member_id',
    { policy: 'image:delete_member', load: loadMember, target: (req, x) => ownerTarget(req, x.image) },
    async (req, { image, member }) => {
      if (image.owner !== req.ctx.projectId && !req.ctx.roles.includes('admin')) throw new Forbidden('Only the image owner removes members.')
      await repo.db.transaction((tx) => repo.deleteMember(tx, image.id, member.member_id))
      return noContent()
    },
  )
}
