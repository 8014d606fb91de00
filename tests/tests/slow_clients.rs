//! Slow clients (slowloris): hundreds of connections trickling a request head, or a body,
//! one byte at a time. Other clients are still served while they hang on, and the server
//! cuts them off with `header_read_timeout` / `body_timeout` instead of holding them forever.
//!
//! Timeouts are short here (1–2 s); every wait is a generous upper bound, not a speed claim.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hearth::app::RunningServer;
use hearth::extract::FromRequest;
use hearth::http::Method;
use hearth::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// Slow connections trickling heads (keep well inside `ulimit -n`: each costs two fds in
/// this process, one per end).
const SLOW_HEADS: usize = 200;
/// Slow connections trickling bodies.
const SLOW_BODIES: usize = 50;
/// Between two trickled bytes.
const TRICKLE: Duration = Duration::from_millis(100);
/// Upper bound for anything that should be quick.
const PATIENCE: Duration = Duration::from_secs(10);

fn app() -> ModuleDef {
    ModuleDef::new("SlowClients")
        .route(Method::GET, "/hello", |_req: Request| async { "hello" })
        .route(Method::POST, "/ignore", |_req: Request| async { "ignored" })
        .route(Method::POST, "/echo", |req: Request| async move {
            match hearth::bytes::Bytes::from_request(req).await {
                Ok(b) => format!("{} bytes", b.len()).into_response(),
                Err(e) => e.into_response(),
            }
        })
}

async fn start(header_read_timeout: Duration, body_timeout: Duration) -> RunningServer {
    let app = Application::from_module(app())
        .unwrap()
        .configure(|c| {
            c.header_read_timeout = header_read_timeout;
            c.body_timeout = body_timeout;
        })
        .build()
        .await
        .unwrap();
    app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
}

/// How a slow connection ended.
#[derive(Debug)]
struct Ended {
    /// From the first byte sent until the server closed the connection.
    after: Duration,
    /// What the server sent before closing.
    received: Vec<u8>,
}

/// Connects, sends `prefix` at once, then trickles `trickle` byte by byte (repeating it)
/// until the server closes the connection or `PATIENCE` passes (then panics).
/// `started` counts connections that have sent their first byte.
async fn slow_connection(
    addr: SocketAddr,
    prefix: &'static [u8],
    trickle: &'static [u8],
    started: Arc<AtomicUsize>,
) -> Ended {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let t0 = Instant::now();
    let writer = async move {
        let _ = wr.write_all(prefix).await;
        for (i, b) in trickle.iter().cycle().enumerate() {
            if wr.write_all(&[*b]).await.is_err() {
                break;
            }
            if i == 0 {
                started.fetch_add(1, Ordering::SeqCst);
            }
            tokio::time::sleep(TRICKLE).await;
        }
        // Keep the write half open; the reader decides when this connection ended.
        std::future::pending::<()>().await;
    };
    let reader = async {
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
        received
    };
    let received = tokio::time::timeout(PATIENCE, async {
        tokio::select! {
            r = reader => r,
            _ = writer => unreachable!("the writer never ends"),
        }
    })
    .await
    .unwrap_or_else(|_| panic!("a slow connection was still open after {PATIENCE:?}"));
    Ended {
        after: t0.elapsed(),
        received,
    }
}

