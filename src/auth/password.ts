import { randomBytes, timingSafeEqual } from 'node:crypto'
import { loadArgon2id } from './argon2id'
import { inTurn } from './hash-queue'

/**
 * Argon2id at OWASP Password Storage's first configuration (19 MiB, 2 passes, 1 lane). Stored as
 * the PHC string libargon2 writes, $argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>, so the parameters
 * can be raised later and old hashes upgraded at the next login.
 * Web Crypto PBKDF2 is no option: deployed Workers cap it at 100,000 iterations, below OWASP's.
 */
export interface Argon2Params {
  /** memory in KiB */
  m: number
  /** passes */
  t: number
  /** lanes */
  p: number
}

export const CURRENT_PARAMS: Argon2Params = { m: 19456, t: 2, p: 1 }
const TAG_BYTES = 32
const SALT_BYTES = 16
const ARGON2ID =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{11,})$/

// The argon2id package refuses passwords under 8 bytes (RFC 9106 does not). Registration asks for
// 15 characters or more, so no stored password is shorter: a shorter guess is wrong, and is
// answered after the same work as any other.
const MIN_PASSWORD_BYTES = 8
const FILLER = new Uint8Array(MIN_PASSWORD_BYTES)

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')
const formatParams = ({ m, t, p }: Argon2Params) => `m=${m},t=${t},p=${p}`
const encode = (password: string) => new TextEncoder().encode(password.normalize('NFC'))

/** Throws AppError('overloaded') when this isolate has too many hashes queued (hash-queue.ts). */
function argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2Params) {
  return inTurn(async () => {
    const compute = await loadArgon2id()
    return compute({
      password,
      salt,
      parallelism: params.p,
      passes: params.t,
      memorySize: params.m,
      tagLength: TAG_BYTES,
    })
  })
}

export async function hashPassword(password: string, params = CURRENT_PARAMS): Promise<string> {
  const bytes = encode(password)
  if (bytes.length < MIN_PASSWORD_BYTES) throw new Error('password shorter than 8 bytes')
  const salt = randomBytes(SALT_BYTES)
  const tag = await argon2id(bytes, salt, params)
  return `$argon2id$v=19$${formatParams(params)}$${b64(salt)}$${b64(tag)}`
}

// Verifying against this costs the same as a real check: unknown emails do the same work.
const DUMMY_HASH = `$argon2id$v=19$${formatParams(CURRENT_PARAMS)}$${'A'.repeat(22)}$${'A'.repeat(43)}`

export interface Verification {
  ok: boolean
  /** True when the stored hash is not Argon2id at CURRENT_PARAMS. */
  needsRehash: boolean
}

/** `stored` undefined means "no such user": the work is done anyway and the answer is no. */
export async function verifyPassword(
  password: string,
  stored: string | undefined
): Promise<Verification> {
  const match = ARGON2ID.exec(stored ?? DUMMY_HASH) ?? ARGON2ID.exec(DUMMY_HASH)
  if (!match) throw new Error('unreachable: dummy hash does not parse')
  const salt = Buffer.from(match[4] ?? '', 'base64')
  const expected = Buffer.from(match[5] ?? '', 'base64')
  const params = { m: Number(match[1]), t: Number(match[2]), p: Number(match[3]) }
  const bytes = encode(password)
  const tooShort = bytes.length < MIN_PASSWORD_BYTES
  const actual = await argon2id(tooShort ? FILLER : bytes, salt, params)
  const ok =
    stored !== undefined &&
    !tooShort &&
    expected.length === actual.length &&
    timingSafeEqual(expected, actual)
  return { ok, needsRehash: formatParams(params) !== formatParams(CURRENT_PARAMS) }
}

/** What tells one stored hash from another, without the hash itself: its random salt. */
export const passwordVersion = (stored: string) => stored.split('$')[4] ?? stored
