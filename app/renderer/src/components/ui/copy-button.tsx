import { useEffect, useState } from 'react'
import { Button } from './button'

/** Copies text to the clipboard, falling back to a hidden textarea where the Clipboard API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // Permission refused (e.g. an unfocused window): try the old way below.
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.className = 'visually-hidden'
  document.body.appendChild(ta)
  ta.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  ta.remove()
  return ok
}

export function CopyButton({ text, label = 'Copy', 'data-testid': testId }: { text: string; label?: string; 'data-testid'?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const t = setTimeout(() => setState('idle'), 1600)
    return () => clearTimeout(t)
  }, [state])
  return (
    <Button
      variant="ghost"
      size="sm"
      icon={state === 'copied' ? 'check' : 'copy'}
      className={state === 'copied' ? 'copy-done' : undefined}
      aria-label={`${label}: ${text}`}
      title={state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy: select the text and copy it by hand' : label}
      data-testid={testId}
      onClick={() => {
        void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))
      }}
    >
      {state === 'copied' ? 'Copied' : undefined}
    </Button>
  )
}
