import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildCreateFlavorBody, emptyFlavorForm, hasErrors, validateFlavorForm } from './flavor-form'

describe('flavor form', () => {
  const form = (over = {}) => ({ ...emptyFlavorForm(), name: 'm1.mini', ...over })

  it('accepts a plain flavor and builds a minimal body', () => {
    assert.deepEqual(validateFlavorForm(form()), {})
    assert.deepEqual(buildCreateFlavorBody(form()), { flavor: { name: 'm1.mini', ram: 512, vcpus: 1, disk: 1 } })
  })

  it('sends the optional fields only when set', () => {
    assert.deepEqual(buildCreateFlavorBody(form({ id: 'mini', ephemeralGb: '2', swapMb: '256', isPublic: false })), {
      flavor: { name: 'm1.mini', ram: 512, vcpus: 1, disk: 1, id: 'mini', 'OS-FLV-EXT-DATA:ephemeral': 2, swap: 256, 'os-flavor-access:is_public': false },
    })
  })

  it("refuses what Nova's schema refuses", () => {
    const e = validateFlavorForm(form({ name: ' x', id: 'a/b', vcpus: '0', ramMb: '1.5', diskGb: '-1', ephemeralGb: 'x', swapMb: '' }))
    assert.deepEqual(Object.keys(e).sort(), ['diskGb', 'ephemeralGb', 'id', 'name', 'ramMb', 'swapMb', 'vcpus'])
    assert.equal(hasErrors(e), true)
    assert.equal(validateFlavorForm(form({ name: '' })).name, 'Give the flavor a name.')
  })

  it('refuses a name or ID already taken', () => {
    const existing = [{ id: '1', name: 'm1.tiny' }]
    assert.equal(validateFlavorForm(form({ name: 'm1.tiny' }), existing).name, 'A flavor has this name already.')
    assert.equal(validateFlavorForm(form({ id: '1' }), existing).id, 'A flavor has this ID already.')
  })
})
