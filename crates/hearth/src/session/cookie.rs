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
pub(crate) fn read(headers: &HeaderMap, name: &str, signer: &Signer) -> RequestCookie {
    let mut out = RequestCookie::default();
    let mut checked = 0;
    for header in headers.get_all(COOKIE) {
        let Ok(header) = header.to_str() else {
            continue;
        };
        for pair in header.split(';') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            if k.trim() != name {
                continue;
            }
            out.present = true;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            if v.len() > MAX_VALUE_LEN || checked >= MAX_CANDIDATES {
                continue;
            }
            checked += 1;
            if let Some(ok) = signer.verify(v) {
                out.verified = Some(ok);
                return out;
            }
        }
    }
    out
}

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}

/// The `Set-Cookie` value carrying `value` for `max_age`.
pub(crate) fn build(s: &Settings, value: String, max_age: Duration) -> Option<HeaderValue> {
    let secs = seconds(max_age).min(400 * 24 * 3600);
    let ttl = time::Duration::seconds(secs);
    let mut c = cookie::Cookie::build((s.name.clone(), value))
        .path(s.path.clone())
        .same_site(s.same_site.into())
        .max_age(ttl)
        .expires(time::OffsetDateTime::now_utc() + ttl);
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

/// The `Set-Cookie` value that deletes the session cookie (`Max-Age=0`, `Expires` in the past).
pub(crate) fn removal(s: &Settings) -> Option<HeaderValue> {
    let mut c = cookie::Cookie::build((s.name.clone(), ""))
        .path(s.path.clone())
        .same_site(s.same_site.into())
        .max_age(time::Duration::ZERO)
        .expires(time::OffsetDateTime::UNIX_EPOCH);
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
