import { useState, type ReactNode } from 'react'
import { Alert } from './alert'
import { Button } from './button'

/** Saves text as a file through a blob URL (no server round trip; the secret never leaves the page otherwise). */
export function downloadText(fileName: string, text: string, type = 'application/x-pem-file'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/**
 * A secret the API returns once (a generated private key): a download button and a warning that it will not
 * be shown again. The text itself is never rendered on screen.
 */
export function SecretDownload({ fileName, text, what, children }: { fileName: string; text: string; what: string; children?: ReactNode }) {
  const [saved, setSaved] = useState(false)
  return (
    <div className="secret-download" data-testid="secret-download">
      <Alert tone={saved ? 'success' : 'warning'} title={saved ? `${fileName} downloaded` : `Download the ${what} now`}>
        {saved
          ? 'Keep it safe: whoever has it can log in to the instances that use this key pair.'
          : `The cloud returns the ${what} only this once and does not keep it: it will not be shown again.`}
        {children}
      </Alert>
      <div>
        <Button
          variant={saved ? 'secondary' : 'primary'}
          icon="download"
          onClick={() => {
            downloadText(fileName, text)
            setSaved(true)
          }}
          data-testid="secret-download-button"
        >
          {saved ? `Download ${fileName} again` : `Download ${fileName}`}
        </Button>
      </div>
    </div>
  )
}
