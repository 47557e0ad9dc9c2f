import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes } from 'react'

/**
 * A tiny hash router. The cloud serves its APIs under /identity, /compute, … on the same origin, so dashboard
 * routes live in the fragment (#/identity/projects) and can never be mistaken for an API path on reload.
 */
function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb)
  return () => window.removeEventListener('hashchange', cb)
}

function currentPath(): string {
  const h = window.location.hash.replace(/^#/, '')
  return h.startsWith('/') ? h.split('?')[0]! : '/'
}

/** The query of the fragment (`#/network/ports?network=…`), read once by panels that take a filter from a link. */
export function currentQuery(): URLSearchParams {
  const h = window.location.hash
  const i = h.indexOf('?')
  return new URLSearchParams(i >= 0 ? h.slice(i + 1) : '')
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath)
}

export function navigate(path: string): void {
  if (currentPath() !== path) window.location.hash = path
}

export function useNavigate(): (path: string) => void {
  return useCallback((path: string) => navigate(path), [])
}

export function Link({ to, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return <a href={`#${to}`} {...rest} />
}
