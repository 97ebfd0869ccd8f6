import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * scrypt through the runtime's native node:crypto (OWASP Password Storage: N=2^14, r=8, p=5).
 * Web Crypto PBKDF2 is capped at 100,000 iterations on deployed Workers, below OWASP's figure.
 * Stored form: $scrypt$ln=14,r=8,p=5$<salt>$<key>, so parameters can be raised later and old
 * hashes upgraded at the next login.
 */
export interface ScryptParams {
  ln: number
  r: number
  p: number
}

export const CURRENT_PARAMS: ScryptParams = { ln: 14, r: 8, p: 5 }
const KEY_BYTES = 32
const SALT_BYTES = 16
const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln
  // Node checks 128 * N * r against maxmem (default 32 MiB); leave headroom for raised parameters.
  const maxmem = 256 * N * params.r
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N, r: params.r, p: params.p, maxmem },
      (error, key) => (error ? reject(error) : resolve(key))
    )
  })
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
const formatParams = (p: ScryptParams) => `ln=${p.ln},r=${p.r},p=${p.p}`

export async function hashPassword(password: string, params = CURRENT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, params)
  return `$scrypt$${formatParams(params)}$${b64(salt)}$${b64(key)}`
}

// Verifying against this costs the same as a real check: unknown emails do the same work.
const DUMMY_HASH = `$scrypt$${formatParams(CURRENT_PARAMS)}$${'A'.repeat(22)}$${'A'.repeat(43)}`

export interface Verification {
  ok: boolean
  /** True when the stored hash uses other parameters than CURRENT_PARAMS. */
  needsRehash: boolean
}

/** `stored` undefined means "no such user": the work is done anyway and the answer is no. */
export async function verifyPassword(
  password: string,
  stored: string | undefined
): Promise<Verification> {
  const match = FORMAT.exec(stored ?? DUMMY_HASH) ?? FORMAT.exec(DUMMY_HASH)
  if (!match) throw new Error('unreachable: dummy hash does not parse')
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) }
  const expected = Buffer.from(match[5] ?? '', 'base64')
  const actual = await derive(password, Buffer.from(match[4] ?? '', 'base64'), params)
  const ok =
    stored !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual)
  return { ok, needsRehash: formatParams(params) !== formatParams(CURRENT_PARAMS) }
}
