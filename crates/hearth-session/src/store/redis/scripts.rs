//! The Lua script of "log out everywhere": it runs atomically inside Redis, in one round
//! trip. (Every other operation is a plain command or pipeline, which Redis runs faster.)

use std::sync::LazyLock;

use deadpool_redis::redis::Script;

/// Deletes every session of a user: `KEYS[1]` the user's index (a list of session ids, maybe
/// repeated); `ARGV` record key prefix, user id, now (ms). A record is deleted when it names
/// this user — or when it cannot be parsed: "log out everywhere" must never leave a session of the user behind, and ending a
/// stranger's unreadable session is the safe mistake. Returns how many live sessions ended.
pub(super) static DELETE_ALL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
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
