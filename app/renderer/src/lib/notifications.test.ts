import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { browserNotifierEnv, Notifier, serverNotice, ServerWatch, uploadNotice, type NotificationApi, type NotifierEnv, type Permission, type WatchedServer } from './notifications'

/** A fake browser: a Notification class that records what it shows, a focus flag, a permission prompt. */
function fakeEnv(opts: { permission?: Permission; answer?: Permission; away?: boolean; noApi?: boolean } = {}) {
  const shown: { title: string; options?: { body?: string; tag?: string }; instance: { onclick: ((ev: Event) => unknown) | null; closed: boolean } }[] = []
  const state = { permission: opts.permission ?? 'granted', away: opts.away ?? true, prompts: 0, focused: 0 }
  class FakeNotification {
    static get permission() {
      return state.permission
    }
    static async requestPermission() {
      state.prompts++
      state.permission = opts.answer ?? 'granted'
      return state.permission
    }
    onclick: ((ev: Event) => unknown) | null = null
    closed = false
    constructor(title: string, options?: { body?: string; tag?: string }) {
      shown.push({ title, options, instance: this })
    }
    close() {
      this.closed = true
    }
  }
  const env: NotifierEnv = {
    notification: () => (opts.noApi ? undefined : (FakeNotification as unknown as NotificationApi)),
    isAway: () => state.away,
    focus: () => void state.focused++,
  }
  return { env, shown, state }
}

describe('Notifier', () => {
  it('shows a notice when the page is away and permission is granted; clicking it focuses the page', () => {
    const { env, shown, state } = fakeEnv()
    const n = new Notifier(env)
    assert.equal(n.notifyIfAway({ title: 'Instance web is active', body: 'It is running.', tag: 'server-1' }), true)
    assert.equal(shown.length, 1)
    assert.deepEqual(shown[0]!.options, { body: 'It is running.', tag: 'server-1' })
    shown[0]!.instance.onclick?.({} as Event)
    assert.equal(state.focused, 1)
    assert.equal(shown[0]!.instance.closed, true)
  })

  it('shows nothing while the page is in front', () => {
    const { env, shown } = fakeEnv({ away: false })
    assert.equal(new Notifier(env).notifyIfAway({ title: 'x' }), false)
    assert.equal(shown.length, 0)
  })

  it('shows nothing without permission, and never asks for it itself', () => {
    for (const permission of ['default', 'denied'] as const) {
      const { env, shown, state } = fakeEnv({ permission })
      assert.equal(new Notifier(env).notifyIfAway({ title: 'x' }), false)
      assert.equal(shown.length, 0)
      assert.equal(state.prompts, 0)
    }
  })

  it('does nothing where the browser has no Notification API', () => {
    const { env } = fakeEnv({ noApi: true })
    const n = new Notifier(env)
    n.askPermission()
    assert.equal(n.notifyIfAway({ title: 'x' }), false)
  })

  it('asks for permission once per page, only while undecided', async () => {
    const undecided = fakeEnv({ permission: 'default', answer: 'denied' })
    const n = new Notifier(undecided.env)
    n.askPermission()
    n.askPermission()
    await Promise.resolve()
    assert.equal(undecided.state.prompts, 1)
    assert.equal(n.notifyIfAway({ title: 'x' }), false) // refused: nothing shown

    for (const permission of ['granted', 'denied'] as const) {
      const decided = fakeEnv({ permission })
      new Notifier(decided.env).askPermission()
      assert.equal(decided.state.prompts, 0, permission)
    }
  })

  it('a grant from the prompt lets the next outcome through', async () => {
    const { env, shown } = fakeEnv({ permission: 'default', answer: 'granted' })
    const n = new Notifier(env)
    n.askPermission()
    await Promise.resolve()
    assert.equal(n.notifyIfAway({ title: 'Image uploaded' }), true)
    assert.equal(shown.length, 1)
  })

  it('a browser whose constructor throws (service-worker-only notifications) is survived', () => {
    const env: NotifierEnv = {
      notification: () =>
        class {
          static permission = 'granted' as const
          static requestPermission = async () => 'granted' as const
          onclick = null
          constructor() {
            throw new TypeError('Illegal constructor')
          }
          close() {}
        } as unknown as NotificationApi,
      isAway: () => true,
      focus: () => undefined,
    }
    assert.equal(new Notifier(env).notifyIfAway({ title: 'x' }), false)
  })

  it('the browser environment is safe where there is no DOM', () => {
    const env = browserNotifierEnv()
    assert.equal(env.notification(), undefined)
    assert.equal(env.isAway(), false)
    env.focus()
  })
})

