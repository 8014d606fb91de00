//! Reading the session cookie from a request and writing `Set-Cookie` on a response.

use std::time::Duration;

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use super::options::Settings;
use super::signing::{Signer, Verified};

/// At most this many cookies with the session's name are checked (each costs an HMAC).
const MAX_CANDIDATES: usize = 4;
/// A longer value cannot be a signed id.
const MAX_VALUE_LEN: usize = 128;

/// What the request's cookies say about the session.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestCookie {
    /// A cookie with the session's name was present (valid or not).
    pub(crate) present: bool,
    /// The first value whose signature verified.
    pub(crate) verified: Option<Verified>,
}

/// Reads the session cookie: every `Cookie` header, every `name=value` pair; the first value
/// with the session's name whose signature verifies wins. Never panics on malformed input.
///
/// Works on bytes: other cookies of the site may hold UTF-8 or raw bytes (browsers send them
/// as is), and they must not hide the session cookie.
pub(crate) fn read(headers: &HeaderMap, name: &str, signer: &Signer) -> RequestCookie {
    let mut out = RequestCookie::default();
    let mut checked = 0;
    for header in headers.get_all(COOKIE) {
        for pair in header.as_bytes().split(|&b| b == b';') {
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            let (k, v) = (&pair[..eq], &pair[eq + 1..]);
            if k.trim_ascii() != name.as_bytes() {
                continue;
            }
            out.present = true;
            let v = v.trim_ascii();
            let v = v
                .strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(v);
            if v.len() > MAX_VALUE_LEN || checked >= MAX_CANDIDATES {
                continue;
            }
            // A signed id is ASCII: anything else cannot verify.
            let Ok(v) = std::str::from_utf8(v) else {
                continue;
            };
            checked += 1;
            if let Some(ok) = signer.verify(v) {
                out.verified = Some(ok);
                return out;
            }
        }
    }
    out
}

/// Whole seconds, rounded to the nearest: a session with 86 399.97 s left (the milliseconds a
/// store round trip took) still advertises `Max-Age=86400`.
fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_millis().saturating_add(500) / 1000).unwrap_or(i64::MAX / 2)
}

/// The `Set-Cookie` value carrying `value` for `max_age`.
pub(crate) fn build(s: &Settings, value: String, max_age: Duration) -> Option<HeaderValue> {
    let secs = seconds(max_age).min(400 * 24 * 3600);
    let ttl = time::Duration::seconds(secs);
    header(s, value, ttl, time::OffsetDateTime::now_utc() + ttl)
}

/// The `Set-Cookie` value that deletes the session cookie (`Max-Age=0`, `Expires` in the past).
pub(crate) fn removal(s: &Settings) -> Option<HeaderValue> {
    header(
        s,
        String::new(),
        time::Duration::ZERO,
        time::OffsetDateTime::UNIX_EPOCH,
    )
}

/// A session `Set-Cookie` value with every configured attribute.
fn header(
    s: &Settings,
    value: String,
    max_age: time::Duration,
    expires: time::OffsetDateTime,
) -> Option<HeaderValue> {
    let mut c = cookie::Cookie::build((s.name.clone(), value))
        .path(s.path.clone())
        .same_site(s.same_site.into())
        .max_age(max_age)
        .expires(expires);
    if s.http_only {
        c = c.http_only(true);
    }
    if s.secure {
        c = c.secure(true);
    }
    if let Some(d) = &s.domain {
        c = c.domain(d.clone());
    }
    HeaderValue::from_str(&c.build().to_string()).ok()
}

/// Sets the session cookie on a response: removes any `Set-Cookie` for the same name (so
/// there is exactly one), keeps every other cookie the handler set.
pub(crate) fn apply(headers: &mut HeaderMap, name: &str, value: HeaderValue) {
    let others: Vec<HeaderValue> = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter(|v| {
            let name_of = v
                .to_str()
                .ok()
                .and_then(|s| s.split_once('='))
                .map(|(n, _)| n.trim());
            name_of != Some(name)
        })
        .cloned()
        .collect();
    headers.remove(SET_COOKIE);
    for v in others {
        headers.append(SET_COOKIE, v);
    }
    headers.append(SET_COOKIE, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        let signer = Signer::new([b"k".repeat(32).as_slice()]);
        let mut h = HeaderMap::new();
        for v in [
            "",
            ";;;",
            "=",
            "sessionId",
            "sessionId=",
            "sessionId=\"",
            "sessionId==.=",
            "a=b; sessionId=x.y; sessionId=\"abc\"",
        ] {
            h.append(COOKIE, HeaderValue::from_str(v).unwrap());
        }
        h.append(
            COOKIE,
            HeaderValue::from_bytes(b"sessionId=\xff\xfe").unwrap(),
        );
        let c = read(&h, "sessionId", &signer);
        assert!(c.present);
        assert!(c.verified.is_none());
    }

    #[test]
    fn non_ascii_neighbours_do_not_hide_the_session_cookie() {
        let signer = Signer::new([b"k".repeat(32).as_slice()]);
        let id = super::super::id::new_id();
        let good = signer.sign(&id);
        let mut h = HeaderMap::new();
        let line = [
            b"name=Jos\xc3\xa9; x=\xff; sessionId=".as_slice(),
            good.as_bytes(),
        ]
        .concat();
        h.insert(COOKIE, HeaderValue::from_bytes(&line).unwrap());
        assert_eq!(read(&h, "sessionId", &signer).verified.unwrap().id, id);
    }

    #[test]
    fn first_verifying_duplicate_wins() {
        let signer = Signer::new([b"k".repeat(32).as_slice()]);
        let id = super::super::id::new_id();
        let good = signer.sign(&id);
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_str(&format!(
                "sessionId=forged.value; other=1; sessionId={good}"
            ))
            .unwrap(),
        );
        assert_eq!(read(&h, "sessionId", &signer).verified.unwrap().id, id);
    }
}
