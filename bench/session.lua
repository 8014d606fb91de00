-- wrk script for a session route on a server whose sessions live in its own memory (the
-- memory store: no cookie can be made before the server runs). Each wrk thread logs in
-- once, keeps the session cookie, then sends GET $SESSION_PATH (default /api/profile)
-- with it. For bench/callgrind, e.g.:
--   STORE=memory SCHEDULER=thread-per-core WORKERS=1 \
--     bench/callgrind hearth-profile /api/profile -s bench/session.lua -- target/release/examples/bench_server
local cookie = nil
local path = os.getenv("SESSION_PATH") or "/api/profile"
request = function()
  if cookie == nil then
    return wrk.format("POST", "/api/login", {["Content-Type"] = "application/json"},
      '{"email":"alice@example.com","password":"pw"}')
  end
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
response = function(status, headers, body)
  if cookie == nil then
    local sc = headers["set-cookie"] or headers["Set-Cookie"]
    if sc then cookie = sc:match("^([^;]+)") end
  end
end
