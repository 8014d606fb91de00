//! The Redis store over TLS (hearth's `redis-tls` feature), against a `redis-server` that
//! speaks only TLS: sessions are shared through it when the server's certificate checks out
//! against the CA the application names, and the application refuses to start when it does
//! not, whatever the URL asks for. With mutual TLS, the application shows its own
//! certificate, and cannot start without one.

use std::sync::Arc;
use std::time::Duration;

use crate::support::{self, id_of, options, start};
use deadpool_redis::redis::{self, AsyncCommands, TlsCertificates};
use hearth::prelude::*;
use hearth::session::store::RedisOptions;

fn tls_options(url: &str, prefix: &str, ca: Option<Vec<u8>>) -> RedisOptions {
    RedisOptions {
        url: Some(url.to_owned()),
        tls_ca_pem: ca,
        key_prefix: prefix.to_owned(),
        command_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(3),
        ..Default::default()
    }
}

/// The start-up error of an application on these Redis options.
async fn startup_error(redis: RedisOptions) -> String {
    let module = support::routes(
        ModuleDef::new("AppModule").import(SessionModule::for_root(SessionOptions {
            store: StoreConfig::redis(redis),
            ..options()
        })),
        Arc::default(),
    );
    match Application::from_module(module) {
        Err(e) => e.to_string(),
        Ok(app) => app
            .build()
            .await
            .map(|_| ())
            .expect_err("start-up must fail")
            .to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_over_tls() {
    let redis = hearth_e2e::spawn_redis_tls();
    let url = redis.url().to_owned();
    assert!(url.starts_with("rediss://localhost:"), "{url}");
    let prefix = hearth_e2e::unique_prefix("tls");
    let with_tls = || SessionOptions {
        store: StoreConfig::redis(tls_options(&url, &prefix, Some(hearth_e2e::test_ca_pem()))),
        ..options()
    };
    let a = start(with_tls()).await;
    let b = start(with_tls()).await;

    let c = a.login("alice", None).await;
    assert_eq!(
        b.user(&c).await,
        "alice",
        "B reads A's session through TLS Redis"
    );

    // The record is in that Redis, read back over TLS by a client of its own.
    let client = redis::Client::build_with_tls(
        url.as_str(),
        TlsCertificates {
            client_tls: None,
            root_cert: Some(hearth_e2e::test_ca_pem()),
        },
    )
    .unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let record: Option<String> = raw.get(format!("{prefix}{}", id_of(&c))).await.unwrap();
    assert!(record.is_some_and(|r| r.contains("alice")));

    let res = b.post("/logout", Some(&c)).await;
    assert_eq!(res.status, 200);
    assert_eq!(a.user(&c).await, Value::Null, "A sees the logout");
    a.server.shutdown().await.unwrap();
    b.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_no_trusted_ca_signs_is_refused_at_start_up() {
    let redis = hearth_e2e::spawn_redis_tls();
    let url = redis.url().to_owned();
    // Without `tls_ca_pem` only Mozilla's root CAs are trusted, and none signed the test
    // certificate. redis-rs's `#insecure` URL fragment does not turn the check off either.
    for url in [url.clone(), format!("{url}/#insecure")] {
        let e = startup_error(tls_options(&url, "x:", None)).await;
        assert!(
            e.contains("cannot reach Redis at rediss://localhost:"),
            "{e}"
        );
    }
    let e = startup_error(tls_options(&url, "x:", None)).await;
    assert!(
        e.contains("invalid peer certificate")
            && e.contains("or the one in RedisOptions::tls_ca_pem"),
        "the cause and the fix are named: {e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_mutual_tls_the_application_shows_its_certificate() {
    let redis = hearth_e2e::spawn_redis_mtls();
    let prefix = hearth_e2e::unique_prefix("mtls");
    let mtls = RedisOptions {
        tls_client_cert_pem: Some(hearth_e2e::test_client_cert_pem()),
        tls_client_key_pem: Some(hearth_e2e::test_client_key_pem()),
        ..tls_options(redis.url(), &prefix, Some(hearth_e2e::test_ca_pem()))
    };
    let app = start(SessionOptions {
        store: StoreConfig::redis(mtls.clone()),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    assert_eq!(app.user(&c).await, "alice");
    app.server.shutdown().await.unwrap();

    // Without its certificate, the server hangs up on it: no start.
    let e = startup_error(RedisOptions {
        tls_client_cert_pem: None,
        tls_client_key_pem: None,
        ..mtls
    })
    .await;
    assert!(
        e.contains("cannot reach Redis at rediss://localhost:")
            && e.contains("set RedisOptions::tls_client_cert_pem and tls_client_key_pem"),
        "{e}"
    );
}

#[tokio::test]
async fn tls_settings_that_cannot_work_are_start_up_errors() {
    use hearth_e2e::{test_ca_pem, test_client_cert_pem as cert, test_client_key_pem as key};
    let plain = "redis://127.0.0.1:6379";
    let tls = "rediss://localhost:6380";
    let with = |url: &str, ca: Option<Vec<u8>>, cert: Option<Vec<u8>>, key: Option<Vec<u8>>| {
        RedisOptions {
            tls_client_cert_pem: cert,
            tls_client_key_pem: key,
            ..tls_options(url, "x:", ca)
        }
    };
    let cases = [
        // TLS settings for a connection without TLS.
        (
            with(plain, Some(test_ca_pem()), None, None),
            "tls_ca_pem is set, but redis://127.0.0.1:6379 is not a TLS address",
        ),
        (
            with(plain, None, Some(cert()), Some(key())),
            "tls_client_cert_pem is set, but redis://127.0.0.1:6379 is not a TLS address",
        ),
        // Something that is not PEM of the right kind (a path, a certificate for a key).
        (
            with(tls, Some(b"/etc/redis/ca.pem".to_vec()), None, None),
            "tls_ca_pem holds no PEM certificate",
        ),
        (
            with(tls, None, Some(b"client.pem".to_vec()), Some(key())),
            "tls_client_cert_pem holds no PEM certificate",
        ),
        (
            with(tls, None, Some(cert()), Some(cert())),
            "tls_client_key_pem holds no PEM private key",
        ),
        // A client certificate without its key.
        (
            with(tls, None, Some(cert()), None),
            "give tls_client_cert_pem and tls_client_key_pem together",
        ),
        // PEM that does not parse; `tls: true` with host and port asks for TLS as rediss:// does.
        (
            RedisOptions {
                host: "localhost".into(),
                port: 6380,
                tls: true,
                tls_ca_pem: Some(b"-----BEGIN CERTIFICATE-----\nnot base64\n".to_vec()),
                ..Default::default()
            },
            "invalid Redis TLS settings for rediss://localhost:6380/0",
        ),
    ];
    for (options, expected) in cases {
        let e = startup_error(options).await;
        assert!(e.contains(expected), "expected {expected:?} in: {e}");
    }

    // The client key never shows, in an error or in the options' Debug.
    let pem = String::from_utf8(key()).unwrap();
    let secret = pem.lines().nth(1).unwrap();
    let e = startup_error(with(tls, None, Some(cert()), Some(key()))).await;
    assert!(!e.contains(secret), "{e}");
    let debug = format!("{:?}", with(tls, None, None, Some(key())));
    assert!(
        !debug.contains(secret) && debug.contains("tls_client_key_pem"),
        "{debug}"
    );
}
