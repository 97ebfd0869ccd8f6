/**
 * The one error idiom of both gateways: thrown anywhere while a request is handled, it becomes
 * the answer, rendered in the gateway's own protocol. `code` is a protocol-specific name
 * (Connect's `unauthenticated`, …) for gateways whose errors carry one.
 */
export class HttpError extends Error {
  readonly status: number
  readonly code: string | undefined

  constructor(status: number, message: string, code?: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** The client went away before its request body arrived: nothing is answered. */
export class ClientGone extends Error {}
