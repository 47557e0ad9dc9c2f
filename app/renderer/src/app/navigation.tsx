import type { ReactNode } from 'react'
import { ComingSoon } from '../components/coming-soon'
import type { NavSection } from '../components/layout/nav-types'
import type { IconName } from '../components/ui/icons'
import { useToast } from '../components/ui/toast'
import { CloudShellPage } from '../features/cloud-shell/components/cloud-shell-page'
import { FlavorsPage } from '../features/flavors/components/flavors-page'
import type { LaunchInstance } from '../features/images/components/image-actions'
import { ImagesPage } from '../features/images/components/images-page'
import { InstancesPage } from '../features/instances/components/instances-page'
import { LaunchInstanceDialog } from '../features/instances/components/launch-instance-dialog'
import { KeyPairsPage } from '../features/key-pairs/components/key-pairs-page'
import { useClient } from '../lib/openstack/client-provider'
import { navigate } from '../lib/router'
import { FloatingIpsPage } from '../features/floating-ips/components/floating-ips-page'
import { RoutersPage } from '../features/routers/components/routers-page'
import { SecurityGroupsPage } from '../features/security-groups/components/security-groups-page'
import { NetworksPage } from '../features/networks/components/networks-page'
import { PortsPage } from '../features/ports/components/ports-page'
import { TopologyPage } from '../features/topology/components/topology-page'
import { ContainersPage } from '../features/containers/components/containers-page'
import { VolumesPage } from '../features/volumes/components/volumes-page'
import { OverviewPage } from '../features/overview/components/overview-page'
import { HealthPage } from '../features/health/components/health-page'
import { ServiceProblems } from '../features/health/components/service-problems'
import { SettingsPage } from '../features/settings/components/settings-page'
import { ProjectsPage } from '../features/projects/components/projects-page'
import { RoleAssignmentsPage } from '../features/role-assignments/components/role-assignments-page'
import { UsersPage } from '../features/users/components/users-page'

/**
 * Every panel of the dashboard, in sidebar order. A service's panels start as `soon` placeholders; the work
 * that builds a service replaces its `render` with the feature's page and drops `soon`.
 */
export interface Panel {
  path: string
  label: string
  icon: IconName
  section: string
  soon?: boolean
  adminOnly?: boolean
  /** The catalog types whose API this panel uses. */
  serviceTypes?: string[]
  render: () => ReactNode
}

export const soon = (p: {
  path: string
  label: string
  icon: IconName
  section: string
  serviceTypes: string[]
  service: string
  api: string
  cli: string
  description: string
}): Panel => ({
  path: p.path,
  label: p.label,
  icon: p.icon,
  section: p.section,
  serviceTypes: p.serviceTypes,
  soon: true,
  render: () => <ComingSoon title={p.label} icon={p.icon} service={p.service} api={p.api} cli={p.cli} description={p.description} />,
})

export const SECTIONS: { id: string; title?: string }[] = [
  { id: 'home' },
  { id: 'compute', title: 'Compute' },
  { id: 'storage', title: 'Storage' },
  { id: 'network', title: 'Network' },
  { id: 'identity', title: 'Identity' },
  { id: 'system', title: 'System' },
]

