// The Lua scripts behind sessions.ts. Each one's work is bounded by the per-user cap on sessions
// (the index never holds more: every insert trims it), never by what a user did before.

/** Redis's clock in ms, for scores that must agree across isolates. */
const NOW_MS = `local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)`

/**
 * A login's or password change's new session, refused (0) when the password it was opened with
 * has been replaced since it was read: a password change marks the old one (END_ALL_SESSIONS)
 * before it stores the new hash, so a login that read the old hash either stores its session
 * before the change ends every session, or is refused here. Then the index: members whose
 * session has ended are forgotten, and the oldest beyond the cap are ended.
 * KEYS: session, index, replaced passwords. ARGV: data, idle s, index TTL s, created ms, id hash,
 * cap, password version ('' when none to check), session key prefix.
 */
export const START_SESSION = `
if ARGV[7] ~= '' then
  ${NOW_MS}
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZSCORE', KEYS[3], ARGV[7]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[3])
for _, idHash in ipairs(redis.call('ZRANGE', KEYS[2], 0, ARGV[6])) do
  if redis.call('EXISTS', ARGV[8] .. idHash) == 0 then redis.call('ZREM', KEYS[2], idHash) end
end
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
if extra > 0 then
  for _, idHash in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do
    redis.call('DEL', ARGV[8] .. idHash)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
return 1`

/**
 * Ends every session of a user; with a password version, first marks that password replaced for
 * ARGV[3] ms (long enough for any login that read it to have ended). Sessions of the older set
 * index are ended too, at most ARGV[4] per call.
 * KEYS: index, legacy index, replaced passwords. ARGV: session key prefix, password version or
 * '', ms to keep the mark, legacy bound.
 */
export const END_ALL_SESSIONS = `
if ARGV[2] ~= '' then
  ${NOW_MS}
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('ZADD', KEYS[3], now + ARGV[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
local ended = 0
for _, idHash in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  ended = ended + redis.call('DEL', ARGV[1] .. idHash)
end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  for _, idHash in ipairs(redis.call('SPOP', KEYS[2], ARGV[4])) do
    ended = ended + redis.call('DEL', ARGV[1] .. idHash)
  end
end
return ended`

// Logout knows only the session ID, not the user: one script deletes the entry and its index
// membership in a single round trip (the index key comes from the stored value).
export const END_SESSION = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
redis.call('DEL', KEYS[1])
local ok, session = pcall(cjson.decode, value)
if ok and type(session) == 'table' and type(session._data) == 'table'
  and type(session._data.user) == 'table' and type(session._data.user.value) == 'table' then
  redis.call('ZREM', ARGV[1] .. tostring(session._data.user.value.id) .. ARGV[2], ARGV[3])
end
return 1`

// The index and its entries in one round trip (at most ARGV[2] of them); members whose entry
// expired are pruned, except by the read-only form (EVAL_RO, which a read region answers).
const listSessions = (prune: boolean) => `
local out = {}
for _, idHash in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local key = ARGV[1] .. idHash
  local value = redis.call('GET', key)
  if value then
    table.insert(out, idHash)
    table.insert(out, value)
    table.insert(out, redis.call('PTTL', key))
  ${prune ? "else redis.call('ZREM', KEYS[1], idHash)" : ''}
  end
end
return out`
export const LIST_SESSIONS = listSessions(true)
export const LIST_SESSIONS_READ_ONLY = listSessions(false)

// Only a member of the caller's own index can be revoked.
export const REVOKE_SESSION = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
return 1`