/// A normal client: `n` requests, each on a fresh connection, each answered in time.
async fn normal_client(addr: SocketAddr, n: usize) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for i in 0..n {
        let res = tokio::time::timeout(PATIENCE, async {
            if i % 2 == 0 {
                client.get(format!("http://{addr}/hello")).send().await
            } else {
                client
                    .post(format!("http://{addr}/echo"))
                    .body(vec![b'x'; 1000])
                    .send()
                    .await
            }
        })
        .await
        .expect("a normal client is answered while slow clients hang on")
        .expect("request");
        assert_eq!(res.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_heads_do_not_starve_others_and_are_cut_off() {
    let header_timeout = Duration::from_secs(2);
    let server = start(header_timeout, Duration::from_secs(30)).await;
    let addr = server.addr();
    let started = Arc::new(AtomicUsize::new(0));
    let mut slow = JoinSet::new();
    for _ in 0..SLOW_HEADS {
        slow.spawn(slow_connection(
            addr,
            b"",
            b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            started.clone(),
        ));
    }
    // Every slow connection is in and has started its head.
    let deadline = Instant::now() + PATIENCE;
    while started.load(Ordering::SeqCst) < SLOW_HEADS {
        assert!(Instant::now() < deadline, "slow connections did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Meanwhile a normal client is served, and it is served while all of them are still
    // connected (the header timeout of 2 s is far off).
    normal_client(addr, 20).await;
    assert!(
        slow.try_join_next().is_none(),
        "the normal client was only served after slow connections were dropped"
    );

    // Then each slow connection is cut off by the header-read timeout, never answered 2xx.
    let mut cut = 0;
    while let Some(ended) = slow.join_next().await {
        let ended = ended.expect("slow connection task");
        assert!(
            ended.after >= header_timeout - Duration::from_millis(100),
            "cut off before the header timeout: {:?}",
            ended.after
        );
        let text = String::from_utf8_lossy(&ended.received);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 408"),
            "a never-finished head got: {text:?}"
        );
        cut += 1;
    }
    assert_eq!(cut, SLOW_HEADS);

    // And the server is still serving.
    normal_client(addr, 2).await;
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_bodies_do_not_starve_others_and_get_408() {
    let body_timeout = Duration::from_secs(1);
    let server = start(Duration::from_secs(2), body_timeout).await;
    let addr = server.addr();
    let started = Arc::new(AtomicUsize::new(0));
    let mut slow = JoinSet::new();
    for _ in 0..SLOW_BODIES {
        // The head arrives at once, the body one byte per 100 ms.
        slow.spawn(slow_connection(
            addr,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
            b"0123456789",
            started.clone(),
        ));
    }
    let deadline = Instant::now() + PATIENCE;
    while started.load(Ordering::SeqCst) < SLOW_BODIES {
        assert!(Instant::now() < deadline, "slow connections did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    normal_client(addr, 20).await;
    assert!(
        slow.try_join_next().is_none(),
        "the normal client was only served after slow bodies were dropped"
    );

    let mut cut = 0;
    while let Some(ended) = slow.join_next().await {
        let ended = ended.expect("slow connection task");
        let text = String::from_utf8_lossy(&ended.received);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "a trickled body gets a 408: {text:?}"
        );
        assert!(ended.after >= body_timeout - Duration::from_millis(100));
        cut += 1;
    }
    assert_eq!(cut, SLOW_BODIES);
    normal_client(addr, 2).await;
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_bodies_nobody_reads_are_answered_and_closed_at_once() {
    // A handler that ignores the body answers at once; the server then closes the
    // connection instead of waiting for the rest of a body that trickles in (no extractor
    // runs, so no body_timeout would ever fire).
    let body_timeout = Duration::from_secs(30);
    let server = start(Duration::from_secs(2), body_timeout).await;
    let started = Arc::new(AtomicUsize::new(0));
    let mut slow = JoinSet::new();
    for _ in 0..SLOW_BODIES {
        slow.spawn(slow_connection(
            server.addr(),
            b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
            b"0123456789",
            started.clone(),
        ));
    }
    while let Some(ended) = slow.join_next().await {
        let ended = ended.expect("slow connection task");
        let text = String::from_utf8_lossy(&ended.received);
        assert!(text.starts_with("HTTP/1.1 200"), "{text:?}");
        assert!(text.ends_with("ignored"), "{text:?}");
        assert!(ended.after < body_timeout, "held until the body timeout");
    }
    normal_client(server.addr(), 2).await;
    server.shutdown().await.unwrap();
}
