//! Hostile `Cookie` headers against a real server with `SessionModule`: empty, quoted,
//! duplicated, padded with whitespace, non-ASCII, oversized, truncated or re-encoded
//! signatures, keys rotated out. None of them is a 5xx; a cookie whose signature fails is
//! treated as no session, and its id never reaches the store (a recording store proves it).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hearth::app::RunningServer;
use hearth::extract::FromRequestParts;
use hearth::http::Method;
use hearth::prelude::*;
use hearth_e2e::raw::{RawResponse, exchange};
use hearth_e2e::recording::Recording;

const SECRET: &str = "hostile-cookies-secret-0123456789abcdef-0123456789";
const OLD_SECRET: &str = "hostile-cookies-old-secret-0123456789abcdef-012345";

// ---------------------------------------------------------------- the application

fn app_module(options: SessionOptions) -> ModuleDef {
    ModuleDef::new("HostileCookies")
        .import(SessionModule::for_root(options))
        .route(Method::GET, "/whoami", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            HttpResult::Ok(Json(
                json!({ "user": s.get::<String>("userId")?, "new": s.is_new() }),
            ))
        })
        .route(Method::POST, "/login", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            s.regenerate();
            s.insert("userId", "alice")?;
            HttpResult::Ok("welcome")
        })
        .route(Method::POST, "/write", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            s.insert("n", &1)?;
            HttpResult::Ok(Json(json!({ "user": s.get::<String>("userId")? })))
        })
}

struct TestApp {
    server: RunningServer,
    store: Recording,
}

async fn start(store: Recording, secret: &str, previous: &[&str]) -> TestApp {
    let options = SessionOptions {
        secret: secret.into(),
        previous_secrets: previous.iter().map(|s| s.to_string()).collect(),
        store: StoreConfig::custom(store.clone()),
        ..Default::default()
    };
    let app = Application::from_module(app_module(options))
        .expect("valid app")
        .build()
        .await
        .expect("app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    TestApp {
        server: app.spawn(listener),
        store,
    }
}

