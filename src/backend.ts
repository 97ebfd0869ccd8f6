/** A backend (Upstash or PlanetScale) could not be reached in time: the request answers 503. */
export class BackendUnavailable extends Error {
  constructor(backend: 'upstash' | 'planetscale', cause: unknown) {
    super(`${backend} unavailable: ${String(cause)}`, { cause })
    this.name = 'BackendUnavailable'
  }
}
