"""The Lua scripts behind ``voxctl.store.table``: each write or page is one atomic round trip.

Every script gets the table's spec as ``ARGV[1]`` (JSON): ``indexes`` (a list of
``{t: template, live: bool}``), ``status`` (the status field's name, or ""), ``final`` (final statuses),
``retention`` (ms a final record is kept, 0 for ever), ``expiring`` and
``expiring_indexes`` (the expiry bookkeeping keys). Index members are record keys.

Expiry: when a record becomes final it gets a TTL, its key goes into the
``expiring`` sorted set (scored by when the TTL runs out, on the server's clock)
and the indexes still holding it are noted; every page query first removes the
index entries of records whose time has come, so counts stay exact.
"""

LIBRARY = r"""
redis.replicate_commands()
local spec = cjson.decode(ARGV[1])

local function expand(tpl, f)
  local ok = true
  local out = string.gsub(tpl, '{([%w_]+)}', function(name)
    local v = f[name]
    if v == nil or v == '' then ok = false; return '' end
    return v
  end)
  if ok then return out end
  return nil
end

local function is_final(f)
  local s = f[spec.status]
  if s == nil then return false end
  for _, v in ipairs(spec.final) do
    if v == s then return true end
  end
  return false
end

local function index_keys(f, every)
  local live = every or not is_final(f)
  local out = {}
  for _, ix in ipairs(spec.indexes) do
    if live or not ix.live then
      local k = expand(ix.t, f)
      if k then out[k] = true end
    end
  end
  return out
end

local function as_table(flat)
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  return f
end

local function flatten(f)
  local flat = {}
  for k, v in pairs(f) do
    flat[#flat + 1] = k
    flat[#flat + 1] = v
  end
  return flat
end

local function server_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function note_expiry(rkey, f, schedule)
  if spec.retention <= 0 then return end
  local list = {}
  for k in pairs(index_keys(f)) do list[#list + 1] = k end
  if schedule then
    redis.call('PEXPIRE', rkey, spec.retention)
    redis.call('ZADD', spec.expiring, server_ms() + spec.retention, rkey)
  end
  redis.call('HSET', spec.expiring_indexes, rkey, cjson.encode(list))
end

local function forget(rkey, f)
  for k in pairs(index_keys(f, true)) do redis.call('ZREM', k, rkey) end
  redis.call('DEL', rkey)
  redis.call('ZREM', spec.expiring, rkey)
  redis.call('HDEL', spec.expiring_indexes, rkey)
end
"""

INSERT = LIBRARY + r"""
-- KEYS[1] record key; ARGV[2] score; ARGV[3] unique index template or ''; ARGV[4..] field, value, ...
-- A final record under the same key is replaced; a live one is not.
-- -> {1} inserted | {0, fields} the unique index already holds a record (returned) | {-1} key taken
local rkey = KEYS[1]
local flat = {}
for i = 4, #ARGV do flat[#flat + 1] = ARGV[i] end
local f = as_table(flat)
if ARGV[3] ~= '' then
  local ukey = expand(ARGV[3], f)
  while ukey do
    local top = redis.call('ZREVRANGE', ukey, 0, 0)[1]
    if not top then break end
    local existing = redis.call('HGETALL', top)
    if #existing > 0 then return {0, existing} end
    redis.call('ZREM', ukey, top)
  end
end
local taken = as_table(redis.call('HGETALL', rkey))
if next(taken) ~= nil then
  if not is_final(taken) then return {-1} end
  forget(rkey, taken)
end
redis.call('HSET', rkey, unpack(flat))
for k in pairs(index_keys(f)) do redis.call('ZADD', k, ARGV[2], rkey) end
if is_final(f) then note_expiry(rkey, f, true) end
return {1}
"""

