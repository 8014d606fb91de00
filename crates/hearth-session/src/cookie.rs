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
        for pair in pairs(header.as_bytes()) {
            let Some(eq) = memchr::memchr(b'=', pair) else {
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

/// The `;`-separated parts of a `Cookie` header, found with `memchr` (every request with
/// cookies is scanned).
fn pairs(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b';', line)
        .chain(std::iter::once(line.len()))
        .map(move |end| {
            let pair = line.get(start..end).unwrap_or_default();
            start = end + 1;
            pair
        })
}

/// Whole seconds, rounded to the nearest: a session with 86 399.97 s left (the milliseconds a
/// store round trip took) still advertises `Max-Age=86400`.
fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_millis().saturating_add(500) / 1000).unwrap_or(i64::MAX / 2)
}

/// A cookie `name=value` with the configured path, SameSite, HttpOnly, Secure and domain.
fn with_attributes(s: &Settings, name: String, value: String) -> cookie::CookieBuilder<'static> {
    let mut c = cookie::Cookie::build((name, value))
        .path(s.path.clone())
        .same_site(s.same_site.into());
    if s.http_only {
        c = c.http_only(true);
    }
    if s.secure {
        c = c.secure(true);
    }
    if let Some(d) = &s.domain {
        c = c.domain(d.clone());
    }
    c
}

/// The cookie attributes that do not change between responses, as the `cookie` crate renders
/// them after `name=value`: `; HttpOnly; SameSite=Lax; Path=/` and so on.
pub(crate) fn attributes(s: &Settings) -> String {
    with_attributes(s, "n".into(), String::new())
        .build()
        .to_string()
        .split_off("n=".len())
}

/// The `Set-Cookie` value carrying `value` for `max_age` (`None`: a browser-session cookie,
/// `name=value; <attributes>` alone): `name=value; <attributes>; Max-Age=N`, the same text as
/// the `cookie` crate writes (`tests::fast_path_matches_the_cookie_crate`), assembled from
/// the attributes rendered at start-up and a `; Max-Age=N` tail formatted once per lifetime
/// and thread (every session renewed with the same lifetime, to the second, shares it).
/// Formatting a `cookie::Cookie` per response would cost more than the rest of a login.
///
/// No `Expires`: every browser in use honours `Max-Age`, which wins over `Expires` when both
/// are sent (RFC 6265, section 5.3), so a date would add about 40 bytes to every renewed
/// response for clients that no longer exist.
pub(crate) fn build(s: &Settings, value: &str, max_age: Option<Duration>) -> Option<HeaderValue> {
    let Some(max_age) = max_age else {
        return header_value(s, value, "");
    };
    let secs = seconds(max_age).min(400 * 24 * 3600);
    with_tail(secs, |tail| header_value(s, value, tail))
}

/// `name=value<attributes><tail>` as a header value. Inlined: it runs for every renewed
/// cookie, where the call itself is a measurable share of the work.
#[inline(always)]
fn header_value(s: &Settings, value: &str, tail: &str) -> Option<HeaderValue> {
    // The exact length, so that the text becomes the header's bytes without a second
    // allocation.
    let len = s.name.len() + 1 + value.len() + s.attributes.len() + tail.len();
    let mut out = String::with_capacity(len);
    out.push_str(&s.name);
    out.push('=');
    out.push_str(value);
    out.push_str(&s.attributes);
    out.push_str(tail);
    HeaderValue::from_maybe_shared(bytes::Bytes::from(out)).ok()
}

/// Calls `f` with `; Max-Age={secs}`, formatted when it differs from the thread's previous
/// call.
fn with_tail<R>(secs: i64, f: impl FnOnce(&str) -> R) -> R {
    use std::fmt::Write as _;
    thread_local! {
        static CACHE: std::cell::RefCell<(i64, String)> = const {
            std::cell::RefCell::new((i64::MIN, String::new()))
        };
    }
    CACHE.with_borrow_mut(|(at_secs, text)| {
        if *at_secs != secs {
            text.clear();
            let _ = write!(text, "; Max-Age={secs}");
            *at_secs = secs;
        }
        f(text)
    })
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
    let c = with_attributes(s, s.name.clone(), value)
        .max_age(max_age)
        .expires(expires);
    HeaderValue::from_str(&c.build().to_string()).ok()
}

/// Sets the session cookie on a response: removes any `Set-Cookie` for the same name (so
/// there is exactly one), keeps every other cookie the handler set.
pub(crate) fn apply(headers: &mut HeaderMap, name: &str, value: HeaderValue) {
    if !headers.contains_key(SET_COOKIE) {
        headers.insert(SET_COOKIE, value);
        return;
    }
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
        assert_eq!(read(&h, "sessionId", &signer).verified.unwrap().id(), id);
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
        assert_eq!(read(&h, "sessionId", &signer).verified.unwrap().id(), id);
    }

    #[test]
    fn fast_path_matches_the_cookie_crate() {
        use super::super::{SameSite, SessionOptions};
        let variants = [
            SessionOptions::default(),
            SessionOptions {
                name: "__Host-sid".into(),
                secure: true,
                same_site: SameSite::Strict,
                ..Default::default()
            },
            SessionOptions {
                http_only: false,
                same_site: SameSite::None,
                secure: true,
                path: "/app".into(),
                domain: Some("example.com".into()),
                ..Default::default()
            },
        ];
        for o in variants {
            let s = Settings::of(&o);
            for max_age in [
                Duration::from_secs(86_400),
                Duration::from_millis(3_599_600),
                Duration::from_secs(1),
            ] {
                let fast = build(&s, "abc.def", Some(max_age)).unwrap();
                let secs = seconds(max_age);
                let reference = with_attributes(&s, s.name.clone(), "abc.def".into())
                    .max_age(time::Duration::seconds(secs))
                    .build()
                    .to_string();
                assert_eq!(fast.to_str().unwrap(), reference);
            }
            // A browser-session cookie: no Max-Age, no Expires.
            let session_only = build(&s, "abc.def", None).unwrap();
            let reference = with_attributes(&s, s.name.clone(), "abc.def".into())
                .build()
                .to_string();
            assert_eq!(session_only.to_str().unwrap(), reference);
        }
    }
}
