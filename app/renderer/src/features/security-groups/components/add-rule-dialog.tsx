import { useState } from 'react'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { Dialog } from '../../../components/ui/dialog'
import { SelectField, TextField } from '../../../components/ui/field'
import { cliEquivalent } from '../../../lib/openstack/cli-equivalent'
import { describeError } from '../../../lib/openstack/errors'
import type { SecurityGroup } from '../../../lib/openstack/network'
import { useCreateRule } from '../api/create-rule'
import { buildCreateRuleBody, describeRule, emptyRuleForm, hasErrors, validateRuleForm, type RuleErrors, type RuleForm } from '../utils/rule-form'

/** POST /v2.0/security-group-rules: direction, protocol, port range and remote CIDR (IPv4). */
export function AddRuleDialog({ group, onClose, onCreated }: { group: SecurityGroup; onClose: () => void; onCreated: (text: string) => void }) {
  const [form, setForm] = useState<RuleForm>(emptyRuleForm)
  const [errors, setErrors] = useState<RuleErrors>({})
  const create = useCreateRule()
  const set = <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }))
    if (errors[k]) setErrors((e) => ({ ...e, [k]: undefined }))
  }
  const found = validateRuleForm(form)
  const body = buildCreateRuleBody(form, group.id)
  const r = body.security_group_rule
  const summary = hasErrors(found)
    ? null
    : describeRule({
        direction: r.direction,
        ethertype: r.ethertype,
        protocol: r.protocol ?? null,
        port_range_min: r.port_range_min ?? null,
        port_range_max: r.port_range_max ?? null,
        remote_ip_prefix: r.remote_ip_prefix ?? null,
        remote_group_id: null,
      })
  const submit = () => {
    setErrors(found)
    if (hasErrors(found)) return
    void create.mutateAsync(body).then(
      () => {
        onCreated(summary ?? 'Rule')
        onClose()
      },
      () => undefined,
    )
  }
  const tcpUdp = form.protocol === 'tcp' || form.protocol === 'udp'
  return (
    <Dialog
      title={`Add rule to ${group.name}`}
      description="Security groups only allow: traffic no rule matches is dropped."
      onClose={onClose}
      busy={create.isPending}
      onSubmit={submit}
      data-testid="add-rule-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending} data-testid="add-rule-submit">
            Add rule
          </Button>
        </>
      }
    >
      {create.error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {describeError(create.error, 'add rules to this security group')}
        </Alert>
      ) : null}
      <div className="field-row">
        <SelectField label="Direction" value={form.direction} onChange={(e) => set('direction', e.target.value as RuleForm['direction'])} data-testid="rule-direction">
          <option value="ingress">Ingress (inbound)</option>
          <option value="egress">Egress (outbound)</option>
        </SelectField>
        <SelectField label="Protocol" value={form.protocol} onChange={(e) => set('protocol', e.target.value as RuleForm['protocol'])} data-testid="rule-protocol">
          <option value="tcp">TCP</option>
          <option value="udp">UDP</option>
          <option value="icmp">ICMP</option>
          <option value="any">Any</option>
        </SelectField>
      </div>
      <div className="field-row">
        <TextField
          label="Port range"
          optional
          disabled={!tcpUdp}
          value={tcpUdp ? form.ports : ''}
          onChange={(e) => set('ports', e.target.value)}
          error={errors.ports}
          placeholder="22 or 8000-8080"
          hint="Empty: all ports."
          data-testid="rule-ports"
        />
        <TextField label="Remote CIDR" optional value={form.remote} onChange={(e) => set('remote', e.target.value)} error={errors.remote} hint="Empty: anywhere." data-testid="rule-remote" />
      </div>
      <TextField label="Description" optional value={form.description} onChange={(e) => set('description', e.target.value)} error={errors.description} />
      {summary ? (
        <p className="muted small" data-testid="rule-summary">
          {summary}. In a terminal: <code>{cliEquivalent({ service: 'network', method: 'POST', path: '/v2.0/security-group-rules', body })}</code>
        </p>
      ) : null}
    </Dialog>
  )
}
