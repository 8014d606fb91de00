//! Graceful shutdown under load: requests in flight when the shutdown starts all finish with
//! a complete 200 body (no reset mid-response), new connections are refused, and the server
//! stops within its grace period — in process (`RunningServer`), and in a real process
//! stopped with SIGTERM (`Application::listen_on`'s signal handling).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hearth::http::Method;
use hearth::prelude::*;
use hearth_e2e::raw::{RawResponse, parse, read_response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

/// Concurrent clients mid-request when the shutdown starts.
const IN_FLIGHT: usize = 64;
/// How long each request takes.
const HANDLER: Duration = Duration::from_millis(200);
/// Upper bound for anything that should be quick.
const PATIENCE: Duration = Duration::from_secs(10);
const BODY_LEN: usize = 64 * 1024;

/// The body every request gets: 64 KiB of a pattern, so a truncated or spliced body shows.
fn body() -> String {
    (0..BODY_LEN)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

fn assert_full(case: &str, res: &RawResponse) {
    assert_eq!(
        res.status,
        Some(200),
        "{case}: {:?}",
        String::from_utf8_lossy(&res.raw[..res.raw.len().min(300)])
    );
    assert!(
        res.complete(),
        "{case}: body cut at {} bytes",
        res.body.len()
    );
    assert_eq!(res.body.len(), BODY_LEN, "{case}");
    assert!(res.body == body().as_bytes(), "{case}: body corrupted");
}

async fn start(entered: Arc<AtomicUsize>, grace: Duration) -> hearth::app::RunningServer {
    let module =
        ModuleDef::new("ShutdownUnderLoad").route(Method::GET, "/slow", move |_req: Request| {
            let entered = entered.clone();
            async move {
                entered.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(HANDLER).await;
                body()
            }
        });
    let app = Application::from_module(module)
        .unwrap()
        .configure(|c| c.shutdown_grace = grace)
        .build()
        .await
        .unwrap();
    app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
}

/// One keep-alive request on a fresh connection.
async fn request(addr: SocketAddr) -> RawResponse {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut s, PATIENCE).await
}

/// Polls until a new connection is refused (the listener is closed).
async fn until_refused(addr: SocketAddr) {
    tokio::time::timeout(PATIENCE, async {
        loop {
            match TcpStream::connect(addr).await {
                Err(_) => return,
                Ok(mut s) => {
                    // Accepted by the kernel before the listener closed. A connection the
                    // server took before its runtime saw the signal may still be served (the
                    // signal reaches tokio asynchronously); one it sees at the same time is
                    // not. Either way the listener closes promptly, which ends this loop.
                    let _ = s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").await;
                    let mut buf = [0u8; 64];
                    let _ = tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("new connections are refused once the shutdown started");
}

/// Waits until `count` reaches `n` (of `what`), failing after `PATIENCE`.
async fn wait_for(count: &AtomicUsize, n: usize, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    while count.load(Ordering::SeqCst) < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} {what}",
            count.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_requests_finish_whole_and_new_connections_are_refused() {
    let entered = Arc::new(AtomicUsize::new(0));
    let grace = Duration::from_secs(5);
    let mut server = start(entered.clone(), grace).await;
    let addr = server.addr();

    let mut clients = JoinSet::new();
    for _ in 0..IN_FLIGHT {
        clients.spawn(request(addr));
    }
    wait_for(&entered, IN_FLIGHT, "requests started").await;

    server.begin_shutdown();
    until_refused(addr).await;

    let mut done = 0;
    while let Some(res) = clients.join_next().await {
        assert_full("in flight at shutdown", &res.unwrap());
        done += 1;
    }
    assert_eq!(done, IN_FLIGHT);
    tokio::time::timeout(grace + Duration::from_secs(2), server.shutdown())
        .await
        .expect("the shutdown completes within the grace period")
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

/// How one request of the continuous load ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// A complete 200.
    Full,
    /// Refused: the connection failed, or closed before a single byte of a response.
    Refused,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_load_sees_whole_responses_or_refusals_never_a_cut() {
    // 32 clients sending request after request (each on a fresh connection) while the
    // shutdown starts: every answer that begins is complete.
    let entered = Arc::new(AtomicUsize::new(0));
    let grace = Duration::from_secs(5);
    let mut server = start(entered.clone(), grace).await;
    let addr = server.addr();
    let stop = Arc::new(AtomicBool::new(false));
    // Refusals the clients saw, so that they stop only once one of them has met the closed
    // listener (right after the shutdown they may all still be reading their last answers).
    let refusals = Arc::new(AtomicUsize::new(0));
    let mut clients = JoinSet::new();
    for _ in 0..32 {
        let (stop, refusals) = (stop.clone(), refusals.clone());
        clients.spawn(async move {
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let Ok(mut s) = TcpStream::connect(addr).await else {
                    refusals.fetch_add(1, Ordering::SeqCst);
                    outcomes.push(Outcome::Refused);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                if s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await
                    .is_err()
                {
                    outcomes.push(Outcome::Refused);
                    continue;
                }
                let mut buf = Vec::new();
                let read = tokio::time::timeout(PATIENCE, s.read_to_end(&mut buf)).await;
                assert!(read.is_ok(), "a request hung during shutdown");
                if buf.is_empty() {
                    refusals.fetch_add(1, Ordering::SeqCst);
                    outcomes.push(Outcome::Refused);
                } else {
                    let (res, _) = parse(&buf);
                    assert_full("under continuous load", &res);
                    outcomes.push(Outcome::Full);
                }
            }
            outcomes
        });
    }
    // Let the load run, then shut down in the middle of it.
    wait_for(&entered, 64, "requests started").await;
    server.begin_shutdown();
    until_refused(addr).await;
    tokio::time::timeout(grace + Duration::from_secs(2), server.shutdown())
        .await
        .expect("the shutdown completes within the grace period")
        .unwrap();
    wait_for(&refusals, 1, "refusals after the shutdown").await;
    stop.store(true, Ordering::SeqCst);
    let mut full = 0;
    let mut refused = 0;
    while let Some(outcomes) = clients.join_next().await {
        for o in outcomes.unwrap() {
            match o {
                Outcome::Full => full += 1,
                Outcome::Refused => refused += 1,
            }
        }
    }
    // Every request that reached a handler was answered in full (a cut one panics above).
    assert_eq!(
        full,
        entered.load(Ordering::SeqCst),
        "requests that started vs complete answers"
    );
    assert!(full >= 64);
    assert!(refused > 0, "nothing was refused after the shutdown");
}

#[test]
fn sigterm_lets_in_flight_requests_finish_then_exits() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shutdown_probe"))
        .env("SLOW_MS", "300")
        .env("GRACE_MS", "5000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the probe server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr: SocketAddr = lines
        .next()
        .expect("the probe prints its address")
        .unwrap()
        .strip_prefix("listening ")
        .expect("listening ADDR")
        .parse()
        .unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut clients = JoinSet::new();
    for _ in 0..32 {
        clients.spawn_on(request(addr), rt.handle());
    }
    // Every request is inside its handler.
    for n in 0..32 {
        let line = lines.next().expect("the probe reports requests").unwrap();
        assert_eq!(line, "entered", "request {n}");
    }

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let t0 = Instant::now();

    rt.block_on(async {
        until_refused(addr).await;
        let mut done = 0;
        while let Some(res) = clients.join_next().await {
            assert_full("in flight at SIGTERM", &res.unwrap());
            done += 1;
        }
        assert_eq!(done, 32);
    });

    // The process ends by itself, gracefully, within the grace period.
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(7) {
            let _ = child.kill();
            panic!("the server did not exit within its grace period after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "exit status {exit}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    // The shutdown path ran to its end. Before it, at most a probe of `until_refused` that
    // raced the signal entered a handler (and was let finish).
    assert_eq!(
        rest.last().map(String::as_str),
        Some("stopped"),
        "the shutdown path ran to its end: {rest:?}"
    );
    assert!(
        rest[..rest.len() - 1].iter().all(|l| l == "entered"),
        "{rest:?}"
    );
}
