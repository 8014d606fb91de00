//! The server over real TCP: body limits (413, by Content-Length and chunked), header limits
//! (431), the header-read timeout against slow clients, the body-read timeout (408),
//! graceful shutdown finishing an in-flight request, HTTP/2 with prior knowledge (and an
//! HTTP/1 request that starts like its preface), and configuration checked at start-up.
//! (Clients that do not read: `tests/tests/stalled_clients.rs`; upgrades:
//! `tests/tests/upgrades.rs`.)
//!
//! Every wait has a generous upper bound; nothing asserts how fast anything is.

#[path = "common/core_util.rs"]
mod util;

use std::sync::Arc;
use std::time::Duration;

use hearth::bytes::Bytes;
use hearth::extract::{FromRequest, Rejection};
use hearth::prelude::*;
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use util::*;

fn app() -> ModuleDef {
    ModuleDef::new("ServerApp")
        .route(Method::GET, "/", |_| async { "home" })
        .route(Method::POST, "/echo", |req| async move {
            let body = Bytes::from_request(req).await?;
            Ok::<_, Rejection>(body)
        })
}

#[tokio::test]
async fn body_over_the_limit_is_413_by_content_length() {
    let server = start(
        Application::from_module(app())
            .unwrap()
            .configure(|c| c.body_limit = 16),
    )
    .await;
    let res = reqwest::Client::new()
        .post(format!("{}/echo", server.url()))
        .body("0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "0123456789abcdef");

    // Refused from the Content-Length alone, before the body is read.
    let response = raw_exchange(
        server.addr(),
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(raw_status(&response), Some(413), "{response}");
    let body: Value = serde_json::from_str(raw_body(&response)).unwrap();
    assert_eq!(body["statusCode"], 413);
    assert_eq!(body["error"], "Payload Too Large");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn body_over_the_limit_is_413_when_chunked() {
    let server = start(
        Application::from_module(app())
            .unwrap()
            .configure(|c| c.body_limit = 16),
    )
    .await;
    // Within the limit, chunked.
    let response = raw_exchange(
        server.addr(),
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    assert!(response.ends_with("hello world"), "{response}");

    // Over the limit, chunked: no Content-Length to refuse early, the count stops it.
    let response = raw_exchange(
        server.addr(),
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
          10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(raw_status(&response), Some(413), "{response}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn header_too_large_is_431() {
    let server = start_def(app()).await;
    let big = "a".repeat(20 * 1024);
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
    let response = raw_exchange(server.addr(), request.as_bytes()).await;
    assert_eq!(raw_status(&response), Some(431), "{response}");

    // A header of a few KiB is fine.
    let ok = "b".repeat(4 * 1024);
    let request = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Ok: {ok}\r\nConnection: close\r\n\r\n");
    let response = raw_exchange(server.addr(), request.as_bytes()).await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn too_many_headers_is_431() {
    let server = start(
        Application::from_module(app())
            .unwrap()
            .configure(|c| c.max_headers = 20),
    )
    .await;
    let mut request = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
    for i in 0..40 {
        request.push_str(&format!("X-H{i}: v\r\n"));
    }
    request.push_str("\r\n");
    let response = raw_exchange(server.addr(), request.as_bytes()).await;
    assert_eq!(raw_status(&response), Some(431), "{response}");

    let mut request = String::from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for i in 0..10 {
        request.push_str(&format!("X-H{i}: v\r\n"));
    }
    request.push_str("\r\n");
    let response = raw_exchange(server.addr(), request.as_bytes()).await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    server.shutdown().await.unwrap();
}

/// Waits (at most `PATIENCE`) for the server to close `stream`; returns what it sent.
async fn closed_by_server(stream: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    closed
        .ok()
        .map(|_| String::from_utf8_lossy(&out).into_owned())
}

fn slow_app() -> Application {
    with_header_timeout(app())
}

/// `def` with a header-read timeout of 300 ms.
fn with_header_timeout(def: ModuleDef) -> Application {
    Application::from_module(def)
        .unwrap()
        .configure(|c| c.header_read_timeout = Duration::from_millis(300))
}

#[tokio::test]
async fn slow_client_sending_half_a_head_is_cut_off_while_others_are_served() {
    let server = start(slow_app()).await;
    let mut slow = TcpStream::connect(server.addr()).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();

    // Another client is served normally meanwhile.
    let res = reqwest::get(format!("{}/", server.url())).await.unwrap();
    assert_eq!(res.text().await.unwrap(), "home");

    let sent = closed_by_server(&mut slow)
        .await
        .expect("the server closes a connection whose head never completes");
    // Nothing, or a 408, but never a handled request.
    assert!(sent.is_empty() || raw_status(&sent) == Some(408), "{sent}");

    let res = reqwest::get(format!("{}/", server.url())).await.unwrap();
    assert_eq!(res.status(), 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn client_that_connects_and_sends_nothing_is_cut_off() {
    let server = start(slow_app()).await;
    let mut idle = TcpStream::connect(server.addr()).await.unwrap();
    closed_by_server(&mut idle)
        .await
        .expect("the server closes a connection that never sends a request");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn client_that_stalls_inside_the_http2_preface_is_cut_off() {
    let server = start(slow_app()).await;
    let mut stalled = TcpStream::connect(server.addr()).await.unwrap();
    stalled.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    closed_by_server(&mut stalled)
        .await
        .expect("the server closes a connection stuck in the preface");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn handlers_slower_than_the_header_timeout_are_not_cut_off() {
    // The header-read timeout bounds how long a client takes to send its head, not how
    // long the application takes to answer.
    let def = app().route(Method::GET, "/slow", |_| async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        "slow but fine"
    });
    let server = start(with_header_timeout(def)).await;
    let response = raw_exchange(
        server.addr(),
        b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(response.matches("HTTP/1.1 200").count(), 2, "{response}");
    assert_eq!(response.matches("slow but fine").count(), 2, "{response}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = start(slow_app()).await;
    let mut conn = TcpStream::connect(server.addr()).await.unwrap();
    conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = conn.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Kept alive, then idle: closed once idle for the header-read timeout (300 ms), not before.
    let idle_from = std::time::Instant::now();
    let sent = closed_by_server(&mut conn)
        .await
        .expect("the server closes an idle keep-alive connection");
    assert!(sent.is_empty(), "{sent}");
    assert!(
        idle_from.elapsed() >= Duration::from_millis(280),
        "closed after {:?}",
        idle_from.elapsed()
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn streamed_response_outlasting_the_header_timeout_is_not_cut_off() {
    // The handler returns at once; its body then takes 1 s, over three header-read timeouts.
    let def = app().route(Method::GET, "/stream", |_| async {
        let chunks = futures_util::stream::unfold(0u32, |i| async move {
            if i == 5 {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            Some((
                Ok::<_, std::io::Error>(http_body::Frame::data(Bytes::from(format!("chunk{i};")))),
                i + 1,
            ))
        });
        hearth::Response::new(hearth::Body::new(http_body_util::StreamBody::new(chunks)))
    });
    let server = start(with_header_timeout(def)).await;
    let response = raw_exchange(
        server.addr(),
        b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    for i in 0..5 {
        assert!(response.contains(&format!("chunk{i};")), "{response}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn slow_body_is_408() {
    let server = start(
        Application::from_module(app())
            .unwrap()
            .configure(|c| c.body_timeout = Duration::from_millis(300)),
    )
    .await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        .await
        .unwrap();
    let response = read_until_close(&mut stream).await;
    assert_eq!(raw_status(&response), Some(408), "{response}");
    let body: Value = serde_json::from_str(raw_body(&response)).unwrap();
    assert_eq!(body["error"], "Request Timeout");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_in_flight_request() {
    let started = Arc::new(Notify::new());
    let signal = started.clone();
    let def = app().route(Method::GET, "/slow", move |_| {
        let signal = signal.clone();
        async move {
            signal.notify_one();
            tokio::time::sleep(Duration::from_millis(500)).await;
            "finished"
        }
    });
    let server = start_def(def).await;
    let url = server.url();
    let addr = server.addr();
    let in_flight = tokio::spawn(async move {
        let res = reqwest::get(format!("{url}/slow")).await?;
        let status = res.status();
        Ok::<_, reqwest::Error>((status, res.text().await?))
    });
    tokio::time::timeout(PATIENCE, started.notified())
        .await
        .expect("the slow handler starts");
    tokio::time::timeout(PATIENCE, server.shutdown())
        .await
        .expect("shutdown completes")
        .unwrap();
    let (status, text) = tokio::time::timeout(PATIENCE, in_flight)
        .await
        .unwrap()
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(status, 200);
    assert_eq!(text, "finished");
    // New connections are refused once the server has stopped.
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn begin_shutdown_stops_accepting_new_connections() {
    let started = Arc::new(Notify::new());
    let signal = started.clone();
    let def = app().route(Method::GET, "/slow", move |_| {
        let signal = signal.clone();
        async move {
            signal.notify_one();
            tokio::time::sleep(Duration::from_millis(500)).await;
            "finished"
        }
    });
    let mut server = start_def(def).await;
    let url = server.url();
    let addr = server.addr();
    let in_flight = tokio::spawn(async move { reqwest::get(format!("{url}/slow")).await });
    tokio::time::timeout(PATIENCE, started.notified())
        .await
        .unwrap();
    server.begin_shutdown();
    // While the in-flight request is still running, new connections are refused.
    let refused = tokio::time::timeout(PATIENCE, async {
        loop {
            match TcpStream::connect(addr).await {
                Err(_) => return,
                Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
    .await;
    assert!(refused.is_ok(), "the listener closes on shutdown");
    let res = in_flight.await.unwrap().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "finished");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn http2_prior_knowledge() {
    let server = start_def(app()).await;
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let res = client
        .get(format!("{}/", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "home");
    let res = client
        .post(format!("{}/echo", server.url()))
        .body("over h2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.text().await.unwrap(), "over h2");
    let res = client
        .get(format!("{}/missing", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    server.shutdown().await.unwrap();
}

/// A client may send the HTTP/2 preface in pieces: the server waits for the rest instead of
/// taking it for HTTP/1 (which would answer 400).
#[tokio::test]
async fn http2_preface_in_pieces_is_still_http2() {
    let server = start_def(app()).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The rest of the preface, then an empty SETTINGS frame.
    stream.write_all(b"\r\nSM\r\n\r\n").await.unwrap();
    stream
        .write_all(&[0, 0, 0, 0x04, 0, 0, 0, 0, 0])
        .await
        .unwrap();
    let mut head = [0u8; 9];
    tokio::time::timeout(PATIENCE, stream.read_exact(&mut head))
        .await
        .expect("the server answers")
        .unwrap();
    // A frame header (not "HTTP/1.1 "): the server's own SETTINGS frame, type 0x4.
    assert_eq!(head[3], 0x04, "{:?}", String::from_utf8_lossy(&head));
    // (A raw client that never acknowledges the server's GOAWAY ping would hold the
    // shutdown for the grace period: hang up first.)
    drop(stream);
    server.shutdown().await.unwrap();
}

/// An HTTP/1 request whose first segment could still be the start of the HTTP/2 preface (a
/// lone `P`) is served as HTTP/1 once the rest arrives: the bytes read to tell reach hyper.
#[tokio::test]
async fn http1_request_starting_like_the_http2_preface_is_still_http1() {
    let server = start_def(app()).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(b"P").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    stream
        .write_all(
            b"OST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
        )
        .await
        .unwrap();
    let response = read_until_close(&mut stream).await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    assert_eq!(raw_body(&response), "hello");
    server.shutdown().await.unwrap();
}

/// Shutdown closes idle keep-alive connections at once instead of waiting out the grace
/// period (30 s by default) for them.
#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections() {
    let server = start_def(app()).await;
    let mut h1 = TcpStream::connect(server.addr()).await.unwrap();
    h1.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = h1.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let res = h2.get(format!("{}/", server.url())).send().await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    // Both connections are idle now; a third is open and has sent nothing yet.
    let mut silent = TcpStream::connect(server.addr()).await.unwrap();
    tokio::time::timeout(PATIENCE, server.shutdown())
        .await
        .expect("shutdown does not wait for idle connections")
        .unwrap();
    assert!(closed_by_server(&mut h1).await.is_some());
    assert!(closed_by_server(&mut silent).await.is_some());
}

#[tokio::test]
async fn http1_requests_are_answered_as_http1() {
    let server = start_def(app()).await;
    let res = reqwest::get(format!("{}/", server.url())).await.unwrap();
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_server_config_is_a_startup_error() {
    let app = Application::from_module(app()).unwrap().configure(|c| {
        c.max_header_bytes = 1024;
        c.body_limit = 0;
        c.header_read_timeout = Duration::ZERO;
        c.write_timeout = Duration::ZERO;
        c.trusted_proxies = vec!["10.0.0.0/8".into(), "proxy.internal".into()];
    });
    let err = app.build().await.unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    let text = err.to_string();
    assert!(text.contains("max_header_bytes is 1024"), "{text}");
    assert!(text.contains("body_limit is 0"), "{text}");
    assert!(text.contains("header_read_timeout is zero"), "{text}");
    assert!(text.contains("write_timeout is zero"), "{text}");
    assert!(
        text.contains("trusted_proxies has \"proxy.internal\", which is neither an IP address"),
        "{text}"
    );
}

#[tokio::test]
async fn shutdown_grace_period_bounds_a_request_that_never_ends() {
    let started = Arc::new(Notify::new());
    let signal = started.clone();
    let def = app().route(Method::GET, "/stuck", move |_| {
        let signal = signal.clone();
        async move {
            signal.notify_one();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "never"
        }
    });
    let server = start(
        Application::from_module(def)
            .unwrap()
            .configure(|c| c.shutdown_grace = Duration::from_millis(300)),
    )
    .await;
    let url = server.url();
    let stuck = tokio::spawn(async move { reqwest::get(format!("{url}/stuck")).await });
    tokio::time::timeout(PATIENCE, started.notified())
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, server.shutdown())
        .await
        .expect("shutdown returns once the grace period is over")
        .unwrap();
    // The stuck request's connection is closed, not left running after shutdown.
    let outcome = tokio::time::timeout(PATIENCE, stuck)
        .await
        .expect("the stuck connection is closed when the grace period ends")
        .unwrap();
    assert!(outcome.is_err(), "{outcome:?}");
}

#[tokio::test]
async fn listen_on_serves_an_existing_listener() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Application::from_module(app()).unwrap();
    let task = tokio::spawn(app.listen_on(listener));
    let res = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(res.text().await.unwrap(), "home");
    task.abort();
}

#[tokio::test]
async fn keep_alive_can_be_turned_off() {
    let server = start(
        Application::from_module(app())
            .unwrap()
            .configure(|c| c.keep_alive = false),
    )
    .await;
    // Two pipelined requests: only the first is answered, then the connection closes.
    let response = raw_exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert_eq!(raw_status(&response), Some(200), "{response}");
    assert_eq!(response.matches("HTTP/1.1 200").count(), 1, "{response}");
    assert!(response.contains("connection: close"), "{response}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let server = start_def(app()).await;
    let response = raw_exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
          GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(response.matches("HTTP/1.1 200").count(), 3, "{response}");
    assert!(response.contains("\r\n\r\nabc"), "{response}");
    server.shutdown().await.unwrap();
}
