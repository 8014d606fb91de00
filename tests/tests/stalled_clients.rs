//! Clients that do not take their responses (`ServerConfig::write_timeout`): an HTTP/1 client
//! that never reads, and an HTTP/2 client that keeps its flow-control window shut, are cut off
//! while everyone else is served. A client that reads slowly, and an event stream that is
//! quiet for longer than the timeout, keep their connections.
//!
//! The write timeout is short (200 ms) and the header-read timeout long (60 s), so only the
//! write timeout can end these connections within the tests' patience. Every wait is a
//! generous upper bound, not a speed claim.

use std::convert::Infallible;
use std::time::Duration;

use futures_util::StreamExt;
use hearth::app::RunningServer;
use hearth::bytes::Bytes;
use hearth::http::Method;
use hearth::prelude::*;
use http_body::Frame;
use http_body_util::StreamBody;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Upper bound for anything that should happen.
const PATIENCE: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_millis(200);
const CHUNK: usize = 16 * 1024;
/// Bigger than what the sockets of one connection hold (about 4 MB here).
const LONG: usize = 8 * 1024 * 1024;

/// Sends on drop: tells the test the server let go of a response body (its connection closed).
struct Dropped(mpsc::UnboundedSender<()>);

impl Drop for Dropped {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// A streamed body of `chunks` chunks (endless when `None`), `pause` apart, that reports its
/// drop on `dropped`.
fn stream(chunks: Option<usize>, pause: Duration, dropped: mpsc::UnboundedSender<()>) -> Response {
    let guard = Dropped(dropped);
    let frames = futures_util::stream::iter(0..chunks.unwrap_or(usize::MAX)).then(move |i| {
        let _keep = &guard;
        async move {
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            let byte = b'a' + (i % 26) as u8;
            Ok::<_, Infallible>(Frame::data(Bytes::from(vec![byte; CHUNK])))
        }
    });
    Response::new(Body::new(StreamBody::new(frames)))
}

struct Server {
    running: RunningServer,
    /// One message per response body the server dropped.
    dropped: mpsc::UnboundedReceiver<()>,
}

async fn start() -> Server {
    let (tx, dropped) = mpsc::unbounded_channel();
    let (endless, long, events) = (tx.clone(), tx.clone(), tx);
    let def = ModuleDef::new("Stalls")
        .route(Method::GET, "/hello", |_req: Request| async { "hello" })
        .route(Method::GET, "/endless", move |_req: Request| {
            let tx = endless.clone();
            async move { stream(None, Duration::ZERO, tx) }
        })
        .route(Method::GET, "/long", move |_req: Request| {
            let tx = long.clone();
            async move { stream(Some(LONG / CHUNK), Duration::ZERO, tx) }
        })
        .route(Method::GET, "/events", move |_req: Request| {
            // Quieter than the write timeout between two events.
            let tx = events.clone();
            async move { stream(Some(4), WRITE_TIMEOUT * 2, tx) }
        })
        .route(Method::GET, "/whole", |_req: Request| async {
            // One frame, far bigger than the sockets' buffers.
            vec![b'w'; 64 * 1024 * 1024]
        });
    let app = Application::from_module(def)
        .unwrap()
        .configure(|c| {
            c.write_timeout = WRITE_TIMEOUT;
            c.header_read_timeout = Duration::from_secs(60);
        })
        .build()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Server {
        running: app.spawn(listener),
        dropped,
    }
}

async fn still_serving(server: &Server) {
    let res = reqwest::get(format!("{}/hello", server.running.url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "hello");
}

/// Reads until the server closes the connection; the number of bytes read.
async fn drain(stream: &mut TcpStream) -> usize {
    let mut total = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let drained = tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => total += n,
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the connection was not closed");
    total
}

#[tokio::test]
async fn http1_client_that_never_reads_a_stream_is_cut_off_while_others_are_served() {
    let mut server = start().await;
    let mut stalled = TcpStream::connect(server.running.addr()).await.unwrap();
    stalled
        .write_all(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    still_serving(&server).await;
    // The endless body is dropped only when its connection closes.
    tokio::time::timeout(PATIENCE, server.dropped.recv())
        .await
        .expect("the server closes the connection of a client that does not read");
    // What the sockets held is still delivered, then the connection ends.
    drain(&mut stalled).await;
    still_serving(&server).await;
    server.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn http1_client_that_never_reads_a_whole_body_is_cut_off() {
    // hyper takes a one-frame body at once: the response is then no longer in flight, only
    // the socket's write is blocked, and that is what the timeout watches.
    let server = start().await;
    let mut stalled = TcpStream::connect(server.running.addr()).await.unwrap();
    stalled
        .write_all(b"GET /whole HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    still_serving(&server).await;
    // Not reading for many write timeouts; then what the sockets held arrives, not the body.
    tokio::time::sleep(WRITE_TIMEOUT * 10).await;
    let got = drain(&mut stalled).await;
    assert!(
        got < 64 * 1024 * 1024,
        "the whole body arrived: {got} bytes"
    );
    still_serving(&server).await;
    server.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn http2_client_with_a_shut_window_is_cut_off_while_others_are_served() {
    let mut server = start().await;
    let tcp = TcpStream::connect(server.running.addr()).await.unwrap();
    let (mut client, connection) = h2::client::Builder::new()
        .initial_window_size(0)
        .handshake::<_, Bytes>(tcp)
        .await
        .unwrap();
    let connection = tokio::spawn(connection);
    let mut streams = Vec::new();
    for path in ["/endless", "/hello"] {
        let req = http::Request::get(format!("http://x{path}"))
            .body(())
            .unwrap();
        let (response, _) = client.send_request(req, true).unwrap();
        streams.push(response);
    }
    // The heads arrive (no window needed), the bodies cannot. (Kept: dropping a response
    // would reset its stream.)
    let mut open = Vec::new();
    for response in streams {
        let res = tokio::time::timeout(PATIENCE, response)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(res.status(), 200);
        open.push(res);
    }
    still_serving(&server).await;
    tokio::time::timeout(PATIENCE, server.dropped.recv())
        .await
        .expect("the server lets go of the response the client never makes room for");
    tokio::time::timeout(PATIENCE, connection)
        .await
        .expect("the server closes the HTTP/2 connection")
        .unwrap()
        .ok();
    // Nothing of either body ever came.
    for res in open {
        let mut body = res.into_body();
        assert!(body.data().await.is_none_or(|d| d.is_err()));
    }
    still_serving(&server).await;
    server.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn slow_reader_keeps_its_connection_and_gets_the_whole_body() {
    let mut server = start().await;
    // A small receive buffer, and a body bigger than the sockets hold: the server's writes
    // keep blocking on this client, and go through again each time it reads.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut slow = socket.connect(server.running.addr()).await.unwrap();
    slow.write_all(b"GET /long HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    // Every 256 KiB, a pause shorter than the write timeout.
    let mut got = Vec::with_capacity(LONG + 64 * 1024);
    let mut buf = [0u8; 4096];
    let mut paused_at = 0;
    let read = tokio::time::timeout(PATIENCE * 3, async {
        loop {
            match slow.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if got.len() - paused_at >= 256 * 1024 {
                paused_at = got.len();
                tokio::time::sleep(WRITE_TIMEOUT / 4).await;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the body never ended");
    let head_end = got
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&got[..head_end]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let body = dechunk(&got[head_end + 4..]);
    assert_eq!(body.len(), LONG, "the whole body arrives");
    let last = b'a' + ((LONG / CHUNK - 1) % 26) as u8;
    assert!(body.starts_with(&[b'a'; CHUNK]) && body.ends_with(&[last; CHUNK]));
    server.dropped.recv().await;
    server.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn event_stream_quieter_than_the_write_timeout_is_not_cut_off() {
    let server = start().await;
    let res = reqwest::get(format!("{}/events", server.running.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.expect("the stream is not cut");
    assert_eq!(body.len(), 4 * CHUNK);
    assert!(body.ends_with(&[b'd'; CHUNK]));
    server.running.shutdown().await.unwrap();
}

/// The payload of a chunked HTTP/1.1 body.
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..line]).expect("a chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        let data = &body[line + 2..];
        out.extend_from_slice(&data[..size]);
        body = &data[size + 2..];
    }
    out
}
