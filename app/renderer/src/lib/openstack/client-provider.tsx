import { createContext, useContext, type ReactNode } from 'react'
import type { OpenStackClient } from './client'
import type { Session } from './types'

const ClientContext = createContext<OpenStackClient | null>(null)

/** Makes the logged-in client available to every panel. Rendered only once a session exists. */
export function ClientProvider({ client, children }: { client: OpenStackClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>
}

export function useClient(): OpenStackClient {
  const client = useContext(ClientContext)
  if (!client) throw new Error('useClient() used outside <ClientProvider>')
  return client
}

export function useSession(): Session & { isAdmin: boolean } {
  const client = useClient()
  return { ...client.session, isAdmin: client.isAdmin }
}
