/** Reads a JSON text column; a missing or corrupt value gives `fallback` rather than an exception. */
export function parseJson<T>(text: unknown, fallback: T): T {
  try {
    return typeof text === 'string' ? (JSON.parse(text) as T) : fallback
  } catch {
    return fallback
  }
}
