import type { Db } from './connection'
import { isDuplicateKey } from './errors'

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

const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  email: row.email,
  passwordHash: row.password_hash,
})

export class EmailTakenError extends Error {
  constructor() {
    super('email already registered')
  }
}

/** The unique index on email decides; there is no pre-check to race with. */
export async function insertUser(
  db: Db,
  user: { name: string; email: string; passwordHash: string }
): Promise<string> {
  try {
    const result = await db.execute(
      'INSERT INTO users (name, email, password_hash) VALUES (?, ?, ?)',
      [user.name, user.email, user.passwordHash]
    )
    return result.insertId
  } catch (error) {
    if (isDuplicateKey(error)) throw new EmailTakenError()
    throw error
  }
}

export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  const result = await db.execute<UserRow>(
    'SELECT id, name, email, password_hash FROM users WHERE email = ?',
    [email]
  )
  const row = result.rows[0]
  return row ? toUser(row) : null
}

export async function findUserById(db: Db, id: string): Promise<User | null> {
  const result = await db.execute<UserRow>(
    'SELECT id, name, email, password_hash FROM users WHERE id = ?',
    [id]
  )
  const row = result.rows[0]
  return row ? toUser(row) : null
}

export async function updatePasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.execute(
    'UPDATE users SET password_hash = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?',
    [passwordHash, id]
  )
}