/// A request with exactly these `Cookie` header lines (raw bytes, sent as is).
fn request(method: &str, path: &str, cookie_lines: &[&[u8]]) -> Vec<u8> {
    let mut r =
        format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n").into_bytes();
    if method == "POST" {
        r.extend_from_slice(b"Content-Length: 0\r\n");
    }
    for line in cookie_lines {
        r.extend_from_slice(b"Cookie: ");
        r.extend_from_slice(line);
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(b"\r\n");
    r
}

/// The session cookie value a response sets (`None`: no session `Set-Cookie`; `Some("")`:
/// a removal).
fn session_cookie(res: &RawResponse) -> Option<String> {
    let mine: Vec<&str> = res
        .header_all("set-cookie")
        .into_iter()
        .filter(|c| c.starts_with("sessionId="))
        .collect();
    assert!(
        mine.len() <= 1,
        "more than one session Set-Cookie: {mine:?}"
    );
    mine.first().map(|c| {
        c["sessionId=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    })
}

fn id_of(value: &str) -> &str {
    value.split('.').next().unwrap()
}

impl TestApp {
    async fn send(&self, method: &str, path: &str, lines: &[&[u8]]) -> RawResponse {
        exchange(self.server.addr(), &request(method, path, lines)).await
    }

    /// Logs in and returns the signed cookie value.
    async fn login(&self) -> String {
        let res = self.send("POST", "/login", &[]).await;
        assert_eq!(res.status, Some(200), "{}", res.text());
        session_cookie(&res).expect("login sets the session cookie")
    }

    /// `GET /whoami` with these cookie lines: asserts a 200 and returns the user it saw,
    /// with the ids the store was asked about meanwhile.
    async fn whoami(&self, case: &str, lines: &[&[u8]]) -> (Option<String>, Vec<String>) {
        let mark = self.store.mark();
        let res = self.send("GET", "/whoami", lines).await;
        let asked = self.store.since(mark);
        assert_eq!(res.status, Some(200), "{case}: {}", res.text());
        let v: Value = serde_json::from_slice(&res.body).expect("json body");
        (v["user"].as_str().map(str::to_owned), asked)
    }

    /// The cookie must be treated as no session at all: anonymous, the store untouched, no
    /// cookie set on a read; and a write on top of it gets a fresh server-made id that is
    /// the only id the store ever hears of.
    async fn assert_rejected(&self, case: &str, lines: &[&[u8]]) {
        let (user, asked) = self.whoami(case, lines).await;
        assert_eq!(user, None, "{case}: must not be recognised");
        assert!(
            asked.is_empty(),
            "{case}: the store was asked about {asked:?}"
        );

        let mark = self.store.mark();
        let res = self.send("POST", "/write", lines).await;
        let asked = self.store.since(mark);
        assert_eq!(res.status, Some(200), "{case}: {}", res.text());
        let fresh = session_cookie(&res).unwrap_or_else(|| panic!("{case}: write sets a cookie"));
        let fresh_id = id_of(&fresh).to_owned();
        assert!(
            hearth::session::is_valid_id(&fresh_id),
            "{case}: fresh id {fresh_id}"
        );
        assert!(
            asked.iter().all(|id| *id == fresh_id),
            "{case}: the store heard of ids other than the fresh one: {asked:?}"
        );
        let sent = String::from_utf8_lossy(&lines.concat()).into_owned();
        assert!(
            !sent.contains(&fresh_id),
            "{case}: the client's id was adopted"
        );
    }

    /// The cookie must be recognised as `valid`'s session, and the store asked only about it.
    async fn assert_recognised(&self, case: &str, valid: &str, lines: &[&[u8]]) {
        let (user, asked) = self.whoami(case, lines).await;
        assert_eq!(user.as_deref(), Some("alice"), "{case}: must be recognised");
        let id = id_of(valid);
        assert!(
            !asked.is_empty() && asked.iter().all(|a| a == id),
            "{case}: the store was asked about {asked:?}, expected only {id}"
        );
    }
}

fn flip_char(s: &str, i: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

// ---------------------------------------------------------------- the cases

#[tokio::test]
async fn empty_missing_and_malformed_session_cookies_are_no_session() {
    let app = start(Recording::default(), SECRET, &[]).await;
    let valid = app.login().await;
    let (id, _sig) = valid.split_once('.').unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty header", b"".to_vec()),
        ("name only", b"sessionId".to_vec()),
        ("empty value", b"sessionId=".to_vec()),
        ("only separators", b";;; ; ;".to_vec()),
        ("bare equals", b"=".to_vec()),
        ("double equals", b"sessionId==".to_vec()),
        ("dot only", b"sessionId=.".to_vec()),
        (
            "id without signature",
            format!("sessionId={id}").into_bytes(),
        ),
        ("id and dot", format!("sessionId={id}.").into_bytes()),
        ("lone quote", b"sessionId=\"".to_vec()),
        ("empty quotes", b"sessionId=\"\"".to_vec()),
        (
            "unbalanced quote",
            format!("sessionId=\"{valid}").into_bytes(),
        ),
        (
            "name in other case",
            format!("sessionid={valid}").into_bytes(),
        ),
        (
            "name with inner space",
            format!("session Id={valid}").into_bytes(),
        ),
        (
            "value with inner space",
            format!("sessionId={} {}", &valid[..20], &valid[20..]).into_bytes(),
        ),
        ("path traversal", b"sessionId=../../etc/passwd".to_vec()),
        (
            "percent-encoded valid value",
            format!("sessionId={}", valid.replace('.', "%2E")).into_bytes(),
        ),
        (
            "signed twice",
            format!("sessionId={valid}.{}", valid.split_once('.').unwrap().1).into_bytes(),
        ),
    ];
    for (case, line) in &cases {
        app.assert_rejected(case, &[line]).await;
    }
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn quotes_and_surrounding_whitespace_are_tolerated() {
    let app = start(Recording::default(), SECRET, &[]).await;
    let valid = app.login().await;
    // RFC 6265 allows a DQUOTEd value; optional whitespace around pairs is common in
    // hand-written clients. Each still finds the session.
    let cases = [
        ("quoted value", format!("sessionId=\"{valid}\"")),
        ("leading space", format!(" sessionId={valid}")),
        ("trailing space", format!("sessionId={valid} ")),
        ("spaces around equals", format!("sessionId = {valid}")),
        ("tabs", format!("\tsessionId=\t{valid}\t")),
        ("trailing separator", format!("sessionId={valid};")),
        (
            "no space after separator",
            format!("a=1;sessionId={valid};b=2"),
        ),
    ];
    for (case, line) in &cases {
        app.assert_recognised(case, &valid, &[line.as_bytes()])
            .await;
    }
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn duplicate_names_find_the_valid_cookie_in_either_order() {
    let app = start(Recording::default(), SECRET, &[]).await;
    let valid = app.login().await;
    let (id, sig) = valid.split_once('.').unwrap();
    let forged_same_id = format!("{id}.{}", flip_char(sig, 3));
    let cases = [
        (
            "garbage first",
            format!("sessionId=garbage; sessionId={valid}"),
        ),
        (
            "garbage last",
            format!("sessionId={valid}; sessionId=garbage"),
        ),
        (
            "forged signature first",
            format!("sessionId={forged_same_id}; sessionId={valid}"),
        ),
        (
            "three bad, then valid",
            format!("sessionId=a; sessionId={forged_same_id}; sessionId=\"x\"; sessionId={valid}"),
        ),
        (
            "among other cookies",
            format!("theme=dark; sessionId=x; lang=fr; sessionId={valid}; z=1"),
        ),
    ];
    for (case, line) in &cases {
        app.assert_recognised(case, &valid, &[line.as_bytes()])
            .await;
    }
    // The same across two Cookie header lines (as HTTP/2 clients send them), both orders.
    let bad = b"sessionId=garbage".as_slice();
    let good = format!("sessionId={valid}");
    app.assert_recognised(
        "two header lines, bad first",
        &valid,
        &[bad, good.as_bytes()],
    )
    .await;
    app.assert_recognised(
        "two header lines, bad last",
        &valid,
        &[good.as_bytes(), bad],
    )
    .await;
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn non_ascii_bytes_never_break_the_request() {
    let app = start(Recording::default(), SECRET, &[]).await;
    let valid = app.login().await;
    // Bad values with bytes outside ASCII (obs-text, allowed on the wire): no session.
    let bad: Vec<(&str, Vec<u8>)> = vec![
        (
            "latin-1 byte in value",
            [b"sessionId=".as_slice(), valid.as_bytes(), b"\xff"].concat(),
        ),
        (
            "utf-8 value",
            "sessionId=säsßiön.ünïcödé".as_bytes().to_vec(),
        ),
        ("invalid utf-8", b"sessionId=\xc3\x28\xa0\xa1".to_vec()),
        (
            "non-ascii name",
            [b"s\xe9ssionId=".as_slice(), valid.as_bytes()].concat(),
        ),
    ];
    for (case, line) in &bad {
        app.assert_rejected(case, &[line]).await;
    }
    // Another cookie on the same site holding UTF-8 or raw bytes (set by some other app or
    // by JavaScript) must not hide a valid session cookie: browsers send such bytes as is.
    let good: Vec<(&str, Vec<u8>)> = vec![
        (
            "utf-8 neighbour",
            format!("name=José; sessionId={valid}").into_bytes(),
        ),
        (
            "raw byte neighbour after",
            [b"sessionId=".as_slice(), valid.as_bytes(), b"; x=\xff\xfe"].concat(),
        ),
        (
            "invalid utf-8 neighbour before",
            [b"x=\xc3\x28; sessionId=".as_slice(), valid.as_bytes()].concat(),
        ),
    ];
    for (case, line) in &good {
        app.assert_recognised(case, &valid, &[line]).await;
    }
    // Control bytes are refused by the HTTP parser: a 4xx or a closed connection, never 5xx.
    for (case, line) in [
        (
            "NUL",
            [b"sessionId=".as_slice(), valid.as_bytes(), b"\x00"].concat(),
        ),
        ("DEL", b"sessionId=a\x7fb".to_vec()),
        ("bare CR", b"sessionId=a\rb".to_vec()),
    ] {
        let mark = app.store.mark();
        let res = app.send("GET", "/whoami", &[&line]).await;
        assert!(
            matches!(res.status, None | Some(400..=499)),
            "{case}: {:?}",
            String::from_utf8_lossy(&res.raw)
        );
        assert!(app.store.since(mark).is_empty(), "{case}");
    }
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn oversized_values_and_hundreds_of_cookies_are_bounded() {
    let app = start(Recording::default(), SECRET, &[]).await;
    let valid = app.login().await;

    let huge = format!("sessionId={}", "A".repeat(4096));
    app.assert_rejected("4 KiB value", &[huge.as_bytes()]).await;
    let huge_signed = format!(
        "sessionId={}.{}",
        "A".repeat(4096),
        valid.split_once('.').unwrap().1
    );
    app.assert_rejected("4 KiB id with a signature", &[huge_signed.as_bytes()])
        .await;
    // An oversized decoy does not hide the real cookie after it.
    let decoy_then_valid = format!("sessionId={}; sessionId={valid}", "B".repeat(4096));
    app.assert_recognised("4 KiB decoy first", &valid, &[decoy_then_valid.as_bytes()])
        .await;

    // Hundreds of other cookies, the session last.
    let mut many: String = (0..400).map(|i| format!("c{i}=v{i}; ")).collect();
    many.push_str(&format!("sessionId={valid}"));
    app.assert_recognised("400 other cookies", &valid, &[many.as_bytes()])
        .await;

    // Hundreds of forged session cookies: the work per request is bounded (a few HMACs),
    // nothing reaches the store, the answer is an ordinary anonymous 200.
    let mut forged: String = (0..200).map(|i| format!("sessionId=f{i}.s{i}; ")).collect();
    for _ in 0..40 {
        let other = hearth::session::new_id();
        forged.push_str(&format!(
            "sessionId={other}.{}; ",
            &valid[valid.len() - 43..]
        ));
    }
    app.assert_rejected("240 forged session cookies", &[forged.as_bytes()])
        .await;

    // Hundreds of Cookie header lines: past max_headers, a 431 before any handler runs.
    let line = format!("sessionId={valid}");
    let lines: Vec<&[u8]> = (0..300).map(|_| line.as_bytes()).collect();
    let mark = app.store.mark();
    let res = app.send("GET", "/whoami", &lines).await;
    assert_eq!(
        res.status,
        Some(431),
        "{}",
        String::from_utf8_lossy(&res.raw)
    );
    assert!(app.store.since(mark).is_empty());

    // A single header past max_header_bytes: 431 as well.
    let giant = format!("a={}; sessionId={valid}", "x".repeat(20_000));
    let res = app.send("GET", "/whoami", &[giant.as_bytes()]).await;
    assert_eq!(
        res.status,
        Some(431),
        "{}",
        String::from_utf8_lossy(&res.raw)
    );

    // And the server is fine afterwards.
    app.assert_recognised(
        "after the flood",
        &valid,
        &[format!("sessionId={valid}").as_bytes()],
    )
    .await;
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn truncated_padded_and_re_encoded_signatures_are_rejected() {
    let app = start(Recording::default(), SECRET, &[]).await;
    // A login whose id and signature both contain '-' or '_', so that the standard
    // alphabet really differs from the URL-safe one.
    let mut valid = app.login().await;
    for _ in 0..200 {
        let (id, sig) = valid.split_once('.').unwrap();
        if id.contains(['-', '_']) && sig.contains(['-', '_']) {
            break;
        }
        valid = app.login().await;
    }
    let (id, sig) = valid.split_once('.').unwrap();
    assert!(
        id.contains(['-', '_']) && sig.contains(['-', '_']),
        "{valid}"
    );
    let tag = URL_SAFE_NO_PAD.decode(sig).unwrap();
    assert_eq!(tag.len(), 32);

    // The last base64 character carries 2 unused bits: a decoder that ignores them would
    // accept 4 spellings of one signature.
    let last = sig.as_bytes()[42];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let pos = alphabet.iter().position(|&c| c == last).unwrap();
    let sibling = alphabet[pos ^ 1] as char;
    let non_canonical = format!("{id}.{}{sibling}", &sig[..42]);

    let cases = [
        ("signature truncated by one", format!("{id}.{}", &sig[..42])),
        (
            "signature truncated by half",
            format!("{id}.{}", &sig[..21]),
        ),
        ("id truncated", format!("{}.{sig}", &id[..42])),
        ("signature padded with =", format!("{id}.{sig}=")),
        ("signature padded with ==", format!("{id}.{sig}==")),
        ("signature with an extra char", format!("{id}.{sig}A")),
        ("id with an extra char", format!("{id}A.{sig}")),
        (
            "url-safe with padding",
            format!("{id}.{}", URL_SAFE.encode(&tag)),
        ),
        (
            "standard alphabet",
            format!("{id}.{}", STANDARD_NO_PAD.encode(&tag)),
        ),
        (
            "standard alphabet, padded",
            format!("{id}.{}", STANDARD.encode(&tag)),
        ),
        (
            "id in the standard alphabet",
            format!("{}.{sig}", id.replace('-', "+").replace('_', "/")),
        ),
        (
            "hex signature",
            format!(
                "{id}.{}",
                tag.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
        ),
        ("non-canonical last character", non_canonical),
        (
            "signature of another id",
            format!("{}.{sig}", hearth::session::new_id()),
        ),
        (
            "flipped signature byte",
            format!("{id}.{}", flip_char(sig, 10)),
        ),
        ("flipped id byte", format!("{}.{sig}", flip_char(id, 10))),
    ];
    for (case, value) in &cases {
        assert_ne!(value, &valid, "{case}");
        app.assert_rejected(case, &[format!("sessionId={value}").as_bytes()])
            .await;
    }
    // The genuine cookie still works after all that.
    app.assert_recognised(
        "genuine",
        &valid,
        &[format!("sessionId={valid}").as_bytes()],
    )
    .await;
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_id_signed_with_a_rotated_out_key_gets_a_fresh_session() {
    // One store, three deployments: the old key; the new key keeping the old one in
    // previous_secrets; the new key alone (the old one rotated out).
    let store = Recording::default();
    let old = start(store.clone(), OLD_SECRET, &[]).await;
    let old_cookie = old.login().await;
    old.server.shutdown().await.unwrap();

    let rotating = start(store.clone(), SECRET, &[OLD_SECRET]).await;
    rotating
        .assert_recognised(
            "old key still listed",
            &old_cookie,
            &[format!("sessionId={old_cookie}").as_bytes()],
        )
        .await;
    rotating.server.shutdown().await.unwrap();

    let rotated = start(store.clone(), SECRET, &[]).await;
    // The record still exists in the store, but its cookie no longer verifies.
    assert!(!store.inner.is_empty());
    rotated
        .assert_rejected(
            "old key rotated out",
            &[format!("sessionId={old_cookie}").as_bytes()],
        )
        .await;
    rotated.server.shutdown().await.unwrap();
}
