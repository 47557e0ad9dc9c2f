import { desktopBridge, identityUrlOf } from '../../../lib/desktop'
import { OpenStackClient, type ClientOptions } from '../../../lib/openstack/client'

/**
 * In the desktop app the preload hands us a token for the machine's owner: adopt it (GET /v3/auth/tokens for
 * its catalog and roles) instead of asking for a password. Resolves null in an ordinary browser.
 */
export async function connectDesktopSession(options: ClientOptions): Promise<OpenStackClient | null> {
  const bridge = desktopBridge()
  if (!bridge) return null
  const session = await bridge.getSession()
  return OpenStackClient.fromToken(options, session.token, identityUrlOf(session.endpoint))
}

export const hasDesktopSession = (): boolean => desktopBridge() !== undefined
