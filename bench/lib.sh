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
