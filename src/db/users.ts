import type { Db } from '../backends/planetscale'
import { insert } from './sql'

export interface User {
  id: string
  name: string
  email: string
  passwordHash: string
}

interface UserRow {
  id: string
  name: string
  email: string
  password_hash: string
}

const COLUMNS = 'id, name, email, password_hash'

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  passwordHash: row.password_hash,
})

async function findOne(db: Db, where: string, value: string): Promise<User | null> {
  const result = await db.execute<UserRow>(`SELECT ${COLUMNS} FROM users WHERE ${where} = ?`, [
    value,
  ])
  const row = result.rows[0]
  return row ? toUser(row) : null
}

/**
 * `email` is canonical (src/auth/email.ts). The unique indexes decide, with no pre-check to race
 * with: a taken email or a used registration key throws DuplicateKeyError.
 */
export function insertUser(
  db: Db,
  user: { name: string; email: string; passwordHash: string; registrationKey?: string | undefined }
): Promise<string> {
  return insert(
    db,
    'users',
    'INSERT INTO users (name, email, password_hash, registration_key) VALUES (?, ?, ?, ?)',
    [user.name, user.email, user.passwordHash, user.registrationKey ?? null]
  )
}

/** `email` is canonical; the column compares bytes (utf8mb4_bin), so only this form matches. */
export const findUserByEmail = (db: Db, email: string) => findOne(db, 'email', email)

export const findUserById = (db: Db, id: string) => findOne(db, 'id', id)

/** The account a sign-up with this idempotency key created, if any. */
export const findUserByRegistrationKey = (db: Db, key: string) =>
  findOne(db, 'registration_key', key)

export async function updatePasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.execute(
    'UPDATE users SET password_hash = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
    [passwordHash, id]
  )
}
