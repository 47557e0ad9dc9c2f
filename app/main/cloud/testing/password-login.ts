/** Password login against a running cloud (domain Default, project-scoped), for tests: returns the token. */
export async function passwordLogin(url: string, username: string, password: string, project: string): Promise<string> {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: username, domain: { id: 'default' }, password } } },
        scope: { project: { name: project, domain: { id: 'default' } } },
      },
    }),
  })
  if (res.status !== 201) throw new Error(`login of ${username} on ${project} answered ${res.status}: ${await res.text()}`)
  return res.headers.get('x-subject-token')!
}
