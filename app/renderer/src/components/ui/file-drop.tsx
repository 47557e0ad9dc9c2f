import { useId, useRef, useState, type ReactNode } from 'react'
import { Icon } from './icons'

/**
 * A file chooser: a native <input type=file> (keyboard, screen readers, automation) inside a drop zone that
 * also accepts a file dragged onto it. Only the first file is used.
 */
export function FileDrop({
  label,
  accept,
  file,
  onFile,
  disabled,
  error,
  children,
  'data-testid': testId,
}: {
  label: ReactNode
  accept?: string
  file: File | null
  onFile: (file: File | null) => void
  disabled?: boolean
  error?: string
  /** Shown under the chosen file's name (size, what was detected). */
  children?: ReactNode
  'data-testid'?: string
}) {
  const id = useId()
  const errorId = `${id}-error`
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  return (
    <div className={['field', error && 'field-invalid'].filter(Boolean).join(' ')}>
      <span className="field-label">{label}</span>
      <label
        htmlFor={id}
        className={['file-drop', over && 'file-drop-over', file && 'file-drop-chosen', disabled && 'file-drop-disabled', error && 'file-drop-invalid'].filter(Boolean).join(' ')}
        onDragOver={(e) => {
          if (disabled) return
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          if (disabled) return
          const f = e.dataTransfer.files[0]
          if (f) onFile(f)
        }}
      >
        <input
          ref={input}
          id={id}
          type="file"
          className="visually-hidden"
          accept={accept}
          disabled={disabled}
          aria-describedby={error ? errorId : undefined}
          aria-invalid={error ? true : undefined}
          data-testid={testId}
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
        <Icon name={file ? 'check' : 'upload'} className="file-drop-icon" />
        {file ? (
          <span className="file-drop-text">
            <strong className="file-drop-name" data-testid="chosen-file">
              {file.name}
            </strong>
            {children ? <span className="file-drop-meta">{children}</span> : null}
            <span className="file-drop-change">Choose another file…</span>
          </span>
        ) : (
          <span className="file-drop-text">
            <strong>Choose a file</strong>
            <span className="muted"> or drop it here</span>
          </span>
        )}
      </label>
      {error ? (
        <div id={errorId} className="field-error" data-testid="field-error">
          {error}
        </div>
      ) : null}
    </div>
  )
}
