#!/usr/bin/env node
// The planetscale-gateway command. Its own file, so that importing ./cli.ts (the flags, for tests
// and tools) never starts a gateway, on every Node version and loader.
import { runGatewayCli } from '@edge-status/gateway-kit'
import { planetscaleCli } from './cli.ts'

await runGatewayCli(planetscaleCli)
