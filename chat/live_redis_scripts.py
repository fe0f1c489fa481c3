"""The Lua scripts of `chat.live_redis`: each read-and-write on the live-reply records that must be atomic.

Key names follow the layout in `chat.live_redis`. Scripts that reach keys through a prefix in ARGV
(rather than KEYS) need one Redis, not a cluster, as the deployment has.
"""

# Appends one chunk if the stored record is exactly one chunk behind; 0 tells the owner to rewrite it.
# KEYS: reply hash, conversation pointer. ARGV: chunk text, seq, record ttl in ms, reply id.
APPEND_LUA = """
if tonumber(redis.call('HGET', KEYS[1], 'seq')) ~= tonumber(ARGV[2]) - 1 then return 0 end
redis.call('HSET', KEYS[1], 'text', (redis.call('HGET', KEYS[1], 'text') or '') .. ARGV[1], 'seq', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
return 1
"""

# Appends one progress increment (a line of JSON) if the record holds exactly the increments before it.
# KEYS: reply hash. ARGV: the increment's line, its seq, record ttl in ms.
APPEND_STRATEGY_LUA = """
if not redis.call('HGET', KEYS[1], 'owner') then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'strategy_seq') or '0') ~= tonumber(ARGV[2]) - 1 then return 0 end
local so_far = redis.call('HGET', KEYS[1], 'strategy') or ''
redis.call('HSET', KEYS[1], 'strategy', so_far .. ARGV[1], 'strategy_seq', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# The conversation's streaming reply as {id, text, seq, strategy lines}, read atomically.
# KEYS: pointer. ARGV: reply key prefix.
SNAPSHOT_LUA = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
local fields = redis.call('HMGET', ARGV[1] .. id, 'text', 'seq', 'strategy')
if not fields[2] then return false end
return {id, fields[1] or '', fields[2], fields[3] or ''}
"""

# Tells the owner of the conversation's streaming reply to stop it; the number of listeners reached.
# KEYS: pointer. ARGV: reply key prefix, worker channel prefix.
CANCEL_LUA = """
local id = redis.call('GET', KEYS[1])
if not id then return 0 end
local owner = redis.call('HGET', ARGV[1] .. id, 'owner')
if not owner then return 0 end
return redis.call('PUBLISH', ARGV[2] .. owner .. ':cancel', id)
"""

# Forgets a stored reply, and the conversation's pointer only if it still names that reply.
# KEYS: reply hash, pointer, the holder's reply set. ARGV: reply id.
FINISH_LUA = """
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('SREM', KEYS[3], ARGV[1])
return redis.call('DEL', KEYS[1])
"""

# Shared by the two adopting scripts: `take` moves a dead worker's reply to this worker and adds
# {id, 1, conversation, seq, text} to `taken`; `hold` renews this worker's lease if it took any.
# ARGV: key prefix, this worker's id, lease ttl in ms, then the script's own arguments.
ADOPT_PREAMBLE = """
local prefix, me = ARGV[1], ARGV[2]
local function worker_key(worker, what) return prefix .. ':worker:' .. worker .. ':' .. what end
local taken, held = {}, 0
local function take(id, key, owner)
  redis.call('SREM', worker_key(owner, 'replies'), id)
  redis.call('HSET', key, 'owner', me)
  redis.call('SADD', worker_key(me, 'replies'), id)
  local fields = redis.call('HMGET', key, 'conversation', 'seq', 'text')
  table.insert(taken, {id, 1, fields[1] or '', fields[2] or '0', fields[3] or ''})
  held = held + 1
end
local function hold()
  if held > 0 then
    redis.call('SET', worker_key(me, 'alive'), 1, 'PX', ARGV[3])
    redis.call('SADD', prefix .. ':workers', me)
  end
  return taken
end
"""

# Takes the replies among ARGV[4..] whose owner's lease is gone; one Redis lost is an orphan too,
# reported as {id, 0} with nothing to take.
ADOPT_LUA = ADOPT_PREAMBLE + """
for i = 4, #ARGV do
  local key = prefix .. ':reply:' .. ARGV[i]
  local owner = redis.call('HGET', key, 'owner')
  if not owner then
    table.insert(taken, {ARGV[i], 0})
  elseif redis.call('EXISTS', worker_key(owner, 'alive')) == 0 then
    take(ARGV[i], key, owner)
  end
end
return hold()
"""

# Takes every reply of every worker whose lease is gone, and forgets those workers.
SWEEP_LUA = ADOPT_PREAMBLE + """
for _, worker in ipairs(redis.call('SMEMBERS', prefix .. ':workers')) do
  if worker ~= me and redis.call('EXISTS', worker_key(worker, 'alive')) == 0 then
    for _, id in ipairs(redis.call('SMEMBERS', worker_key(worker, 'replies'))) do
      local key = prefix .. ':reply:' .. id
      if redis.call('HGET', key, 'owner') == worker then take(id, key, worker) end
    end
    redis.call('DEL', worker_key(worker, 'replies'))
    redis.call('SREM', prefix .. ':workers', worker)
  end
end
return hold()
"""
