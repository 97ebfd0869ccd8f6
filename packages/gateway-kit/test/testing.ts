// What gateway-kit offers the gateways' own tests (exported as @edge-status/gateway-kit/testing).
export * from './hostile-http.ts'
export * from './processes.ts'
