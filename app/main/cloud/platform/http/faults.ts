import { STATUS_TITLES, type ApiError } from '../errors'

/** The fault shapes of the OpenStack services, checked against their api-ref samples. */

/** Keystone: {"error": {"code", "title", "message"}} */
export function keystoneFault(err: ApiError): { contentType: string; body: string } {
  return {
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: err.status, title: STATUS_TITLES[err.status] ?? 'Error', message: err.message } }),
  }
}

/** The key Nova and Cinder wrap their faults in, by status. */
const NOVA_FAULT_KEYS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  501: 'notImplemented',
  503: 'serviceUnavailable',
}

/** Nova and Cinder: {"itemNotFound": {"code": 404, "message": "…"}}; 500s are computeFault. */
export function novaFault(err: ApiError, fallbackKey = 'computeFault'): { contentType: string; body: string } {
  const key = NOVA_FAULT_KEYS[err.status] ?? fallbackKey
  return { contentType: 'application/json', body: JSON.stringify({ [key]: { code: err.status, message: err.message } }) }
}

const NEUTRON_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
  500: 'HTTPInternalServerError',
  501: 'HTTPNotImplemented',
}

/** Neutron: {"NeutronError": {"type", "message", "detail"}} */
export function neutronFault(err: ApiError): { contentType: string; body: string } {
  const type = (err as { neutronType?: string }).neutronType ?? NEUTRON_TYPES[err.status] ?? 'HTTPError'
  return { contentType: 'application/json', body: JSON.stringify({ NeutronError: { type, message: err.message, detail: '' } }) }
}

/** Glance (webob): {"code", "title", "message"} wrapped the way glanceclient and openstacksdk read it. */
export function glanceFault(err: ApiError): { contentType: string; body: string } {
  const title = STATUS_TITLES[err.status] ?? 'Error'
  return { contentType: 'application/json', body: JSON.stringify({ code: err.status, title, message: err.message }) }
}

/** Swift answers with short HTML bodies. */
export function swiftFault(err: ApiError): { contentType: string; body: string } {
  const title = STATUS_TITLES[err.status] ?? 'Error'
  const escaped = err.message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return { contentType: 'text/html; charset=UTF-8', body: `<html><h1>${title}</h1><p>${escaped}</p></html>` }
}
