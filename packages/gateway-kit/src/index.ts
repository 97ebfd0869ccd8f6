export * from './gateway.ts'
export * from './http.ts'
export * from './server-url.ts'
