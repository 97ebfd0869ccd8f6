import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../src/auth/password'

const PASSWORD = 'correct horse battery staple'
// Made with Node 24's crypto.argon2Sync (OpenSSL), salt "sixteen byte sal":
// an implementation independent of the WebAssembly one the Worker runs.
const OPENSSL_ARGON2ID =
  '$argon2id$v=19$m=19456,t=2,p=1$c2l4dGVlbiBieXRlIHNhbA$tKk2gUqm8SsZxIwKwNdax8uSrFpRRq75bla2/W94+oA'
const OPENSSL_ARGON2ID_WEAK =
  '$argon2id$v=19$m=4096,t=1,p=1$c2l4dGVlbiBieXRlIHNhbA$PW4VxDkzX2syy2rzv1zW9YJupgUjE/f3sEGnWDeyXxs'

describe('password hashing', () => {
  it('writes Argon2id PHC strings at m=19456, t=2, p=1 with a fresh salt each time', async () => {
    const first = await hashPassword(PASSWORD)
    const second = await hashPassword(PASSWORD)
    expect(first).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/
    )
    expect(second).not.toBe(first)
    expect(await verifyPassword(PASSWORD, first)).toEqual({ ok: true, needsRehash: false })
  })

  it('agrees with OpenSSL on Argon2id tags', async () => {
    expect(await verifyPassword(PASSWORD, OPENSSL_ARGON2ID)).toEqual({
      ok: true,
      needsRehash: false,
    })
    expect(await verifyPassword(PASSWORD, OPENSSL_ARGON2ID_WEAK)).toEqual({
      ok: true,
      needsRehash: true,
    })
  })

  it('says no to a wrong password, an unknown user and a malformed stored hash', async () => {
    expect((await verifyPassword(`${PASSWORD}!`, OPENSSL_ARGON2ID)).ok).toBe(false)
    expect((await verifyPassword('Correct horse battery staple', OPENSSL_ARGON2ID)).ok).toBe(false)
    expect((await verifyPassword(PASSWORD, undefined)).ok).toBe(false)
    // Under the argon2id package's 8-byte minimum: still a plain no, not an error.
    expect((await verifyPassword('', OPENSSL_ARGON2ID)).ok).toBe(false)
    expect((await verifyPassword('1234567', OPENSSL_ARGON2ID)).ok).toBe(false)
    expect((await verifyPassword(PASSWORD, '$argon2id$v=19$m=19456')).ok).toBe(false)
    expect((await verifyPassword(PASSWORD, '')).ok).toBe(false)
  })

  it('treats canonically equivalent Unicode passwords as one (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait')
    expect((await verifyPassword('cafe\u0301 au lait', stored)).ok).toBe(true)
  })
})