UPDATE = LIBRARY + r"""
-- KEYS[1] record key; ARGV[2] JSON {set: [f, v, ...], setnx: [f, v, ...], del: [f, ...],
--   elapsed: [[field, from_field, to_field], ...], strict: bool, only_from: [status, ...]}
-- A final status never changes: strict -> {0, fields} untouched; otherwise a new status is dropped.
-- With a non-empty ``only_from`` the record is left untouched ({0, fields}) unless its status is one of them.
-- ``setnx`` fields are written only when absent; ``elapsed`` fills field (if absent) with the seconds
-- between two timestamps once to_field is set (0 without from_field). -> {1, fields} | nil (no record)
local function iso_ms(s)
  local y, mo, d, h, mi, se, ms = string.match(s, '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)Z$')
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  local frac = 0
  if ms ~= '' then frac = tonumber(string.sub(ms .. '00', 1, 3)) end
  return (((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60 + tonumber(se)) * 1000 + frac
end

local rkey = KEYS[1]
local ops = cjson.decode(ARGV[2])
local f = as_table(redis.call('HGETALL', rkey))
if next(f) == nil then return nil end
local was_final = is_final(f)
if was_final and ops.strict then return {0, flatten(f)} end
if ops.only_from and #ops.only_from > 0 then
  local allowed = false
  for _, s in ipairs(ops.only_from) do
    if f[spec.status] == s then allowed = true end
  end
  if not allowed then return {0, flatten(f)} end
end
local old = index_keys(f)
local writes = {}
for i = 1, #ops.set, 2 do
  local k, v = ops.set[i], ops.set[i + 1]
  if not (was_final and k == spec.status) then
    f[k] = v
    writes[#writes + 1] = k
    writes[#writes + 1] = v
  end
end
for i = 1, #ops.setnx, 2 do
  local k, v = ops.setnx[i], ops.setnx[i + 1]
  if f[k] == nil then
    f[k] = v
    writes[#writes + 1] = k
    writes[#writes + 1] = v
  end
end
local dels = {}
for _, k in ipairs(ops.del) do
  if f[k] ~= nil then
    f[k] = nil
    dels[#dels + 1] = k
  end
end
for _, e in ipairs(ops.elapsed) do
  if f[e[1]] == nil and f[e[3]] ~= nil then
    local secs = 0
    if f[e[2]] ~= nil then
      local a, b = iso_ms(f[e[2]]), iso_ms(f[e[3]])
      if a and b and b > a then secs = math.floor((b - a) / 1000 + 0.5) end
    end
    f[e[1]] = tostring(secs)
    writes[#writes + 1] = e[1]
    writes[#writes + 1] = f[e[1]]
  end
end
if #writes > 0 then redis.call('HSET', rkey, unpack(writes)) end
if #dels > 0 then redis.call('HDEL', rkey, unpack(dels)) end
local new = index_keys(f)
local score = nil
for k in pairs(old) do
  if not new[k] then redis.call('ZREM', k, rkey) end
end
for k in pairs(new) do
  if not old[k] then
    if score == nil then
      for held in pairs(old) do
        score = redis.call('ZSCORE', held, rkey)
        if score then break end
      end
      score = score or server_ms()
    end
    redis.call('ZADD', k, score, rkey)
  end
end
if is_final(f) then note_expiry(rkey, f, not was_final) end
return {1, flatten(f)}
"""

DELETE = LIBRARY + r"""
-- KEYS[1] record key -> 1 deleted | 0 no such record
local f = as_table(redis.call('HGETALL', KEYS[1]))
if next(f) == nil then return 0 end
forget(KEYS[1], f)
return 1
"""

PAGE = LIBRARY + r"""
-- KEYS[1..n-1] index keys to intersect, KEYS[n] a scratch key; ARGV[2] start, ARGV[3] stop (ranks,
-- newest first). Purges expired records first. -> {total, {fields, fields, ...}}
local now = server_ms()
for _, rkey in ipairs(redis.call('ZRANGEBYSCORE', spec.expiring, '-inf', now, 'LIMIT', 0, 500)) do
  local ttl = redis.call('PTTL', rkey)
  if ttl > 0 then
    redis.call('ZADD', spec.expiring, now + ttl, rkey)
  else
    if ttl == -2 then
      local held = redis.call('HGET', spec.expiring_indexes, rkey)
      if held then
        for _, k in ipairs(cjson.decode(held)) do redis.call('ZREM', k, rkey) end
      end
    end
    redis.call('ZREM', spec.expiring, rkey)
    redis.call('HDEL', spec.expiring_indexes, rkey)
  end
end
local n = #KEYS - 1
local src = KEYS[1]
if n > 1 then
  local args = {'ZINTERSTORE', KEYS[#KEYS], n}
  for i = 1, n do args[#args + 1] = KEYS[i] end
  args[#args + 1] = 'WEIGHTS'
  args[#args + 1] = 1
  for i = 2, n do args[#args + 1] = 0 end
  redis.call(unpack(args))
  src = KEYS[#KEYS]
end
local total = redis.call('ZCARD', src)
local out = {}
for _, rkey in ipairs(redis.call('ZREVRANGE', src, ARGV[2], ARGV[3])) do
  local fields = redis.call('HGETALL', rkey)
  if #fields > 0 then
    out[#out + 1] = fields
  else
    for i = 1, n do redis.call('ZREM', KEYS[i], rkey) end
    total = total - 1
  end
end
if n > 1 then redis.call('DEL', KEYS[#KEYS]) end
return {total, out}
"""
