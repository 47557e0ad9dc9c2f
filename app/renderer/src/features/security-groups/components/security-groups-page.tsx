import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { EmptyState } from '../../../components/ui/empty-state'
import { Card, PageHeader } from '../../../components/ui/page'
import { LoadingState } from '../../../components/ui/spinner'
import { DataTable, type Column } from '../../../components/ui/table'
import { useToast } from '../../../components/ui/toast'
import { useSession } from '../../../lib/openstack/client-provider'
import { describeError } from '../../../lib/openstack/errors'
import type { SecurityGroup, SecurityGroupRule } from '../../../lib/openstack/network'
import { useDeleteRule } from '../api/delete-rule'
import { useSecurityGroups } from '../api/get-security-groups'
import { describeRule } from '../utils/rule-form'
import { AddRuleDialog } from './add-rule-dialog'
import './security-groups.css'

const ports = (r: SecurityGroupRule) =>
  r.port_range_min === null ? <span className="muted">any</span> : r.port_range_min === r.port_range_max || r.port_range_max === null ? String(r.port_range_min) : `${r.port_range_min}–${r.port_range_max}`

/** Network → Security groups: each group's rules (what traffic its instances accept and send); add and delete rules. */
export function SecurityGroupsPage() {
  const session = useSession()
  const groups = useSecurityGroups()
  const removeRule = useDeleteRule()
  const toast = useToast()
  const [adding, setAdding] = useState<SecurityGroup | null>(null)
  const [deleting, setDeleting] = useState<{ group: SecurityGroup; rule: SecurityGroupRule } | null>(null)
  const all = [...(groups.data ?? [])].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)))
  const nameOf = (id: string) => all.find((g) => g.id === id)?.name ?? `${id.slice(0, 8)}…`
  const canEdit = (g: SecurityGroup) => session.isAdmin || g.project_id === session.project?.id

  const columns = (g: SecurityGroup): Column<SecurityGroupRule>[] => [
    { key: 'direction', header: 'Direction', render: (r) => <Badge tone={r.direction === 'ingress' ? 'info' : 'neutral'}>{r.direction}</Badge> },
    { key: 'ethertype', header: 'Ether type', render: (r) => r.ethertype },
    { key: 'protocol', header: 'Protocol', render: (r) => (r.protocol ? r.protocol.toUpperCase() : <span className="muted">any</span>) },
    { key: 'ports', header: 'Ports', render: ports },
    { key: 'remote', header: 'Remote', render: (r) => (r.remote_group_id ? `group ${nameOf(r.remote_group_id)}` : r.remote_ip_prefix ?? <span className="muted">anywhere</span>) },
    { key: 'what', header: 'Allows', className: 'col-grow', render: (r) => <span className="muted small">{describeRule(r, nameOf)}</span> },
    ...(canEdit(g)
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            className: 'col-actions',
            render: (r: SecurityGroupRule) => (
              <Button size="sm" variant="ghost" icon="trash" className="btn-danger-ghost" aria-label="Delete rule" title="Delete rule" onClick={() => setDeleting({ group: g, rule: r })} data-testid="delete-rule" />
            ),
          },
        ]
      : []),
  ]

  return (
    <div className="page" data-testid="security-groups-page">
      <PageHeader
        title="Security groups"
        description="Firewall rules for instance ports. Only what a rule allows gets through; members of a group may talk to each other through the default group's rules."
        api="GET /networking/v2.0/security-groups"
        actions={<Button icon="refresh" aria-label="Refresh" title="Refresh" onClick={() => void groups.refetch()} loading={groups.isFetching && groups.status === 'success'} />}
      />
      {groups.status === 'pending' ? (
        <LoadingState label="Loading security groups…" />
      ) : groups.status === 'error' ? (
        <Alert tone="danger" title="Could not list the security groups" data-testid="page-error" action={<Button onClick={() => void groups.refetch()}>Try again</Button>}>
          {describeError(groups.error, 'list security groups')}
        </Alert>
      ) : all.length === 0 ? (
        <EmptyState icon="lock" title="No security groups">
          Neutron creates a project's default group the first time it is needed.
        </EmptyState>
      ) : (
        <div className="security-group-list">
          {all.map((g) => {
            const rules = [...(g.security_group_rules ?? [])].sort((a, b) => a.direction.localeCompare(b.direction) || a.ethertype.localeCompare(b.ethertype))
            return (
              <Card
                key={g.id}
                data-testid="security-group"
                title={
                  <span className="cell-name">
                    <strong>{g.name}</strong>
                    <span className="muted small">{g.description}</span>
                  </span>
                }
                actions={
                  canEdit(g) ? (
                    <Button size="sm" icon="plus" onClick={() => setAdding(g)} data-testid="add-rule">
                      Add rule
                    </Button>
                  ) : null
                }
              >
                {rules.length ? (
                  <DataTable label={`Rules of ${g.name}`} columns={columns(g)} rows={rules} rowKey={(r) => r.id} rowTestId="rule-row" rowProps={(r) => ({ 'data-id': r.id })} />
                ) : (
                  <p className="muted">No rules: nothing gets in or out.</p>
                )}
              </Card>
            )
          })}
        </div>
      )}
      {adding ? <AddRuleDialog group={adding} onClose={() => setAdding(null)} onCreated={(text) => toast(`${text}: rule added to ${adding.name}.`)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this rule?"
          confirmLabel="Delete rule"
          describe={(e) => describeError(e, 'delete rules of this security group')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await removeRule.mutateAsync(deleting.rule.id)
            toast(`Rule deleted from ${deleting.group.name}.`)
          }}
        >
          <p>
            {describeRule(deleting.rule, nameOf)} — instances in <strong>{deleting.group.name}</strong> stop allowing this traffic at once.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
