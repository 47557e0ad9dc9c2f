import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import { BadRequest } from '../errors'

/** JSON Schema (draft-07 subset) for request bodies, as Nova and Keystone declare theirs. */
export type JsonSchema = Record<string, unknown>

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false })
const compiled = new WeakMap<JsonSchema, ValidateFunction>()

/** @throws BadRequest naming the first field that is wrong, in Keystone's wording. */
export function validateBody(schema: JsonSchema, body: unknown): void {
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (validate(body)) return
  const err = validate.errors![0]!
  const field = fieldOf(err)
  throw new BadRequest(`Invalid input for field '${field}': ${describe(err)}`, field)
}

function fieldOf(err: ErrorObject): string {
  const base = err.instancePath.replace(/^\//, '')
  const extra =
    err.keyword === 'required'
      ? (err.params as { missingProperty: string }).missingProperty
      : err.keyword === 'additionalProperties'
        ? (err.params as { additionalProperty: string }).additionalProperty
        : ''
  return [base, extra].filter(Boolean).join('/') || '(body)'
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'required':
      return `'${(err.params as { missingProperty: string }).missingProperty}' is a required property`
    case 'additionalProperties':
      return `Additional properties are not allowed ('${(err.params as { additionalProperty: string }).additionalProperty}' was unexpected)`
    case 'type':
      return `must be of type ${(err.params as { type: string }).type}`
    default:
      return err.message ?? 'is invalid'
  }
}

/** Shorthands for the schemas the services write. */
export const S = {
  string: (min = 0, max = 255): JsonSchema => ({ type: 'string', minLength: min, maxLength: max }),
  name: (max = 64): JsonSchema => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' }),
  nullableString: (max = 255): JsonSchema => ({ type: ['string', 'null'], maxLength: max }),
  boolean: { type: 'boolean' } as JsonSchema,
  id: { type: 'string', minLength: 1, maxLength: 64 } as JsonSchema,
  object(properties: Record<string, JsonSchema>, required: string[] = [], additional = true): JsonSchema {
    return { type: 'object', properties, required, additionalProperties: additional }
  },
  /** A body with one top-level key ({"project": {…}}), nothing else. */
  wrapped(key: string, inner: JsonSchema): JsonSchema {
    return { type: 'object', properties: { [key]: inner }, required: [key], additionalProperties: true }
  },
}
