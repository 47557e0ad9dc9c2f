import { Badge, type BadgeTone } from '../../../components/ui/badge'
import type { ImageVisibility } from '../../../lib/openstack/image'

/** Glance's four visibilities, in the words of the API reference. */
export const VISIBILITIES: { value: ImageVisibility; label: string; hint: string; adminOnly?: boolean }[] = [
  { value: 'private', label: 'Private', hint: 'Only your project can see and boot it.' },
  { value: 'shared', label: 'Shared', hint: 'Your project, and the projects you add as members of the image.' },
  { value: 'community', label: 'Community', hint: 'Every project can boot it; it is not in their image lists unless they ask for community images.' },
  { value: 'public', label: 'Public', hint: 'Every project sees it in its list (admins only).', adminOnly: true },
]

const TONES: Record<string, BadgeTone> = { public: 'accent', community: 'info', shared: 'warning', private: 'neutral' }

export const visibilityHint = (v: string) => VISIBILITIES.find((x) => x.value === v)?.hint ?? ''

export function VisibilityBadge({ visibility }: { visibility: string }) {
  return (
    <Badge tone={TONES[visibility] ?? 'neutral'} title={visibilityHint(visibility)} data-testid="image-visibility">
      {visibility}
    </Badge>
  )
}

/** The <option>s a user may choose: public only for admins (Glance's publicize_image policy), or when it already is. */
export function VisibilityOptions({ isAdmin, current }: { isAdmin: boolean; current?: string }) {
  return (
    <>
      {VISIBILITIES.filter((v) => !v.adminOnly || isAdmin || current === v.value).map((v) => (
        <option key={v.value} value={v.value}>
          {v.label}
        </option>
      ))}
    </>
  )
}
