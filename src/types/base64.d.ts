// Uint8Array to and from base64 (TC39 "Uint8Array to/from base64", in V8 and workerd); TypeScript's
// lib does not have them yet.
interface Uint8Array {
  toBase64(options?: { alphabet?: 'base64' | 'base64url'; omitPadding?: boolean }): string
}
interface Uint8ArrayConstructor {
  fromBase64(string: string, options?: { alphabet?: 'base64' | 'base64url' }): Uint8Array
}
