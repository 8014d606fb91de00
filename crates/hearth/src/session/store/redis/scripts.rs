//! The Lua scripts: each runs atomically inside Redis, in one round trip.
//!
//! A record's Redis TTL is its remaining lifetime; its `deadline` (absolute timeout), when
//! set, is read from the stored JSON with `cjson` — only when the text contains
//! `"deadline":`, so records without one are never parsed. A record that cannot be parsed
//! is treated as having no deadline (its TTL may then overshoot, but `load` still checks the
//! deadline in Rust, so the session ends on time anyway).

use std::sync::LazyLock;

use deadpool_redis::redis::Script;

/// Extends a record: `KEYS[1]` record; `ARGV` now (ms), ttl (ms), `"1"` to return the value.
/// The new expiry is `now + ttl` capped at the deadline; a record past its deadline is
/// deleted. Returns nil when there is no live record, else `[value, expiry]` or `expiry`.
pub(super) static TOUCH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local v = redis.call('GET', KEYS[1])
if not v then return false end
local now = tonumber(ARGV[1])
local exp = now + tonumber(ARGV[2])
if string.find(v, '"deadline":', 1, true) then
  local ok, r = pcall(cjson.decode, v)
  if ok and type(r) == 'table' and type(r.deadline) == 'number' and r.deadline < exp then
    exp = r.deadline
  end
end
if exp <= now then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('PEXPIRE', KEYS[1], exp - now)
if ARGV[3] == '1' then return {v, exp} end
return exp
"#,
    )
});

/// Creates a record owned by a user: `KEYS[1]` record, `KEYS[2]` the user's index;
/// `ARGV` json, ttl (ms), id. `SET NX` (nothing is overwritten; returns 0 on a collision),
/// then the id joins the index, whose TTL becomes the longest of its sessions'.
pub(super) static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
"#,
    )
});

/// Replaces a record that still exists: `KEYS[1]` record, `KEYS[2]` the new owner's index
/// (or the record key again when there is no owner); `ARGV` json, ttl (ms), id, index key
/// prefix, new owner (`""` for none). A missing record is not re-created (returns 0). When
/// the owner changed, the id leaves the old owner's index.
pub(super) static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if string.find(old, '"user_id":', 1, true) then
  local ok, r = pcall(cjson.decode, old)
  if ok and type(r) == 'table' and type(r.user_id) == 'string' and r.user_id ~= ARGV[5] then
    redis.call('SREM', ARGV[4] .. r.user_id, ARGV[3])
  end
end
if ARGV[5] ~= '' then
  redis.call('SADD', KEYS[2], ARGV[3])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
  end
end
return 1
"#,
    )
});

/// Deletes every session of a user: `KEYS[1]` the user's index; `ARGV` record key prefix,
/// user id, now (ms). A record is deleted when it names this user — or when it cannot be
/// parsed: "log out everywhere" must never leave a session of the user behind, and ending a
/// stranger's unreadable session is the safe mistake. Returns how many live sessions ended.
pub(super) static DELETE_ALL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local ids = redis.call('SMEMBERS', KEYS[1])
local now = tonumber(ARGV[3])
local n = 0
for _, id in ipairs(ids) do
  local k = ARGV[1] .. id
  local v = redis.call('GET', k)
  if v then
    local ok, r = pcall(cjson.decode, v)
    if not ok or type(r) ~= 'table' or r.user_id == ARGV[2] then
      redis.call('DEL', k)
      if not ok or type(r) ~= 'table' or type(r.deadline) ~= 'number' or r.deadline > now then
        n = n + 1
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return n
"#,
    )
});
