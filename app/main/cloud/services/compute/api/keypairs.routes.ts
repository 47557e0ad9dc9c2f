import { isAdmin } from '../../../platform/auth-context'
import { Conflict, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { ComputeManager } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import { KeypairNotFound, QuotaExceeded } from '../errors'
import { generateEd25519Keypair, generateRsaKeypair, parsePublicKey } from '../keypair-crypto'
import type { Keypair } from '../models'
import { keypairView } from './views'

const CREATE = {
  type: 'object',
  properties: {
    keypair: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9 _-]+$' },
        public_key: { type: 'string', maxLength: 16384 },
        // Stackling extension at 2.1 (Nova takes `type` from 2.2): which key to generate when none is given.
        key_type: { type: 'string', enum: ['rsa', 'ed25519'] },
      },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['keypair'],
  additionalProperties: false,
}

/** Key pairs belong to users (not projects); an admin may act for another user with ?user_id=. */
export function registerKeypairRoutes(router: Router, repo: ComputeRepository, manager: ComputeManager): void {
  const owner = (req: ApiRequest) => {
    const userId = req.query.get('user_id')
    if (userId && userId !== req.ctx.userId && !isAdmin(req.ctx)) throw new Forbidden('Only an admin may manage the key pairs of another user.')
    return userId ?? req.ctx.userId
  }
  const load = async (req: ApiRequest) => {
    const userId = owner(req)
    const k = await repo.keypair(userId, req.params.name!)
    if (!k) throw new KeypairNotFound(req.params.name!, userId)
    return k
  }

  router.get('/v2.1/os-keypairs', { policy: 'compute:keypairs:index' }, async (req) => {
    const list = await repo.keypairs(owner(req))
    return json(200, { keypairs: list.map((k) => ({ keypair: keypairView(k) })) })
  })
  router.get('/v2.1/os-keypairs/:name', { policy: 'compute:keypairs:show', load }, (_req, k) =>
    json(200, { keypair: keypairView(k, { user_id: k.user_id, created_at: k.created_at.replace(/Z$/, ''), deleted: false, deleted_at: null, updated_at: null, id: 0 }) }),
  )
  router.post('/v2.1/os-keypairs', { policy: 'compute:keypairs:create', body: CREATE }, async (req: ApiRequest<{ keypair: { name: string; public_key?: string; key_type?: 'rsa' | 'ed25519' } }>) => {
    const b = req.body.keypair
    const userId = owner(req)
    let privateKey: string | undefined
    let publicKey: string
    let fingerprint: string
    if (b.public_key) {
      publicKey = b.public_key.trim()
      fingerprint = parsePublicKey(publicKey).fingerprint
    } else {
      const made = b.key_type === 'ed25519' ? generateEd25519Keypair(`Generated-by-Stackling`) : generateRsaKeypair('Generated-by-Stackling')
      ;({ publicKey, privateKey, fingerprint } = made)
    }
    const kp: Keypair = { user_id: userId, name: b.name, type: 'ssh', public_key: publicKey, fingerprint, created_at: new Date().toISOString() }
    const limit = (await manager.quotas(req.ctx.projectId ?? '')).key_pairs ?? 100
    await repo.db
      .transaction(async (tx) => {
        const used = await repo.countKeypairs(userId, tx)
        if (limit >= 0 && used + 1 > limit) throw new QuotaExceeded('key_pairs', 1, used, limit)
        await repo.insertKeypair(tx, kp)
      })
      .catch((err) => {
        if ((err as { status?: number }).status === 409) throw new Conflict(`Key pair '${b.name}' already exists.`)
        throw err
      })
    return json(200, { keypair: keypairView(kp, { user_id: userId, ...(privateKey ? { private_key: privateKey } : {}) }) })
  })
  router.delete('/v2.1/os-keypairs/:name', { policy: 'compute:keypairs:delete', load }, async (_req, k) => {
    await repo.db.transaction((tx) => repo.deleteKeypair(tx, k.user_id, k.name))
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })
}
