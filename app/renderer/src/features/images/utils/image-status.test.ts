import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { canModify, imageStatusInfo, importFailure, isChanging, QUEUED_WATCH_MS, shouldPoll, statusInfo } from './image-status'

const now = Date.parse('2025-01-01T12:00:00Z')
const at = (msAgo: number) => new Date(now - msAgo).toISOString()

describe('image status', () => {
  it('keeps refreshing while Glance is saving or importing', () => {
    assert.equal(isChanging({ status: 'saving', created_at: at(1e9), updated_at: at(1e9) }, now), true)
    assert.equal(isChanging({ status: 'importing', created_at: at(1e9), updated_at: at(1e9) }, now), true)
    assert.equal(isChanging({ status: 'active', created_at: at(0), updated_at: at(0) }, now), false)
    assert.equal(isChanging({ status: 'killed', created_at: at(0), updated_at: at(0) }, now), false)
  })

  it('watches a queued image only while it is fresh', () => {
    assert.equal(isChanging({ status: 'queued', created_at: at(1000), updated_at: at(1000) }, now), true)
    assert.equal(isChanging({ status: 'queued', created_at: at(QUEUED_WATCH_MS + 1), updated_at: at(QUEUED_WATCH_MS + 1) }, now), false)
  })

  it('polls when any image is changing', () => {
    assert.equal(shouldPoll(undefined, now), false)
    assert.equal(shouldPoll([{ status: 'active', created_at: at(0), updated_at: at(0) }], now), false)
    assert.equal(
      shouldPoll(
        [
          { status: 'active', created_at: at(0), updated_at: at(0) },
          { status: 'saving', created_at: at(0), updated_at: at(0) },
        ],
        now,
      ),
      true,
    )
  })

  it('tells a failed import from a queued image, and stops watching it', () => {
    const failed = { status: 'queued', created_at: at(0), updated_at: at(0), os_glance_failed_import: 'web-download', os_glance_import_error: 'connect ECONNREFUSED 127.0.0.1:9' }
    assert.equal(importFailure(failed), 'The import failed: connect ECONNREFUSED 127.0.0.1:9. Delete this image and try again with a URL the cloud can reach.')
    assert.equal(imageStatusInfo(failed).label, 'Import failed')
    assert.equal(imageStatusInfo(failed).tone, 'danger')
    assert.equal(isChanging(failed, now), false)
    assert.equal(importFailure({ status: 'queued', os_glance_failed_import: '' }), undefined)
    assert.equal(importFailure({ status: 'active', os_glance_failed_import: 'web-download' }), undefined, 'a later import succeeded')
    assert.equal(imageStatusInfo({ status: 'active' }).label, 'Active')
  })

  it('labels statuses, unknown ones included', () => {
    assert.equal(statusInfo('active').tone, 'success')
    assert.equal(statusInfo('deactivated').tone, 'warning')
    assert.equal(statusInfo('weird').label, 'weird')
  })

  it('lets the owner project or an admin modify', () => {
    assert.equal(canModify({ owner: 'p' }, { projectId: 'p', isAdmin: false }), true)
    assert.equal(canModify({ owner: 'q' }, { projectId: 'p', isAdmin: false }), false)
    assert.equal(canModify({ owner: 'q' }, { projectId: 'p', isAdmin: true }), true)
    assert.equal(canModify({ owner: null }, { projectId: undefined, isAdmin: false }), false)
  })
})
