import type { SecurityGroup } from '../../../lib/openstack/network'

/** A checkbox per security group, with its description: which groups' rules filter the port. */
export function SecurityGroupChoices({ groups, selected, onChange }: { groups: readonly SecurityGroup[]; selected: readonly string[]; onChange: (ids: string[]) => void }) {
  const sorted = [...groups].sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)))
  return (
    <fieldset className="choice-fieldset port-groups" data-testid="port-groups">
      <legend className="field-label">Security groups</legend>
      {sorted.length === 0 ? (
        <p className="muted small">No security group in this project yet (Neutron makes the default one when first needed).</p>
      ) : (
        <div className="port-group-list">
          {sorted.map((g) => (
            <label key={g.id} className="port-group" data-testid="port-group" data-name={g.name}>
              <input
                type="checkbox"
                className="checkbox"
                checked={selected.includes(g.id)}
                onChange={(e) => onChange(e.target.checked ? [...selected, g.id] : selected.filter((id) => id !== g.id))}
              />
              <span>
                <strong>{g.name}</strong>
                {g.description ? <span className="muted small"> — {g.description}</span> : null}
              </span>
            </label>
          ))}
        </div>
      )}
      <p className="field-hint">{selected.length === 0 ? 'None: with port security on, nothing gets in or out of this port.' : 'Traffic a rule of any chosen group allows gets through.'}</p>
    </fieldset>
  )
}