describe('ServerWatch', () => {
  const server = (id: string, status: string, task: string | null = null, fault?: string): WatchedServer => ({
    id,
    name: `vm-${id}`,
    status,
    'OS-EXT-STS:task_state': task,
    ...(fault ? { fault: { message: fault } } : {}),
  })
  const isChanging = (s: WatchedServer) => s.status === 'BUILD' || s.status === 'REBOOT' || Boolean(s['OS-EXT-STS:task_state'])

  it('reports an instance that was building and is now ACTIVE or ERROR, once', () => {
    const w = new ServerWatch()
    assert.deepEqual(w.observe([server('a', 'BUILD', 'spawning'), server('b', 'BUILD', 'scheduling')], isChanging), [])
    assert.deepEqual(w.observe([server('a', 'ACTIVE'), server('b', 'ERROR', null, 'No valid host was found.')], isChanging), [
      { id: 'a', name: 'vm-a', status: 'ACTIVE' },
      { id: 'b', name: 'vm-b', status: 'ERROR', fault: 'No valid host was found.' },
    ])
    assert.deepEqual(w.observe([server('a', 'ACTIVE'), server('b', 'ERROR')], isChanging), [])
  })

  it('reports nothing on first sight (loading a page), nor for changes that do not end in ACTIVE or ERROR', () => {
    const w = new ServerWatch()
    assert.deepEqual(w.observe([server('a', 'ACTIVE'), server('b', 'ERROR'), server('c', 'ACTIVE', 'powering-off')], isChanging), [])
    assert.deepEqual(w.observe([server('c', 'SHUTOFF')], isChanging), [])
    assert.deepEqual(w.observe(undefined, isChanging), [])
  })

  it('follows a task on an ACTIVE instance (a reboot) to its end', () => {
    const w = new ServerWatch()
    w.observe([server('a', 'ACTIVE')], isChanging)
    assert.deepEqual(w.observe([server('a', 'REBOOT', 'rebooting')], isChanging), [])
    assert.deepEqual(w.observe([server('a', 'ACTIVE')], isChanging), [{ id: 'a', name: 'vm-a', status: 'ACTIVE' }])
  })

  it('one watch shared by the list and the detail page reports an outcome once', () => {
    const w = new ServerWatch()
    w.observe([server('a', 'BUILD')], isChanging) // the list
    w.observe([server('a', 'BUILD')], isChanging) // the detail page
    assert.equal(w.observe([server('a', 'ACTIVE')], isChanging).length, 1) // the list sees it first
    assert.equal(w.observe([server('a', 'ACTIVE')], isChanging).length, 0) // then the detail page
  })
})

describe('notice words', () => {
  it('names the instance, and the fault when it failed', () => {
    assert.deepEqual(serverNotice({ id: 'abcdef123456', name: 'web', status: 'ACTIVE' }), { title: 'Instance web is active', body: 'It is running.', tag: 'server-abcdef123456' })
    assert.equal(serverNotice({ id: 'abcdef123456', name: '', status: 'ERROR', fault: 'boom' }).title, 'Instance abcdef12 failed')
    assert.equal(serverNotice({ id: 'abcdef123456', name: 'web', status: 'ERROR', fault: 'boom' }).body, 'boom')
    assert.match(serverNotice({ id: 'abcdef123456', name: 'web', status: 'ERROR' }).body!, /action log/)
  })

  it('says which image was uploaded, or which file failed', () => {
    assert.deepEqual(uploadNotice({ ok: true, imageName: 'cirros', status: 'active' }), { title: 'Image cirros uploaded', body: 'Its status is active.', tag: 'image-upload' })
    assert.match(uploadNotice({ ok: false, fileName: 'disk.qcow2' }).body!, /disk\.qcow2/)
  })
})
