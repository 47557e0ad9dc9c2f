import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react'
import { Button } from './button'

export interface DialogProps {
  title: ReactNode
  description?: ReactNode
  children?: ReactNode
  footer?: ReactNode
  /** Esc and the × button call this; the parent unmounts the dialog. */
  onClose: () => void
  /** While busy, Esc does nothing (a request is under way). */
  busy?: boolean
  size?: 'sm' | 'md' | 'lg'
  /** When given, the body and footer are one <form> (Enter submits). */
  onSubmit?: () => void
  'data-testid'?: string
}

/**
 * A modal built on the native <dialog> (focus trap, Esc, top layer and ::backdrop for free). Mount it to
 * open it; unmount it to close it.
 */
export function Dialog({ title, description, children, footer, onClose, busy, size = 'md', onSubmit, ...rest }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const descId = useId()
  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    return () => {
      if (d?.open) d.close()
    }
  }, [])
  const body = (
    <>
      <div className="dialog-body">{children}</div>
      {footer ? <div className="dialog-footer">{footer}</div> : null}
    </>
  )
  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault()
        if (!busy) onClose()
      }}
      data-testid={rest['data-testid']}
    >
      <div className="dialog-header">
        <div>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {description ? (
            <p id={descId} className="dialog-description">
              {description}
            </p>
          ) : null}
        </div>
        <Button variant="ghost" size="sm" icon="close" aria-label="Close" onClick={onClose} disabled={busy} />
      </div>
      {onSubmit ? (
        <form
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault()
            onSubmit()
          }}
        >
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  )
}
