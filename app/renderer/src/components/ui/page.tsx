import type { ReactNode } from 'react'

/** The heading block of a panel: title, one line on what it is, the API it uses, and its actions. */
export function PageHeader({ title, description, api, actions }: { title: ReactNode; description?: ReactNode; api?: string; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-header-text">
        <h1 className="page-title">{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
        {api ? (
          <p className="page-api">
            API: <code>{api}</code>
          </p>
        ) : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  )
}

export function Card({ title, children, actions, className, ...rest }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; 'data-testid'?: string }) {
  return (
    <section className={['card', className].filter(Boolean).join(' ')} {...rest}>
      {title || actions ? (
        <div className="card-header">
          {title ? <h2 className="card-title">{title}</h2> : null}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </div>
      ) : null}
      <div className="card-body">{children}</div>
    </section>
  )
}
