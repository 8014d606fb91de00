#!/usr/bin/env bash
# usage: bench/scenarios.sh NAME PORT [SCENARIO...]
# Runs the contract's scenarios (plaintext json profile activity login; default: all) with wrk
# against a server already listening on 127.0.0.1:PORT. Same approach and wrk settings as
# ../shared/bench/run.sh (wrk -t1 -cCONNS -dDURATION; profile/activity share one logged-in
# session cookie; login POSTs without a cookie, so every request creates a new session).
# Prints one line per scenario (times in microseconds):
#   NAME SCENARIO REQ_PER_S P50_US P99_US NON2XX SOCKET_ERRORS
# and, on stderr, "NAME: ERROR ..." for a pre-flight failure (the scenario still runs, so the
# failure also shows as non-2xx). Env: DURATION (10s), CONNS (64), THREADS (1).
set -euo pipefail
name=$1; port=$2; shift 2
scenarios=${*:-plaintext json profile activity login}
dur=${DURATION:-10s}; conns=${CONNS:-64}; threads=${THREADS:-1}
base=http://127.0.0.1:$port
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# done() prints wrk's summary in a machine-readable line; it costs nothing per request.
cat > "$tmp/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA
{ login_lua; cat "$tmp/report.lua"; } > "$tmp/login.lua"

cookie=
case " $scenarios " in *" profile "*|*" activity "*)
  cookie=$(login_cookie "$base")
  if [ -z "$cookie" ]; then
    echo "$name: ERROR no session cookie from /api/login" >&2
  elif ! curl -sf -H "Cookie: $cookie" "$base/api/profile" >/dev/null; then
    echo "$name: ERROR GET /api/profile with the login cookie failed" >&2
  fi ;;
esac

one() { # scenario, wrk args...
  local sc=$1; shift
  local out; out=$(wrk -t"$threads" -c"$conns" -d"$dur" "$@" 2>&1) || true
  local r; r=$(grep '^RESULT ' <<<"$out" | tail -1)
  if [ -z "$r" ]; then
    echo "$name: ERROR wrk failed on $sc: $(tr '\n' ' ' <<<"$out" | cut -c1-300)" >&2
    echo "$name $sc 0 0 0 0 1"; return
  fi
  # RESULT requests duration_us p50_us p99_us non2xx socket_errors
  awk -v n="$name" -v s="$sc" '{ printf "%s %s %.1f %d %d %d %d\n", n, s, $2 / ($3 / 1e6), $4, $5, $6, $7 }' <<<"$r"
}

for sc in $scenarios; do
  case $sc in
    plaintext) one plaintext -s "$tmp/report.lua" "$base/plaintext" ;;
    json)      one json -s "$tmp/report.lua" "$base/json" ;;
    profile)   one profile -s "$tmp/report.lua" ${cookie:+-H "Cookie: $cookie"} "$base/api/profile" ;;
    activity)  one activity -s "$tmp/report.lua" ${cookie:+-H "Cookie: $cookie"} "$base/api/activity" ;;
    login)     one login -s "$tmp/login.lua" "$base/api/login" ;;
    *) echo "$name: ERROR unknown scenario $sc" >&2; exit 2 ;;
  esac
done
