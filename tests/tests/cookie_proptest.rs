//! Property tests of the session cookie's signature verifier and of the `Cookie` header
//! parser, through the public surface: `SessionService::sign`/`verify`, and real HTTP
//! requests carrying generated `Cookie` headers.
//!
//! - The verifier never panics and accepts exactly the values `sign` produced: a signed
//!   Hearth id verifies to itself; any single-byte change, truncation or extension of a signed
//!   value fails; random strings (even well-shaped ones) fail; another key's signature fails.
//! - The parser never panics or answers 5xx on arbitrary header bytes; junk cookies never
//!   reach the store; a valid session cookie is found wherever it sits among junk.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use hearth::extract::FromRequestParts;
use hearth::http::Method;
use hearth::prelude::*;
use hearth::session::is_valid_id;
use hearth_e2e::raw::{RawResponse, parse};
use hearth_e2e::recording::Recording;
use proptest::prelude::*;
use proptest::sample::Index;

const SECRET: &str = "cookie-proptest-secret-0123456789abcdef-0123456789";
const OTHER_SECRET: &str = "cookie-proptest-other-secret-0123456789abcdef-0123";

fn options(secret: &str) -> SessionOptions {
    SessionOptions {
        secret: secret.into(),
        ..Default::default()
    }
}

fn service() -> &'static SessionService {
    static S: OnceLock<SessionService> = OnceLock::new();
    S.get_or_init(|| {
        hearth::session::session_middleware(options(SECRET))
            .unwrap()
            .service()
    })
}

fn other_service() -> &'static SessionService {
    static S: OnceLock<SessionService> = OnceLock::new();
    S.get_or_init(|| {
        hearth::session::session_middleware(options(OTHER_SECRET))
            .unwrap()
            .service()
    })
}

/// Strings of the exact shape of a Hearth id: 43 base64url characters.
fn hearth_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{43}"
}

// ---------------------------------------------------------------- the verifier

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn a_signed_id_verifies_to_itself(id in hearth_id()) {
        let svc = service();
        prop_assert_eq!(svc.verify(&svc.sign(&id)), Some(id));
    }

    #[test]
    fn anything_accepted_was_signed(s in any::<String>()) {
        // Never panics; and whatever verifies is exactly sign(id) for a Hearth-shaped id.
        if let Some(id) = service().verify(&s) {
            prop_assert!(is_valid_id(&id));
            prop_assert_eq!(service().sign(&id), s);
        }
    }

    #[test]
    fn well_shaped_forgeries_fail(s in "[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}") {
        prop_assert_eq!(service().verify(&s), None);
    }

    #[test]
    fn any_single_byte_change_fails(id in hearth_id(), at in any::<Index>(), byte in 0u8..0x80) {
        let signed = service().sign(&id);
        let mut b = signed.clone().into_bytes();
        let i = at.index(b.len());
        prop_assume!(b[i] != byte);
        b[i] = byte;
        let mutated = String::from_utf8(b).unwrap();
        prop_assert_eq!(service().verify(&mutated), None, "{} -> {}", signed, mutated);
    }

    #[test]
    fn any_single_char_replaced_by_non_ascii_fails(id in hearth_id(), at in any::<Index>(), c in "[^\\x00-\\x7f]") {
        let signed = service().sign(&id);
        let i = at.index(signed.len());
        let mutated = format!("{}{c}{}", &signed[..i], &signed[i + 1..]);
        prop_assert_eq!(service().verify(&mutated), None);
    }

    #[test]
    fn truncations_and_extensions_fail(id in hearth_id(), cut in any::<Index>(), extra in ".{1,8}") {
        let signed = service().sign(&id);
        let short = &signed[..cut.index(signed.len())];
        prop_assert_eq!(service().verify(short), None);
        prop_assert_eq!(service().verify(&format!("{signed}{extra}")), None);
        prop_assert_eq!(service().verify(&format!("{extra}{signed}")), None);
    }

    #[test]
    fn another_keys_signature_fails(id in hearth_id()) {
        prop_assert_eq!(service().verify(&other_service().sign(&id)), None);
    }

    #[test]
    fn ids_of_another_shape_are_never_accepted(id in any::<String>()) {
        prop_assume!(!is_valid_id(&id));
        prop_assert_eq!(service().verify(&service().sign(&id)), None);
    }
}

// ---------------------------------------------------------------- the parser, over HTTP

struct Server {
    addr: SocketAddr,
    store: Recording,
    /// A logged-in session's cookie value.
    valid: String,
    /// Held for each case: the tests run in parallel and share the store's record.
    one_at_a_time: std::sync::Mutex<()>,
}

impl Server {
    fn exclusive(&self) -> std::sync::MutexGuard<'_, ()> {
        self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn app_module(store: Recording) -> ModuleDef {
    ModuleDef::new("CookieProps")
        .import(SessionModule::for_root(SessionOptions {
            store: StoreConfig::custom(store),
            ..options(SECRET)
        }))
        .route(Method::GET, "/whoami", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            HttpResult::Ok(Json(json!({ "user": s.get::<String>("userId")? })))
        })
        .route(Method::POST, "/login", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            s.regenerate();
            s.insert("userId", "alice")?;
            HttpResult::Ok("welcome")
        })
}

/// One server for every case, on a runtime of its own that lives as long as the test binary.
fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let store = Recording::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let s = store.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = Application::from_module(app_module(s))
                    .unwrap()
                    .build()
                    .await
                    .unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let server = app.spawn(listener);
                tx.send(server.addr()).unwrap();
                std::future::pending::<()>().await;
                drop(server);
            });
        });
        let addr = rx.recv().unwrap();
        let res = send(addr, "POST", "/login", None);
        let valid = res
            .header_all("set-cookie")
            .iter()
            .find_map(|c| c.strip_prefix("sessionId="))
            .and_then(|c| c.split(';').next())
            .expect("login sets a cookie")
            .to_owned();
        Server {
            addr,
            store,
            valid,
            one_at_a_time: std::sync::Mutex::new(()),
        }
    })
}

