// The Redis and MySQL behind the gateways under test: the machine's own unless REDIS_URL and
// MYSQL_URL say otherwise (as for the gateways and the migration tool).
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
