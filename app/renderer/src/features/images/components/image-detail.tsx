import { useState, type ReactNode } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Icon } from '../../../components/ui/icons'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { formatByteCount, formatBytes, formatDateTime } from '../../../lib/format'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import { useSession } from '../../../lib/openstack/client-provider'
import { OpenStackError } from '../../../lib/openstack/errors'
import { Link, navigate } from '../../../lib/router'
import { useImage } from '../api/get-image'
import { describeImageError } from '../utils/image-errors'
import { customProperties, isSystemProperty } from '../utils/image-form'
import { canModify, imageStatusInfo } from '../utils/image-status'
import { ImageActionButtons, ImageActionDialogs, type ImageAction, type LaunchInstance } from './image-actions'
import { ImageStatusBadge } from './image-status-badge'
import { VisibilityBadge, visibilityHint } from './visibility'

/** One image, every field Glance returns (GET /v2/images/{id}), with its actions. */
export function ImageDetail({ id, basePath, launchInstance }: { id: string; basePath: string; launchInstance?: LaunchInstance }) {
  const session = useSession()
  const image = useImage(id)
  const [action, setAction] = useState<ImageAction | null>(null)
  const back = (
    <Link to={basePath} className="back-link" data-testid="back-to-images">
      <Icon name="arrowLeft" /> Images
    </Link>
  )

  if (image.status === 'pending') {
    return (
      <div className="page" data-testid="image-detail">
        {back}
        <LoadingState label="Loading the image…" />
      </div>
    )
  }
  if (image.status === 'error' || !image.data) {
    const gone = image.error instanceof OpenStackError && image.error.status === 404
    return (
      <div className="page" data-testid="image-detail">
        {back}
        <Alert
          tone={gone ? 'warning' : 'danger'}
          title={gone ? 'This image no longer exists' : 'Could not load the image'}
          data-testid="page-error"
          action={gone ? undefined : <Button onClick={() => void image.refetch()}>Try again</Button>}
        >
          {gone ? `No image has the ID ${id} (or it is not visible to project ${session.project?.name ?? ''}).` : describeImageError(image.error, 'see this image')}
        </Alert>
      </div>
    )
  }

  const img = image.data
  const mine = img.owner === session.project?.id
  const props = customProperties(img)
  const userProps = props.filter(([k]) => !isSystemProperty(k))
  const systemProps = props.filter(([k]) => isSystemProperty(k))

  return (
    <div className="page" data-testid="image-detail" data-id={img.id} data-status={img.status}>
      {back}
      <PageHeader
        title={
          <span className="cell-name">
            <span data-testid="detail-name">{img.name || '(no name)'}</span>
            <ImageStatusBadge image={img} />
          </span>
        }
        description={imageStatusInfo(img).hint}
        api={`GET /image/v2/images/${img.id}`}
        actions={
          <ImageActionButtons
            image={img}
            canModify={canModify(img, { projectId: session.project?.id, isAdmin: session.isAdmin })}
            isAdmin={session.isAdmin}
            onAction={setAction}
          />
        }
      />
      <div className="detail-grid">
        <Card title="Image">
          <dl className="detail-list">
            <Field name="id" label="ID">
              <Copyable text={img.id} />
            </Field>
            <Field name="name" label="Name">
              {img.name || <span className="muted">—</span>}
            </Field>
            <Field name="status" label="Status">
              <ImageStatusBadge image={img} />
            </Field>
            <Field name="visibility" label="Visibility">
              <span className="cell-name">
                <VisibilityBadge visibility={img.visibility} /> <span className="muted small">{visibilityHint(img.visibility)}</span>
              </span>
            </Field>
            <Field name="protected" label="Protected">
              {img.protected ? (
                <Badge tone="warning" dot>
                  yes: cannot be deleted
                </Badge>
              ) : (
                'no'
              )}
            </Field>
            <Field name="owner" label="Owner">
              {img.owner ? (
                <span className="cell-name">
                  <code className="id-text">{img.owner}</code>
                  {mine ? <Badge tone="accent">your project</Badge> : null}
                </span>
              ) : (
                <span className="muted">—</span>
              )}
            </Field>
            <Field name="os_hidden" label="Hidden">
              {img.os_hidden ? 'yes: left out of image lists' : 'no'}
            </Field>
            <Field name="created_at" label="Created">
              <span title={img.created_at}>{formatDateTime(img.created_at)}</span>
            </Field>
            <Field name="updated_at" label="Updated">
              <span title={img.updated_at}>{formatDateTime(img.updated_at)}</span>
            </Field>
            <Field name="tags" label="Tags">
              {img.tags?.length ? (
                <span className="tag-list">
                  {img.tags.map((t) => (
                    <Badge key={t}>{t}</Badge>
                  ))}
                </span>
              ) : (
                <span className="muted">none</span>
              )}
            </Field>
          </dl>
        </Card>
        <Card title="Data">
          <dl className="detail-list">
            <Field name="disk_format" label="Disk format">
              {img.disk_format ? <code className="format">{img.disk_format}</code> : <span className="muted">—</span>}
            </Field>
            <Field name="container_format" label="Container format">
              {img.container_format ? <code className="format">{img.container_format}</code> : <span className="muted">—</span>}
            </Field>
            <Field name="size" label="Size">
              {img.size != null ? (
                <span>
                  {formatBytes(img.size)} <span className="muted small">({formatByteCount(img.size)})</span>
                </span>
              ) : (
                <span className="muted">no data yet</span>
              )}
            </Field>
            <Field name="virtual_size" label="Virtual size">
              {img.virtual_size != null ? (
                <span title="The size of the disk the guest sees">
                  {formatBytes(img.virtual_size)} <span className="muted small">({formatByteCount(img.virtual_size)})</span>
                </span>
              ) : (
                <span className="muted">—</span>
              )}
            </Field>
            <Field name="checksum" label="Checksum (MD5)">
              {img.checksum ? <Copyable text={img.checksum} hash /> : <span className="muted">—</span>}
            </Field>
            <Field name="os_hash_algo" label="Hash algorithm">
              {img.os_hash_algo ? <code>{img.os_hash_algo}</code> : <span className="muted">—</span>}
            </Field>
            <Field name="os_hash_value" label="Hash value">
              {img.os_hash_value ? <Copyable text={img.os_hash_value} hash /> : <span className="muted">—</span>}
            </Field>
            <Field name="min_disk" label="Minimum disk">
              {img.min_disk ? `${img.min_disk} GB` : 'none'}
            </Field>
            <Field name="min_ram" label="Minimum RAM">
              {img.min_ram ? `${img.min_ram} MB` : 'none'}
            </Field>
          </dl>
          {img.checksum || img.os_hash_value ? (
            <p className="muted small detail-note">
              Check a downloaded copy with <code>{img.os_hash_algo && img.os_hash_value ? `${img.os_hash_algo}sum` : 'md5sum'} &lt;file&gt;</code>: it prints the same value.
            </p>
          ) : null}
        </Card>
        <Card title="Custom properties" data-testid="detail-properties">
          {userProps.length === 0 && systemProps.length === 0 ? (
            <p className="muted">
              None. Edit the image to add some, e.g. <code>hw_disk_bus=virtio</code>.
            </p>
          ) : (
            <dl className="detail-list">
              {userProps.map(([k, v]) => (
                <Field key={k} name={k} label={<code>{k}</code>}>
                  <span className="property-value">{v}</span>
                </Field>
              ))}
              {systemProps.map(([k, v]) => (
                <Field key={k} name={k} label={<code>{k}</code>}>
                  <span className="property-value" title="Written by Glance itself">
                    {v || <span className="muted">(empty)</span>} <Badge>Glance</Badge>
                  </span>
                </Field>
              ))}
            </dl>
          )}
        </Card>
        <Card title="In a terminal">
          <ul className="cli-list">
            <CliLine cmd={`openstack image show ${shellQuote(img.id)}`} />
            <CliLine cmd={`openstack image save --file ${shellQuote(`${img.name || img.id}.${img.disk_format || 'img'}`)} ${shellQuote(img.id)}`} />
            {userProps.length ? <CliLine cmd={`openstack image show -c properties ${shellQuote(img.id)}`} /> : null}
          </ul>
        </Card>
      </div>
      <ImageActionDialogs action={action} isAdmin={session.isAdmin} onClose={() => setAction(null)} onDeleted={() => navigate(basePath)} launchInstance={launchInstance} />
    </div>
  )
}

function Field({ name, label, children }: { name: string; label: ReactNode; children: ReactNode }) {
  return (
    <div className="detail-row" data-testid="detail-field" data-field={name}>
      <dt>{label}</dt>
      <dd data-testid={`detail-${name}`}>{children}</dd>
    </div>
  )
}

function Copyable({ text, hash }: { text: string; hash?: boolean }) {
  return (
    <span className="copyable">
      <code className={hash ? 'hash' : 'id-text'}>{text}</code>
      <CopyButton text={text} />
    </span>
  )
}

function CliLine({ cmd }: { cmd: string }) {
  return (
    <li className="cli-line">
      <code>{`$ ${cmd}`}</code>
      <CopyButton text={cmd} label="Copy the command" />
    </li>
  )
}
