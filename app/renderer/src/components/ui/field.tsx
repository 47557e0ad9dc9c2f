import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'

interface FieldShellProps {
  label: ReactNode
  hint?: ReactNode
  error?: string
  optional?: boolean
  children: (ids: { id: string; describedBy?: string; invalid: boolean }) => ReactNode
}

/** Label + control + hint + error, wired for screen readers (aria-describedby, aria-invalid). */
function FieldShell({ label, hint, error, optional, children }: FieldShellProps) {
  const id = useId()
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className={['field', error && 'field-invalid'].filter(Boolean).join(' ')}>
      <label htmlFor={id} className="field-label">
        {label}
        {optional ? <span className="field-optional">optional</span> : null}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error ? (
        <div id={errorId} className="field-error" data-testid="field-error">
          {error}
        </div>
      ) : hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
    </div>
  )
}

export function TextField({ label, hint, error, optional, ...input }: { label: ReactNode; hint?: ReactNode; error?: string; optional?: boolean } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldShell label={label} hint={hint} error={error} optional={optional}>
      {({ id, describedBy, invalid }) => <input id={id} className="input" aria-describedby={describedBy} aria-invalid={invalid || undefined} {...input} />}
    </FieldShell>
  )
}

export function SelectField({
  label,
  hint,
  error,
  optional,
  children,
  ...select
}: { label: ReactNode; hint?: ReactNode; error?: string; optional?: boolean; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <FieldShell label={label} hint={hint} error={error} optional={optional}>
      {({ id, describedBy, invalid }) => (
        <select id={id} className="input select" aria-describedby={describedBy} aria-invalid={invalid || undefined} {...select}>
          {children}
        </select>
      )}
    </FieldShell>
  )
}

export function CheckboxField({ label, hint, ...input }: { label: ReactNode; hint?: ReactNode } & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const id = useId()
  return (
    <div className="field field-checkbox">
      <input id={id} type="checkbox" className="checkbox" {...input} />
      <label htmlFor={id} className="field-label">
        {label}
        {hint ? <span className="field-hint">{hint}</span> : null}
      </label>
    </div>
  )
}
