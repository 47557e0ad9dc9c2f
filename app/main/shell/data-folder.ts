import { promises as fs } from 'node:fs'
import path from 'node:path'

/**
 * Resolves `candidate` (absolute, or relative to `dataDir`) to the real path of an existing file or folder inside
 * the data folder, the folder itself included. Both the path as written and the path after following symlinks must
 * be inside, so neither `..` nor a link can reach elsewhere.
 * @throws Error with a message for the user when the path is outside or does not exist.
 */
export async function resolveInsideDataDir(dataDir: string, candidate: string): Promise<string> {
  const root = path.resolve(dataDir)
  const target = path.resolve(root, candidate)
  if (!isInside(root, target)) throw new Error(`'${candidate}' is outside the Stackling data folder`)
  let real: string
  try {
    real = await fs.realpath(target)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`'${candidate}' does not exist`)
    throw err
  }
  if (!isInside(await fs.realpath(root), real)) throw new Error(`'${candidate}' is outside the Stackling data folder`)
  return real
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel))
}
