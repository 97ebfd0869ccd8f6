// SQL errors in PlanetScale's shape (PROTOCOL.md §6.1, §6.2) and Connect errors for HTTP-level
// failures (§6.3).

const CODES: Record<string, number[]> = {
  ALREADY_EXISTS: [1050, 1062, 1086, 1125],
  NOT_FOUND: [1032, 1054, 1094, 1109, 1122, 1141, 1146, 1147, 1176],
  INVALID_ARGUMENT: [
    1047, 1048, 1049, 1051, 1052, 1055, 1056, 1057, 1058, 1059, 1060, 1061, 1063, 1064, 1065, 1066,
    1067, 1068, 1069, 1070, 1071, 1072, 1073, 1074, 1075, 1083, 1084, 1085, 1089, 1090, 1093, 1096,
    1097, 1101, 1102, 1103, 1106, 1107, 1108, 1110, 1111, 1113, 1115, 1116, 1117, 1118, 1120, 1121,
    1136, 1149, 1222, 1231, 1232, 1248, 1292, 1366, 1406, 1411, 1690,
  ],
  FAILED_PRECONDITION: [
    1046, 1082, 1091, 1099, 1100, 1104, 1148, 1162, 1165, 1169, 1173, 1179, 1207, 1215, 1216, 1217,
    1223, 1230, 1241, 1242, 1264, 1288, 1289, 1291, 1451, 1452,
  ],
  ABORTED: [1078, 1080, 1152, 1213],
  DEADLINE_EXCEEDED: [1205],
  PERMISSION_DENIED: [1044, 1045, 1095, 1142, 1143, 1211, 1227, 1370],
  RESOURCE_EXHAUSTED: [
    1021, 1037, 1038, 1040, 1041, 1114, 1129, 1135, 1151, 1153, 1203, 1206, 1226,
  ],
  UNAVAILABLE: [1053, 2002, 2003, 2006, 2013],
  UNIMPLEMENTED: [1235],
}

const CODE_BY_ERRNO = new Map<number, string>()
for (const [code, errnos] of Object.entries(CODES)) {
  for (const errno of errnos) CODE_BY_ERRNO.set(errno, code)
}

/** The Vitess RPC code name for a MySQL errno; anything unlisted is UNKNOWN. */
export function codeForErrno(errno: number): string {
  return CODE_BY_ERRNO.get(errno) ?? 'UNKNOWN'
}

/** gRPC spells codes in CamelCase inside messages: ALREADY_EXISTS -> AlreadyExists. */
function grpcName(code: string): string {
  return code.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase())
}

const MAX_SQL_IN_ERROR = 512

export interface SqlErrorContext {
  database: string
  user: string
  sql: string
  /** the tablet type errors name, default primary (a read-only gateway: replica) */
  tablet?: 'primary' | 'replica'
}

export interface ErrorJson {
  code: string
  message: string
}

/** `target: … desc = <MySQL message> (errno N) (sqlstate S) (CallerID: …): Sql: "…"`. */
export function sqlError(
  errno: number,
  sqlState: string,
  text: string,
  ctx: SqlErrorContext,
  code = codeForErrno(errno)
): ErrorJson {
  const sql =
    ctx.sql.length > MAX_SQL_IN_ERROR
      ? `${ctx.sql.slice(0, MAX_SQL_IN_ERROR)} [TRUNCATED]`
      : ctx.sql
  const message =
    `target: ${ctx.database}.-.${ctx.tablet ?? 'primary'}: vttablet: rpc error: code = ${grpcName(code)} desc = ` +
    `${text} (errno ${errno}) (sqlstate ${sqlState}) (CallerID: ${ctx.user}): ` +
    `Sql: ${JSON.stringify(sql)}, BindVars: {}`
  return { code, message }
}

/**
 * A statement that ran out of time, worded as vttablet reports its query timeout (it kills the
 * query; the MySQL client sees errno 2013 inside the message).
 */
export function statementTimeoutError(
  elapsedMs: number,
  queryId: number,
  ctx: SqlErrorContext
): ErrorJson {
  const elapsed = `${(elapsedMs / 1000).toFixed(9)}s`
  return {
    code: 'CANCELED',
    message:
      `target: ${ctx.database}.-.${ctx.tablet ?? 'primary'}: vttablet: rpc error: code = Canceled desc = ` +
      `(errno 2013) due to context deadline exceeded, elapsed time: ${elapsed}, ` +
      `killing query ID ${queryId} (CallerID: ${ctx.user})`,
  }
}

/** A gateway-side failure reported like a vtgate error, without a MySQL errno. */
export function gatewayError(code: string, text: string, ctx: SqlErrorContext): ErrorJson {
  return {
    code,
    message: `target: ${ctx.database}.-.${ctx.tablet ?? 'primary'}: vtgate: rpc error: code = ${grpcName(code)} desc = ${text}`,
  }
}

const CONNECT_CODES: Record<number, string> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  405: 'invalid_argument',
  408: 'deadline_exceeded',
  413: 'resource_exhausted',
  415: 'invalid_argument',
  417: 'invalid_argument',
  429: 'resource_exhausted',
  431: 'resource_exhausted',
  501: 'unimplemented',
  503: 'unavailable',
  504: 'deadline_exceeded',
}

/**
 * Connect's `{code, message}` plus an `error` key, so the driver throws a DatabaseError
 * carrying the status and message instead of an UnknownError (PROTOCOL.md §6.3).
 */
export function connectErrorJson(status: number, message: string, code?: string): string {
  const name = code ?? CONNECT_CODES[status] ?? 'internal'
  const inner = JSON.stringify({ code: name, message })
  return `{"code":"${name}","message":${JSON.stringify(message)},"error":${inner}}`
}
