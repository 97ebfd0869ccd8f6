import simdModule from 'argon2id/dist/simd.wasm'
import setupWasm, { type computeHash } from 'argon2id/lib/setup.js'

/**
 * Argon2id (RFC 9106) from OpenPGP.js's argon2id package. Workers compile no WebAssembly at run
 * time, so its .wasm is imported as a precompiled module and only instantiated here, once per
 * isolate, on the first hash. Only the SIMD build ships: workerd's V8 always has Wasm SIMD, and
 * the fallback build would cost 1.4 KiB of the bundle budget.
 */
let loading: Promise<computeHash> | undefined

type InstanceLoader = Parameters<typeof setupWasm>[0]

const instantiateSimd: InstanceLoader = async (imports) => ({
  module: simdModule,
  instance: await WebAssembly.instantiate(simdModule, imports),
})

const noFallback: InstanceLoader = () => {
  throw new Error('argon2id: this runtime has no WebAssembly SIMD')
}

export function loadArgon2id(): Promise<computeHash> {
  loading ??= setupWasm(instantiateSimd, noFallback).catch((error) => {
    loading = undefined
    throw error
  })
  return loading
}
