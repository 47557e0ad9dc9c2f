import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import { describeError } from '../../../lib/openstack/errors'
import type { Port, SecurityGroup } from '../../../lib/openstack/network'
import { useUpdatePort } from '../api/port-mutations'
import { buildSecurityGroupsBody } from '../utils/port-form'
import { SecurityGroupChoices } from './security-group-choices'

/** PUT /v2.0/ports/{id} with the port's new list of security groups; they apply at once. */
export function PortSecurityGroupsDialog({ port, groups, onClose, onSaved }: { port: Port; groups: readonly SecurityGroup[]; onClose: () => void; onSaved: () => void }) {
  const [selected, setSelected] = useState<string[]>(port.security_groups)
  const update = useUpdatePort()
  const own = groups.filter((g) => g.project_id === port.project_id)
  const unchanged = selected.length === port.security_groups.length && selected.every((id) => port.security_groups.includes(id))
  const body = buildSecurityGroupsBody(selected)
  const cli = cliEquivalent({ service: 'network', method: 'PUT', path: `/v2.0/ports/${port.id}`, body })
  return (
    <Dialog
      title="Security groups of the port"
      description={`Port ${port.fixed_ips.map((f) => f.ip_address).join(', ') || port.id}: the rules of the groups chosen here decide what reaches it.`}
      onClose={onClose}
      busy={update.isPending}
      onSubmit={() =>
        void update.mutateAsync({ id: port.id, body }).then(
          () => {
            onSaved()
            onClose()
          },
          () => undefined,
        )
      }
      data-testid="port-groups-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={update.isPending} disabled={unchanged} data-testid="port-groups-submit">
            Save
          </Button>
        </>
      }
    >
      {update.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(update.error, "change this port's security groups (only its project or an admin may)")}
        </Alert>
      ) : null}
      <SecurityGroupChoices groups={own} selected={selected} onChange={setSelected} />
      {cli ? (
        <div className="cli-line" data-testid="port-groups-cli">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </div>
      ) : null}
    </Dialog>
  )
}
