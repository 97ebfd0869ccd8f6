import { HonoBase } from 'hono/hono-base'
import { LinearRouter } from 'hono/router/linear-router'
import type { AppEnv } from '../app-env'

/**
 * A Hono app on LinearRouter. Every path of ours is static, which it matches by comparing strings;
 * hono/tiny's PatternRouter runs a regular expression per route on every request.
 */
export const newApp = () => new HonoBase<AppEnv>({ router: new LinearRouter() })
