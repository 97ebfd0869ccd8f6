// What gateway-kit offers tests that run a gateway's command line (exported as
// @edge-status/gateway-kit/testing): plain Node, usable in a vitest globalSetup.
export * from './processes.ts'