/// One request with an optional raw `Cookie` header value, on its own connection.
fn send(addr: SocketAddr, method: &str, path: &str, cookie: Option<&[u8]>) -> RawResponse {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: 0\r\n"
    )
    .into_bytes();
    if let Some(c) = cookie {
        req.extend_from_slice(b"Cookie: ");
        req.extend_from_slice(c);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"\r\n");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may refuse the head and close before reading all of it.
    let _ = s.write_all(&req);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                panic!("no answer and no close within 10 s")
            }
            Err(_) => break,
        }
    }
    parse(&buf).0
}

/// Whom `/whoami` saw, after asserting a 200.
fn user_of(res: &RawResponse) -> Option<String> {
    assert_eq!(
        res.status,
        Some(200),
        "{:?}",
        String::from_utf8_lossy(&res.raw)
    );
    let v: Value = serde_json::from_slice(&res.body).unwrap();
    v["user"].as_str().map(str::to_owned)
}

/// A cookie name that is not the session's (token characters).
fn other_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+^_`|~.-]{1,12}".prop_filter("not the session cookie", |n| n != "sessionId")
}

/// Bytes a header value may carry, except `;`: visible ASCII, space, tab and obs-text.
fn value_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            8 => (0x20u8..0x7f).prop_filter("no separator", |b| *b != b';'),
            1 => Just(b'\t'),
            2 => 0x80u8..=0xff,
        ],
        0..max,
    )
}

/// A `name=value` pair, sometimes with whitespace around it or no `=` at all.
fn junk_pair() -> impl Strategy<Value = Vec<u8>> {
    (other_name(), value_bytes(40), any::<bool>(), 0u8..4).prop_map(|(n, v, eq, pad)| {
        let mut p = " ".repeat(pad as usize).into_bytes();
        p.extend_from_slice(n.as_bytes());
        if eq {
            p.push(b'=');
        }
        p.extend_from_slice(&v);
        p
    })
}

/// A `sessionId=...` pair with a random (unsigned) value.
fn forged_session_pair() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        value_bytes(60),
        "[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}".prop_map(String::into_bytes),
    ]
    .prop_map(|v| [b"sessionId=".as_slice(), &v].concat())
}

fn join(pairs: &[Vec<u8>]) -> Vec<u8> {
    pairs.join(b";".as_slice())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn junk_cookies_are_no_session_and_never_reach_the_store(
        junk in prop::collection::vec(junk_pair(), 0..12),
        forged in prop::collection::vec(forged_session_pair(), 0..6),
        seed in any::<u64>(),
    ) {
        let srv = server();
        let _one = srv.exclusive();
        let mut pairs = junk;
        // Interleave the forged session cookies at positions chosen by the seed.
        for (k, f) in forged.into_iter().enumerate() {
            let at = (seed.rotate_left(k as u32 * 7) as usize) % (pairs.len() + 1);
            pairs.insert(at, f);
        }
        let header = join(&pairs);
        let mark = srv.store.mark();
        let res = send(srv.addr, "GET", "/whoami", Some(&header));
        prop_assert_eq!(user_of(&res), None);
        let asked = srv.store.since(mark);
        prop_assert!(asked.is_empty(), "the store was asked about {:?}", asked);
    }

    #[test]
    fn the_valid_cookie_is_found_among_junk(
        before in prop::collection::vec(junk_pair(), 0..10),
        after in prop::collection::vec(junk_pair(), 0..10),
        forged in prop::collection::vec(forged_session_pair(), 0..4),
        quoted in any::<bool>(),
    ) {
        // At most 3 forged session cookies before the valid one: the parser checks a few
        // candidates (each costs an HMAC), enough for a browser's path/domain duplicates.
        let srv = server();
        let _one = srv.exclusive();
        let value = if quoted { format!("\"{}\"", srv.valid) } else { srv.valid.clone() };
        let mut pairs = before;
        pairs.extend(forged.into_iter().take(3));
        pairs.push(format!("sessionId={value}").into_bytes());
        pairs.extend(after);
        let header = join(&pairs);
        let mark = srv.store.mark();
        let res = send(srv.addr, "GET", "/whoami", Some(&header));
        let user = user_of(&res);
        prop_assert_eq!(
            user.as_deref(),
            Some("alice"),
            "{:?}",
            String::from_utf8_lossy(&header)
        );
        let id = srv.valid.split('.').next().unwrap();
        let asked = srv.store.since(mark);
        prop_assert!(asked.iter().all(|a| a == id), "the store was asked about {:?}", asked);
    }

    #[test]
    fn arbitrary_header_bytes_are_never_a_5xx(raw in prop::collection::vec(any::<u8>(), 0..300)) {
        // Bytes the HTTP parser refuses (CR, LF, NUL, other controls) give a 4xx or a closed
        // connection; everything else reaches the session middleware, which copes.
        let srv = server();
        let _one = srv.exclusive();
        let mark = srv.store.mark();
        let res = send(srv.addr, "GET", "/whoami", Some(&raw));
        prop_assert!(
            matches!(res.status, None | Some(200..=499)),
            "{:?} -> {:?}", raw, String::from_utf8_lossy(&res.raw)
        );
        if res.status == Some(200) {
            prop_assert_eq!(user_of(&res), None);
        }
        let asked = srv.store.since(mark);
        prop_assert!(asked.is_empty(), "the store was asked about {:?}", asked);
    }
}
