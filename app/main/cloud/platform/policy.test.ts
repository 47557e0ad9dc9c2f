import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AuthContext } from './auth-context'
import { adminOrProjectMember, adminOrProjectReader, PolicyEnforcer } from './policy'
import { PolicyNotAuthorized } from './errors'

const ctx = (roles: string[], projectId = 'p1'): AuthContext => ({
  userId: 'u',
  userName: 'u',
  userDomainId: 'default',
  userDomainName: 'Default',
  projectId,
  roles,
  roleRefs: roles.map((r) => ({ id: r, name: r })),
  methods: ['password'],
  expiresAt: new Date(Date.now() + 1000),
  issuedAt: new Date(),
  auditIds: ['a'],
})

describe('PolicyEnforcer: the one check every service uses', () => {
  const policy = new PolicyEnforcer()
  policy.register({ 'thing:create': adminOrProjectMember, 'thing:get': adminOrProjectReader })

  it('lets a reader read but not write in its project', () => {
    const reader = ctx(['reader'])
    assert.equal(policy.check(reader, 'thing:get', { project_id: 'p1' }), true)
    assert.throws(() => policy.enforce(reader, 'thing:create', { project_id: 'p1' }), PolicyNotAuthorized)
  })

  it('lets a member write only in its own project', () => {
    const member = ctx(['member', 'reader'])
    assert.equal(policy.check(member, 'thing:create', { project_id: 'p1' }), true)
    assert.equal(policy.check(member, 'thing:create', { project_id: 'p2' }), false)
    assert.equal(policy.check(member, 'thing:get', { project_id: 'p2' }), false)
  })

  it('lets an admin act on any project', () => {
    assert.equal(policy.check(ctx(['admin']), 'thing:create', { project_id: 'p9' }), true)
  })

  it('fails closed on an action nobody registered, and refuses duplicates', () => {
    assert.throws(() => policy.check(ctx(['admin']), 'thing:unknown', {}), /no policy rule/)
    assert.throws(() => policy.register({ 'thing:get': adminOrProjectReader }), /twice/)
  })
})
