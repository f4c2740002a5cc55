/**
 * The Lua scripts of the Redis budget store. Each runs atomically inside Redis, so a reservation's check-and-reserve
 * over every applicable counter (or a settlement's give-back-and-book) cannot interleave with another instance's.
 *
 * Money arithmetic. Amounts are integer nano-dollars, written with HINCRBY (exact signed 64-bit integers in Redis)
 * and read back as decimal strings. Lua numbers are doubles, exact only up to 2^53 nano-dollars (≈ 9 million USD) —
 * a global month budget can pass that — so the scripts never turn money into a Lua number: sums and comparisons run
 * on the decimal strings (`add` digit by digit; `cmp` by length, then 15-digit chunks, which doubles hold exactly).
 * Token and request counts go through the same helpers, so nothing depends on which values happen to be small.
 * Sums that would leave the 64-bit range are refused with an error BEFORE anything is written (Redis does not roll
 * back a script's earlier writes when a later command fails).
 *
 * Scripts only do the atomic bookkeeping. Deciding which limit a refused request reports (and its message) and
 * which threshold alerts are due stays in the shared pure helpers (`checkReserve`, `newCrossings`), fed with the
 * counter values the scripts return, so the Redis store reports exactly what the SQL stores report.
 */
import { RedisScript } from '../../shared/redis-script.js';

const DECIMALS = `
local function dec(s)
  if type(s) ~= 'string' or not string.find(s, '^%d+$') then return '0' end
  local t = string.gsub(s, '^0+', '')
  if t == '' then return '0' end
  return t
end
local function cmp(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a, 15 do
    local x, y = tonumber(string.sub(a, i, i + 14)), tonumber(string.sub(b, i, i + 14))
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end
local function add(a, b)
  local out, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local d = carry
    if i > 0 then d = d + string.byte(a, i) - 48 end
    if j > 0 then d = d + string.byte(b, j) - 48 end
    carry = math.floor(d / 10)
    out[#out + 1] = string.char(48 + d - carry * 10)
    i, j = i - 1, j - 1
  end
  return dec(string.reverse(table.concat(out)))
end
local function fits64(s) return cmp(s, '9223372036854775807') <= 0 end
local function str(v) if v then return v end return '' end
`;

/** Fields of a counter hash, in the order the scripts return them. */
export const COUNTER_FIELDS = ['spent', 'tokens', 'requests', 'reserved', 'rtokens', 'alerted', 'agen'] as const;
/** Fields of a limit hash returned next to each counter. */
export const LIMIT_FIELDS = ['period', 'max_cost_nano', 'max_tokens', 'max_requests', 'gen'] as const;
/** Values per counter in a refused reservation's reply: the five usage fields and four limit fields. */
export const RESERVE_STRIDE = 9;
/** Values per counter in a close reply: all counter fields and all limit fields. */
export const CLOSE_STRIDE = COUNTER_FIELDS.length + LIMIT_FIELDS.length;

/**
 * KEYS[1] reservation, KEYS[2] open-reservation index; KEYS[2+i] counter i and KEYS[2+n+i] its limit (i = 1..n).
 * ARGV: n, cost, tokens, requests, id, now, expiresAt, counters JSON, then each counter's lifetime in ms ('' = none).
 * Replies `{'1'}` when reserved, else `{'0', <RESERVE_STRIDE values per counter>}` and changes nothing.
 */
export const RESERVE = new RedisScript(
  'budget-reserve',
  `${DECIMALS}
local n = tonumber(ARGV[1])
local cost, tokens, requests = dec(ARGV[2]), dec(ARGV[3]), dec(ARGV[4])
local reply, ok = {'0'}, true
for i = 1, n do
  local c = redis.call('HMGET', KEYS[2 + i], 'spent', 'tokens', 'requests', 'reserved', 'rtokens')
  local l = redis.call('HMGET', KEYS[2 + n + i], 'period', 'max_cost_nano', 'max_tokens', 'max_requests')
  local spent, tok, req, res, rtok = dec(c[1]), dec(c[2]), dec(c[3]), dec(c[4]), dec(c[5])
  if l[1] then
    if l[2] and cmp(add(add(spent, res), cost), dec(l[2])) > 0 then ok = false end
    if l[3] and cmp(add(add(tok, rtok), tokens), dec(l[3])) > 0 then ok = false end
    if l[4] and cmp(add(req, requests), dec(l[4])) > 0 then ok = false end
  end
  if not (fits64(add(res, cost)) and fits64(add(rtok, tokens)) and fits64(add(req, requests))) then
    return redis.error_reply('budget counter would overflow 64 bits')
  end
  for _, v in ipairs({spent, tok, req, res, rtok, str(l[1]), str(l[2]), str(l[3]), str(l[4])}) do
    reply[#reply + 1] = v
  end
end
if not ok then return reply end
for i = 1, n do
  local k = KEYS[2 + i]
  redis.call('HINCRBY', k, 'reserved', cost)
  redis.call('HINCRBY', k, 'rtokens', tokens)
  redis.call('HINCRBY', k, 'requests', requests)
  if ARGV[8 + i] ~= '' then redis.call('PEXPIRE', k, ARGV[8 + i]) end
end
redis.call('HSET', KEYS[1], 'id', ARGV[5], 'state', 'open', 'created_at', ARGV[6], 'expires_at', ARGV[7],
  'cost_nano', cost, 'tokens', tokens, 'requests', requests, 'counters', ARGV[8])
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[5])
return {'1'}`,
);

