/** Where and as whom a connection reaches Redis. */
export interface RedisTarget {
  host: string
  port: number
  username?: string
  password?: string
  db: number
  /**
   * Log in as the database's own ACL user (created with the credentials above, the admin's), so
   * that nothing the connection carries, scripts included, reaches beyond the database.
   */
  tenant?: boolean
  /** A connection with replies outstanding and no bytes for this long is destroyed. */
  timeoutMs: number
}
