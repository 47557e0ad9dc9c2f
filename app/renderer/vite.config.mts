import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = fileURLToPath(new URL('.', import.meta.url))

/**
 * The dashboard is static files served by the cloud at `/` under a strict CSP (no inline script or style,
 * nothing from elsewhere), so the build emits only same-origin .js/.css files. Vite 8 compiles TSX with Oxc;
 * no React plugin is needed for a production build.
 */
export default defineConfig({
  root: here,
  base: '/',
  publicDir: 'public',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'react' },
  },
  build: {
    outDir: '../../build/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // The polyfill is a few lines in the entry chunk (not inline), but every browser we support has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
  },
})
