import { randomUUID } from 'node:crypto'

/** Client ids are kept when they are plain tokens: nothing that could forge a log field or a header. */
const ACCEPTED_ID = /^[\w.:/+=@-]{1,128}$/

/** The request id: the client's X-Request-Id when it is a sane token, otherwise a new UUID. */
export function requestIdFrom (header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header
  return value !== undefined && ACCEPTED_ID.test(value) ? value : randomUUID()
}
