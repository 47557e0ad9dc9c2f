import { useState, type ReactNode } from 'react'
import { Alert } from './alert'
import { Button } from './button'
import { Dialog } from './dialog'

export interface ConfirmDialogProps {
  title: ReactNode
  children: ReactNode
  confirmLabel: string
  /** Runs on confirm; a rejection is shown in the dialog (as `describe(error)`), which stays open. */
  onConfirm: () => Promise<unknown>
  onClose: () => void
  describe: (error: unknown) => string
  tone?: 'danger' | 'primary'
}

/** "Are you sure?" for destructive actions. Closes itself only when the action succeeded. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose, describe, tone = 'danger' }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const confirm = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await onConfirm()
      onClose()
    } catch (err) {
      setError(describe(err))
      setBusy(false)
    }
  }
  return (
    <Dialog
      title={title}
      size="sm"
      onClose={onClose}
      busy={busy}
      data-testid="confirm-dialog"
      onSubmit={() => void confirm()}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={tone} loading={busy} data-testid="confirm-button">
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      {error ? (
        <Alert tone="danger" data-testid="dialog-error">
          {error}
        </Alert>
      ) : null}
    </Dialog>
  )
}
