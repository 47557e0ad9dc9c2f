import { PageHeader } from './ui/page'
import { Icon, type IconName } from './ui/icons'

/** The panel for a service that is still a placeholder in this release. */
export function ComingSoon({ title, icon, service, api, cli, description }: { title: string; icon: IconName; service: string; api: string; cli: string; description: string }) {
  return (
    <div className="page" data-testid="coming-soon">
      <PageHeader title={title} description={description} api={api} />
      <div className="coming-soon">
        <div className="coming-soon-icon">
          <Icon name={icon} />
        </div>
        <h2>Coming soon</h2>
        <p>
          The {service} service of Stackling is not built yet, so this panel is empty for now. When it lands you will manage{' '}
          {title.toLowerCase()} here, and every call will show in the API calls panel.
        </p>
        <p className="coming-soon-cli">
          In a terminal, this will be <code>{cli}</code>
        </p>
      </div>
    </div>
  )
}
