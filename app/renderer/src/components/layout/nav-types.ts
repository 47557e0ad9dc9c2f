import type { IconName } from '../ui/icons'

/** One entry of the sidebar. `soon` marks a panel whose service is still a placeholder. */
export interface NavItem {
  path: string
  label: string
  icon: IconName
  soon?: boolean
  /** Only shown to admins. */
  adminOnly?: boolean
}

export interface NavSection {
  id: string
  title?: string
  items: NavItem[]
}
