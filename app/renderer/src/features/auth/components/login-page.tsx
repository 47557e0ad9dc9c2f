import { useState } from 'react'
import type { ClientOptions, OpenStackClient } from '../../../lib/openstack/client'
import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { TextField } from '../../../components/ui/field'
import { Icon, Logo } from '../../../components/ui/icons'
import { describeLoginError, useLogin } from '../api/login'
import './login-page.css'

interface Errors {
  username?: string
  password?: string
  project?: string
}

/** Keystone login: username, password and project (all in domain Default). The token stays in memory. */
export function LoginPage({ clientOptions, onLoggedIn, notice }: { clientOptions: ClientOptions; onLoggedIn: (c: OpenStackClient) => void; notice?: string }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [project, setProject] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const loginMutation = useLogin({ clientOptions, onSuccess: onLoggedIn })

  const submit = () => {
    const next: Errors = {}
    if (!username.trim()) next.username = 'Enter your username.'
    if (!password) next.password = 'Enter your password.'
    if (!project.trim()) next.project = 'Enter the project to work in (admin logs in to "admin", demo to "demo").'
    setErrors(next)
    if (Object.keys(next).length > 0) return
    loginMutation.mutate({ username: username.trim(), password, project: project.trim() })
  }

  return (
    <div className="login">
      <div className="login-aside" aria-hidden="true">
        <div className="login-aside-inner">
          <Logo className="login-logo" />
          <h2>A whole OpenStack cloud, in your pocket.</h2>
          <ul>
            <li>
              <Icon name="server" />
              <span>Compute, images, volumes, networks and object storage</span>
            </li>
            <li>
              <Icon name="terminal" />
              <span>
                Every click shows its REST call and the matching <code>openstack</code> command
              </span>
            </li>
            <li>
              <Icon name="lock" />
              <span>Real Keystone tokens, projects and roles</span>
            </li>
          </ul>
        </div>
      </div>
      <main className="login-main">
        <form
          className="login-card"
          noValidate
          data-testid="login-form"
          aria-labelledby="login-title"
          onSubmit={(e) => {
            e.preventDefault()
            submit()
          }}
        >
          <div className="login-card-header">
            <Logo className="login-card-logo" />
            <h1 id="login-title">Log in to Stackling</h1>
            <p>Use a Keystone user of this cloud.</p>
          </div>
          {notice ? (
            <Alert tone="info" data-testid="login-notice">
              {notice}
            </Alert>
          ) : null}
          {loginMutation.error ? (
            <Alert tone="danger" data-testid="login-error">
              {describeLoginError(loginMutation.error)}
            </Alert>
          ) : null}
          <TextField
            label="Username"
            name="username"
            autoComplete="username"
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={errors.username}
            data-testid="login-username"
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            data-testid="login-password"
          />
          <TextField
            label="Project"
            name="project"
            autoComplete="off"
            value={project}
            onChange={(e) => setProject(e.target.value)}
            error={errors.project}
            hint="The project (tenant) to work in. Domain: Default."
            data-testid="login-project"
          />
          <Button type="submit" variant="primary" className="login-submit" loading={loginMutation.isPending} data-testid="login-submit">
            Log in
          </Button>
          <p className="login-footnote">
            First time? Stackling created an <strong>admin</strong> and a <strong>demo</strong> account; their passwords are in{' '}
            <code>credentials.json</code> in its data folder. You stay logged in only while this tab is open.
          </p>
        </form>
      </main>
    </div>
  )
}
