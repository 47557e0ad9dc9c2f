import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react'
import type { ApiCall, CallLog } from './call-log'

const CallLogContext = createContext<CallLog | null>(null)

export function CallLogProvider({ log, children }: { log: CallLog; children: ReactNode }) {
  return <CallLogContext.Provider value={log}>{children}</CallLogContext.Provider>
}

export function useCallLog(): CallLog {
  const log = useContext(CallLogContext)
  if (!log) throw new Error('useCallLog() used outside <CallLogProvider>')
  return log
}

/** Every recorded call, oldest first; re-renders on each new call or answer. */
export function useApiCalls(): readonly ApiCall[] {
  const log = useCallLog()
  return useSyncExternalStore(log.subscribe, log.snapshot)
}
