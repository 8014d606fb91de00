#!/usr/bin/env bash
# usage: bench/check.sh NAME PORT [stateless]
# Checks that the server on 127.0.0.1:PORT answers the routes of CONTRACT.md as the contract
# says (cookie name and attributes, payloads, fixation-safe login, 401 without a session,
# logout). Prints one line per failed check and exits non-zero if any failed.
# "stateless" (cookie-store servers) skips "old cookie is dead after logout/login".
set -uo pipefail
name=$1; port=$2; mode=${3:-}
base=http://127.0.0.1:$port
fail=0
bad() { echo "$name: CONTRACT: $*" >&2; fail=1; }
hdr() { tr -d '\r' | grep -i '^set-cookie: sessionId=' | tail -1 | sed 's/^[Ss]et-[Cc]ookie: //'; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" 2>/dev/null; }

[ "$(curl -s $base/plaintext)" = "Hello, World!" ] || bad "/plaintext body"
[ "$(curl -s $base/json | jq_ "d['message']")" = "Hello, World!" ] || bad "/json body"
[ "$(curl -s -o /dev/null -w '%{http_code}' $base/api/profile)" = 401 ] || bad "profile without session is not 401"

login() { curl -s -D - -o /tmp/check_body.$$ -H 'content-type: application/json' "$@" \
  -d '{"email":"alice@example.com","password":"pw"}' $base/api/login; }
sc=$(login | hdr)
[ -n "$sc" ] || { bad "no sessionId Set-Cookie from /api/login"; exit 1; }
[ "$(jq_ "d['message']" < /tmp/check_body.$$)" = "Logged in" ] || bad "login body"
grep -qi 'httponly' <<<"$sc" || bad "cookie not HttpOnly: $sc"
grep -qi 'samesite=lax' <<<"$sc" || bad "cookie not SameSite=Lax: $sc"
grep -qiE 'max-age=86400|max-age=8639[0-9]' <<<"$sc" || bad "cookie Max-Age is not 24 h: $sc"
c1=${sc%%;*}
uid=$(curl -s -H "Cookie: $c1" $base/api/profile | jq_ "d['userId']")
[ "$uid" = "alice@example.com" ] || bad "profile userId='$uid'"
act=$(curl -s -H "Cookie: $c1" $base/api/activity | jq_ "d['userId'], d['lastActivity'] > 0")
[ "$act" = "alice@example.com True" ] || bad "activity answer '$act'"
# tampered signature is not adopted
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${c1}x" $base/api/profile)" = 401 ] || bad "tampered cookie accepted"
# re-login with the old cookie: new id (fixation-safe)
c2=$(login -H "Cookie: $c1" | hdr); c2=${c2%%;*}
[ -n "$c2" ] || bad "no Set-Cookie from a second login"
if [ "$mode" != stateless ]; then
  [ "$c2" != "$c1" ] || bad "login with an existing session did not cycle the id"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c1" $base/api/profile)" = 401 ] || bad "old id still valid after re-login"
fi
cart() { curl -s -D /tmp/check_hdr.$$ -H "Cookie: $1" -H 'content-type: application/json' -d "$2" $base/api/cart/add; }
r=$(cart "$c2" '{"sku":"A-1","qty":2}')
# stateless stores carry the cart in the cookie: follow the new cookie
n=$(hdr < /tmp/check_hdr.$$); [ -n "$n" ] && c2=${n%%;*}
r=$(cart "$c2" '{"sku":"B-2","qty":1}')
n=$(hdr < /tmp/check_hdr.$$); [ -n "$n" ] && c2=${n%%;*}
[ "$(jq_ "len(d), d[1]['sku'], d[1]['qty']" <<<"$r")" = "2 B-2 1" ] || bad "cart answer '$r'"
lo=$(curl -s -D /tmp/check_hdr.$$ -X POST -H "Cookie: $c2" $base/api/logout | jq_ "d['message']")
[ "$lo" = "Logged out" ] || bad "logout answer '$lo'"
if [ "$mode" != stateless ]; then
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c2" $base/api/profile)" = 401 ] || bad "session still valid after logout"
else
  n=$(hdr < /tmp/check_hdr.$$); [ -n "$n" ] || bad "logout did not clear the cookie"
fi
rm -f /tmp/check_body.$$ /tmp/check_hdr.$$
[ $fail = 0 ] && echo "$name: contract OK"
exit $fail
