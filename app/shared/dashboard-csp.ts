/**
 * The dashboard's Content-Security-Policy: nothing inline, nothing from elsewhere, API calls and console websockets
 * to the cloud's own loopback origin only. The cloud sends it with the dashboard's HTML; the desktop shell adds it
 * again to every page of its window, so the window holds it even if a server answer ever lacked it.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')
