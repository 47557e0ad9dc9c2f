/**
 * Desktop notifications for long work that ends while the person looks elsewhere: an image upload, an instance
 * turning ACTIVE or ERROR. The Web Notification API, so it works alike in the desktop app (the shell grants
 * 'notifications' to the dashboard's origin only) and in a browser tab.
 *
 * The rules: nothing is shown while the page is in front (the page itself shows the outcome); permission is asked
 * at most once per page, and only from a user gesture (starting the work), never on load; a refusal is final.
 * Everything the browser offers is injected (NotifierEnv), so the rules are unit-tested under Node.
 */

export type Permission = 'default' | 'granted' | 'denied'

/** The part of the browser's `Notification` used here. */
export interface NotificationApi {
  readonly permission: Permission
  requestPermission(): Promise<Permission>
  new (title: string, options?: { body?: string; tag?: string }): { onclick: ((ev: Event) => unknown) | null; close(): void }
}

export interface NotifierEnv {
  /** The Notification API, or undefined where there is none (an old browser, an insecure origin, tests). */
  notification(): NotificationApi | undefined
  /** True when the person is not looking at the page: the window is not focused or the tab is hidden. */
  isAway(): boolean
  /** Brings the page to the front (a click on a notification). */
  focus(): void
}

export interface Notice {
  title: string
  body?: string
  /** A notice with the same tag replaces the previous one (one per instance, one per upload). */
  tag?: string
}

export class Notifier {
  private asked = false

  constructor(private readonly env: NotifierEnv) {}

  /**
   * Call from a user gesture (a click that starts long work), before any await: asks for permission if the person
   * has not decided yet and was not asked on this page before. Never throws, never waits.
   */
  askPermission(): void {
    const api = this.env.notification()
    if (!api || api.permission !== 'default' || this.asked) return
    this.asked = true
    try {
      void Promise.resolve(api.requestPermission()).catch(() => undefined)
    } catch {
      // A browser that refuses to ask (no gesture, an embedded frame): the page still shows every outcome.
    }
  }

  /** Shows the notice when the page is not in front and notifications are granted; returns whether it did. */
  notifyIfAway(notice: Notice): boolean {
    const api = this.env.notification()
    if (!api || api.permission !== 'granted' || !this.env.isAway()) return false
    try {
      const n = new api(notice.title, { ...(notice.body ? { body: notice.body } : {}), ...(notice.tag ? { tag: notice.tag } : {}) })
      n.onclick = () => {
        this.env.focus()
        n.close()
      }
      return true
    } catch {
      // Some browsers only allow notifications from a service worker (`new Notification` throws there).
      return false
    }
  }
}

/** The fields of a server the watch reads (compute's Server has them all). */
export interface WatchedServer {
  id: string
  name: string
  status: string
  'OS-EXT-STS:task_state'?: string | null
  fault?: { message?: string }
}

export interface ServerOutcome {
  id: string
  name: string
  status: 'ACTIVE' | 'ERROR'
  fault?: string
}

/**
 * Follows instances across polls (the list's and the detail page's alike) and reports each one that was seen
 * changing (building, rebooting, any task) and is now ACTIVE or ERROR. The first sight of an instance reports
 * nothing, so loading a page never notifies; a second poll with the same outcome reports nothing either.
 */
export class ServerWatch {
  private readonly changing = new Map<string, boolean>()

  /** `isChanging` is the instances feature's rule (status BUILD, a busy status, or a task running). */
  observe<S extends WatchedServer>(servers: readonly S[] | undefined, isChanging: (s: S) => boolean): ServerOutcome[] {
    const ended: ServerOutcome[] = []
    for (const s of servers ?? []) {
      const now = isChanging(s)
      const before = this.changing.get(s.id)
      this.changing.set(s.id, now)
      if (before !== true || now) continue
      if (s.status === 'ACTIVE') ended.push({ id: s.id, name: s.name, status: 'ACTIVE' })
      else if (s.status === 'ERROR') ended.push({ id: s.id, name: s.name, status: 'ERROR', ...(s.fault?.message ? { fault: s.fault.message } : {}) })
    }
    return ended
  }
}

/** The words of an instance's notice. */
export function serverNotice(o: ServerOutcome): Notice {
  const name = o.name || o.id.slice(0, 8)
  return o.status === 'ACTIVE'
    ? { title: `Instance ${name} is active`, body: 'It is running.', tag: `server-${o.id}` }
    : { title: `Instance ${name} failed`, body: o.fault ?? 'Open it in Stackling for the action log.', tag: `server-${o.id}` }
}

/** The words of an image upload's notice. */
export function uploadNotice(outcome: { ok: true; imageName: string; status?: string } | { ok: false; fileName: string }): Notice {
  return outcome.ok
    ? { title: `Image ${outcome.imageName} uploaded`, body: outcome.status ? `Its status is ${outcome.status}.` : 'The upload is complete.', tag: 'image-upload' }
    : { title: 'Image upload failed', body: `${outcome.fileName} could not be uploaded: open Stackling for the reason.`, tag: 'image-upload' }
}

/** The browser's own Notification, focus and visibility; safe to create where there is no DOM (it looks lazily). */
export function browserNotifierEnv(): NotifierEnv {
  return {
    notification: () => {
      const n = (globalThis as { Notification?: unknown }).Notification
      return typeof n === 'function' ? (n as NotificationApi) : undefined
    },
    isAway: () => typeof document !== 'undefined' && (document.visibilityState === 'hidden' || !document.hasFocus()),
    focus: () => {
      if (typeof window !== 'undefined') window.focus()
    },
  }
}

/** The page's one notifier and instance watch: every hook shares them, so one outcome is one notice. */
export const notifier = new Notifier(browserNotifierEnv())
export const serverWatch = new ServerWatch()

/** Called with each poll's servers: notifies the instances that just became ACTIVE or ERROR (when the page is away). */
export function notifyServerOutcomes<S extends WatchedServer>(servers: readonly S[] | undefined, isChanging: (s: S) => boolean): void {
  for (const outcome of serverWatch.observe(servers, isChanging)) notifier.notifyIfAway(serverNotice(outcome))
}
