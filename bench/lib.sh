# Shared by the bench scripts: `. "$here/lib.sh"` (bash).

# Logs in as the contract's profile user at BASE (http://host:port) and prints the session
# cookie as `sessionId=…`, or nothing when the server set none (never fails, so callers under
# `set -eo pipefail` report the missing cookie themselves).
login_cookie() {
  curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"email":"alice@example.com","password":"pw"}' "$1/api/login" \
    | tr -d '\r' | grep -i '^set-cookie: sessionId=' | head -1 \
    | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' || true
}

# Prints the wrk script body of the login scenario: every request a POST /api/login that
# creates a new session.
login_lua() {
  cat <<'LUA'
wrk.method = "POST"
wrk.body = '{"email":"bob@example.com","password":"pw"}'
wrk.headers["Content-Type"] = "application/json"
LUA
}

# Waits until the server at BASE (http://host:port) answers /plaintext: up to 100 tries,
# INTERVAL seconds apart (default 0.1; a server under valgrind needs longer). Fails when it
# never did, so that callers can say so.
wait_up() {
  local interval=${2:-0.1}
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1/plaintext" && return 0
    sleep "$interval"
  done
  return 1
}
