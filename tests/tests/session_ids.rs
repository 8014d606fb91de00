//! Session ids from a running server: 100,000 of them are distinct, carry at least 128 bits,
//! and their bytes are uniform (chi-square over the 256 byte values, and every bit position
//! balanced).
//!
//! Where they come from: 3,000 through the real login path (a `POST /login` that writes the
//! session, the id read back from `Set-Cookie` and its signature checked), the other 97,000
//! through `SessionService::create` on the same server, 1,000 per HTTP request to an admin
//! route (a debug build does the bulk in about a second that way).

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hearth::extract::{FromRequestParts, Inject, Query};
use hearth::http::Method;
use hearth::prelude::*;
use hearth::session::is_valid_id;

const SECRET: &str = "session-ids-secret-0123456789abcdef-0123456789abcdef";
const TOTAL: usize = 100_000;
const OVER_HTTP: usize = 3_000;
const PER_BULK: usize = 1_000;

/// The 0.999999 quantile of chi-square with 255 degrees of freedom (Wilson–Hilferty:
/// 255·(1 − 2/(9·255) + 4.753·√(2/(9·255)))³ ≈ 377). A good source fails this once in a
/// million runs; a source that zeroes one byte of 32 in one id of 20 lands far above.
const CHI2_CRITICAL: f64 = 377.0;

fn options() -> SessionOptions {
    SessionOptions {
        secret: SECRET.into(),
        ..Default::default()
    }
}

fn app_module() -> ModuleDef {
    ModuleDef::new("SessionIds")
        .import(SessionModule::for_root(options()))
        .route(Method::POST, "/login", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            s.regenerate();
            s.insert("userId", "alice")?;
            HttpResult::Ok("welcome")
        })
        .route(Method::POST, "/bulk", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Query(q) =
                Query::<std::collections::HashMap<String, usize>>::from_request_parts(&mut parts)
                    .await?;
            let svc = Inject::<SessionService>::from_request_parts(&mut parts).await?;
            let mut ids = Vec::with_capacity(q["n"]);
            for i in 0..q["n"] {
                ids.push(svc.create(&json!({ "i": i })).await?);
            }
            HttpResult::Ok(Json(ids))
        })
}

/// Chi-square statistic of byte values against the uniform distribution.
fn chi_square(bytes: &[u8]) -> f64 {
    let mut counts = [0u64; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let expected = bytes.len() as f64 / 256.0;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_ids_are_distinct_long_and_uniform() {
    let app = Application::from_module(app_module())
        .unwrap()
        .build()
        .await
        .unwrap();
    let server = app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    let url = server.url();
    let verifier = hearth::session::session_middleware(options())
        .unwrap()
        .service();
    // One keep-alive connection per client, no cookie jar: every login is a new session.
    let client = reqwest::Client::new();

    let mut ids: Vec<String> = Vec::with_capacity(TOTAL);
    for _ in 0..OVER_HTTP {
        let res = client.post(format!("{url}/login")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("sessionId="))
            .and_then(|c| c.split(';').next())
            .expect("login sets the session cookie")
            .to_owned();
        let id = verifier
            .verify(&cookie)
            .expect("the cookie is signed with the app's secret");
        ids.push(id);
    }
    while ids.len() < TOTAL {
        let n = PER_BULK.min(TOTAL - ids.len());
        let res = client
            .post(format!("{url}/bulk?n={n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let batch: Vec<String> = res.json().await.unwrap();
        assert_eq!(batch.len(), n);
        ids.extend(batch);
    }
    server.shutdown().await.unwrap();

    // Distinct.
    let distinct: HashSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(distinct.len(), TOTAL, "duplicate session ids");

    // At least 128 bits each: the id is base64url of the random bytes.
    let mut bytes = Vec::with_capacity(TOTAL * 32);
    let mut width = None;
    for id in &ids {
        assert!(is_valid_id(id), "{id}");
        let raw = URL_SAFE_NO_PAD.decode(id).expect("ids are base64url");
        assert!(raw.len() * 8 >= 128, "{id}: only {} bits", raw.len() * 8);
        assert_eq!(
            *width.get_or_insert(raw.len()),
            raw.len(),
            "ids of mixed width"
        );
        bytes.extend_from_slice(&raw);
    }
    let width = width.unwrap();

    // Uniform byte values.
    let chi2 = chi_square(&bytes);
    assert!(
        chi2 < CHI2_CRITICAL,
        "byte values are not uniform: chi-square {chi2:.1} over {} bytes (critical {CHI2_CRITICAL})",
        bytes.len()
    );

    // Every bit position balanced: 100,000 draws of a fair bit have a standard deviation of
    // 158; 6 of them (±950) is a bound a fair source essentially never crosses.
    let n = ids.len() as f64;
    let bound = 6.0 * (n * 0.25).sqrt();
    for bit in 0..width * 8 {
        let ones = bytes
            .chunks_exact(width)
            .filter(|id| id[bit / 8] >> (bit % 8) & 1 == 1)
            .count() as f64;
        assert!(
            (ones - n / 2.0).abs() < bound,
            "bit {bit} is set in {ones} of {n} ids"
        );
    }
}

#[test]
fn the_uniformity_check_catches_a_biased_source() {
    // The statistic above is not vacuous: ids from a source that zeroes one byte of 32 in
    // one id of 20 fail it.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // xorshift64*: fine for a test of the test.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    };
    let fair: Vec<u8> = (0..TOTAL * 32).map(|_| next()).collect();
    assert!(chi_square(&fair) < CHI2_CRITICAL);
    let biased: Vec<u8> = fair
        .chunks_exact(32)
        .enumerate()
        .flat_map(|(i, id)| {
            let mut id = id.to_vec();
            if i % 20 == 0 {
                id[7] = 0;
            }
            id
        })
        .collect();
    assert!(chi_square(&biased) > CHI2_CRITICAL);
}
