import { OpenStackClient, type ClientOptions, type PasswordCredentials } from '../../../lib/openstack/client'
import { OpenStackError, describeError } from '../../../lib/openstack/errors'
import { useMutation } from '../../../lib/query'

/** POST /identity/v3/auth/tokens with the password method, scoped to a project of domain Default. */
export const login = (options: ClientOptions, creds: PasswordCredentials) => OpenStackClient.login(options, creds)

export function useLogin({ clientOptions, onSuccess }: { clientOptions: ClientOptions; onSuccess: (client: OpenStackClient) => void }) {
  return useMutation({
    mutationFn: (creds: PasswordCredentials) => login(clientOptions, creds),
    onSuccess,
  })
}

/** What to tell someone whose login failed. */
export function describeLoginError(err: unknown): string {
  if (err instanceof OpenStackError) {
    if (err.status === 401) {
      return 'The username, password or project name is wrong. Check all three (Stackling wrote them to credentials.json in its data folder) and try again.'
    }
    if (err.status === 0) return 'Could not reach the Stackling cloud. Check that it is running, then try again.'
    if (err.status === 403) return 'This account may not log in to that project: ask an administrator to give you a role on it.'
  }
  return describeError(err, 'log in')
}