/**
 * Settles, releases or expires a reservation. KEYS[1] reservation, KEYS[2] open index, KEYS[3] closed index;
 * KEYS[3+i] counter i and KEYS[3+n+i] its limit. ARGV: n, mode (`settled` | `released` | `expired`), now, actual
 * cost, actual tokens, id, closed-record lifetime (ms), then each counter's lifetime ('' = none).
 *
 * An open reservation gives back what it holds (never below zero); an expired one holds nothing any more, but a
 * late settle still books its spend. `expired` only applies to open reservations. Replies `{'unknown'}`,
 * `{'closed'}` (nothing to do) or `{'ok', <CLOSE_STRIDE values per counter, read after the writes>}`.
 */
export const CLOSE = new RedisScript(
  'budget-close',
  `${DECIMALS}
local n, mode, id = tonumber(ARGV[1]), ARGV[2], ARGV[6]
local r = redis.call('HMGET', KEYS[1], 'state', 'cost_nano', 'tokens')
local state = r[1]
if not state then
  redis.call('ZREM', KEYS[2], id)
  return {'unknown'}
end
if state == 'settled' or state == 'released' or (mode == 'expired' and state ~= 'open') then
  if state ~= 'open' then redis.call('ZREM', KEYS[2], id) end
  return {'closed'}
end
local heldCost, heldTokens = '0', '0'
if state == 'open' then heldCost, heldTokens = dec(r[2]), dec(r[3]) end
local cost, tokens = dec(ARGV[4]), dec(ARGV[5])
for i = 1, n do
  local c = redis.call('HMGET', KEYS[3 + i], 'spent', 'tokens')
  if not (fits64(add(dec(c[1]), cost)) and fits64(add(dec(c[2]), tokens))) then
    return redis.error_reply('budget counter would overflow 64 bits')
  end
end
for i = 1, n do
  local k = KEYS[3 + i]
  local c = redis.call('HMGET', k, 'reserved', 'rtokens')
  for f, pair in ipairs({{'reserved', heldCost}, {'rtokens', heldTokens}}) do
    local field, held = pair[1], pair[2]
    if cmp(dec(c[f]), held) <= 0 then
      redis.call('HSET', k, field, '0')
    elseif held ~= '0' then
      redis.call('HINCRBY', k, field, '-' .. held)
    end
  end
  redis.call('HINCRBY', k, 'spent', cost)
  redis.call('HINCRBY', k, 'tokens', tokens)
  if ARGV[7 + i] ~= '' then redis.call('PEXPIRE', k, ARGV[7 + i]) end
end
redis.call('HSET', KEYS[1], 'state', mode, 'closed_at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZREM', KEYS[2], id)
redis.call('ZADD', KEYS[3], ARGV[3], id)
local reply = {'ok'}
for i = 1, n do
  local c = redis.call('HMGET', KEYS[3 + i], 'spent', 'tokens', 'requests', 'reserved', 'rtokens', 'alerted', 'agen')
  local l = redis.call('HMGET', KEYS[3 + n + i], 'period', 'max_cost_nano', 'max_tokens', 'max_requests', 'gen')
  for j = 1, 7 do reply[#reply + 1] = str(c[j]) end
  for j = 1, 5 do reply[#reply + 1] = str(l[j]) end
end
return reply`,
);

/**
 * Claims threshold alerts: raises a counter's alert high-water mark to ARGV[1] (percent) for limit generation
 * ARGV[2] and replies with the mark it had before, so of several instances settling at once each threshold is
 * reported by exactly one. KEYS[1] counter, KEYS[2] limit. A limit replaced or removed since (another generation)
 * replies 100: nothing of the old limit is reported. A mark left by an older generation counts as 0, which is how
 * `setLimit` re-arms the alerts of every period without touching the counters.
 */
export const CLAIM_ALERT = new RedisScript(
  'budget-claim-alert',
  `local gen = redis.call('HGET', KEYS[2], 'gen')
if gen ~= ARGV[2] then return 100 end
local current = 0
if redis.call('HGET', KEYS[1], 'agen') == gen then current = tonumber(redis.call('HGET', KEYS[1], 'alerted') or '0') end
if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'alerted', ARGV[1], 'agen', gen) end
return current`,
);
