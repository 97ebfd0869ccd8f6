#!/usr/bin/env node
// The upstash-gateway command. Its own file, so that importing ./cli.ts (the flags, for tests and
// tools) never starts a gateway, on every Node version and loader.
import { runGatewayCli } from '@edge-status/gateway-kit'
import { upstashCli } from './cli.ts'

await runGatewayCli(upstashCli)