export const PANELS: Panel[] = [
  { path: '/overview', label: 'Overview', icon: 'overview', section: 'home', render: () => (
      <>
        <ServiceProblems />
        <OverviewPage comingSoon={comingSoonTypes()} />
      </>
    ) },
  { path: '/cloud-shell', label: 'Cloud shell', icon: 'terminal', section: 'home', render: () => <CloudShellPage /> },
  { path: '/compute/instances', label: 'Instances', icon: 'server', section: 'compute', serviceTypes: ['compute'], render: () => <InstancesPage basePath="/compute/instances" /> },
  { path: '/compute/flavors', label: 'Flavors', icon: 'flavor', section: 'compute', serviceTypes: ['compute'], render: () => <FlavorsPage /> },
  { path: '/compute/key-pairs', label: 'Key pairs', icon: 'key', section: 'compute', serviceTypes: ['compute'], render: () => <KeyPairsPage /> },
  { path: '/compute/images', label: 'Images', icon: 'image', section: 'compute', serviceTypes: ['image'], render: () => <ImagesWithLaunch /> },
  { path: '/storage/volumes', label: 'Volumes', icon: 'volume', section: 'storage', serviceTypes: ['volumev3', 'block-storage'], render: () => <VolumesPage basePath="/storage/volumes" /> },
  { path: '/storage/object-store', label: 'Object store', icon: 'objectStore', section: 'storage', serviceTypes: ['object-store'], render: () => <ContainersPage basePath="/storage/object-store" /> },
  { path: '/network/topology', label: 'Topology', icon: 'topology', section: 'network', serviceTypes: ['network'], render: () => <TopologyPage /> },
  { path: '/network/networks', label: 'Networks', icon: 'network', section: 'network', serviceTypes: ['network'], render: () => <NetworksPage basePath="/network/networks" /> },
  { path: '/network/ports', label: 'Ports', icon: 'port', section: 'network', serviceTypes: ['network'], render: () => <PortsPage /> },
  { path: '/network/security-groups', label: 'Security groups', icon: 'lock', section: 'network', serviceTypes: ['network'], render: () => <SecurityGroupsPage /> },
  { path: '/network/routers', label: 'Routers', icon: 'network', section: 'network', serviceTypes: ['network'], render: () => <RoutersPage /> },
  { path: '/network/floating-ips', label: 'Floating IPs', icon: 'link', section: 'network', serviceTypes: ['network'], render: () => <FloatingIpsPage basePath="/network/floating-ips" /> },
  { path: '/identity/projects', label: 'Projects', icon: 'project', section: 'identity', render: () => <ProjectsPage /> },
  { path: '/identity/users', label: 'Users', icon: 'user', section: 'identity', render: () => <UsersPage /> },
  { path: '/identity/role-assignments', label: 'Role assignments', icon: 'role', section: 'identity', render: () => <RoleAssignmentsPage /> },
  { path: '/system/health', label: 'Health', icon: 'cpu', section: 'system', adminOnly: true, render: () => <HealthPage /> },
  { path: '/system/settings', label: 'Settings', icon: 'edit', section: 'system', adminOnly: true, render: () => <SettingsPage /> },
]

export const HOME = '/overview'

/** The Images panel, whose "Launch instance" opens the compute launch wizard with that image chosen. */
function ImagesWithLaunch() {
  const client = useClient()
  const launch: LaunchInstance | undefined = client.endpoint('compute') ? (image, onClose) => <LaunchFromImage imageId={image.id} onClose={onClose} /> : undefined
  return <ImagesPage basePath="/compute/images" launchInstance={launch} />
}

function LaunchFromImage({ imageId, onClose }: { imageId: string; onClose: () => void }) {
  const toast = useToast()
  return (
    <LaunchInstanceDialog
      initialImageId={imageId}
      onClose={onClose}
      onLaunched={(_server, names) => {
        onClose()
        toast(`Launching ${names.join(', ')}: the list follows it until it is active.`, 'info')
        navigate('/compute/instances')
      }}
    />
  )
}

/** Service types none of whose panels is built yet. */
function comingSoonTypes(): string[] {
  const types = new Set(PANELS.flatMap((p) => p.serviceTypes ?? []))
  return [...types].filter((t) => PANELS.every((p) => !p.serviceTypes?.includes(t) || p.soon))
}

export function navSections(): NavSection[] {
  return SECTIONS.map((s) => ({
    id: s.id,
    title: s.title,
    items: PANELS.filter((p) => p.section === s.id).map(({ path, label, icon, soon: isSoon, adminOnly }) => ({ path, label, icon, soon: isSoon, adminOnly })),
  }))
}

export function findPanel(path: string): Panel | undefined {
  return PANELS.find((p) => p.path === path || path.startsWith(`${p.path}/`))
}
