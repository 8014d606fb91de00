//! HTTP/1.1 upgrades: a handler answers `101 Switching Protocols` and takes over the
//! connection with `hyper::upgrade::on` (what a WebSocket battery does). The upgraded
//! connection echoes bytes, and neither the header-read timeout nor the write timeout (both
//! short here) cuts it, in use or quiet: it has left the server's hands.

use std::time::Duration;

use hearth::app::RunningServer;
use hearth::http::{Method, StatusCode, header};
use hearth::prelude::*;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATIENCE: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_millis(200);

/// `GET /echo` with `Upgrade: echo`: 101, then every byte sent comes back.
fn app() -> ModuleDef {
    ModuleDef::new("Upgrades")
        .route(Method::GET, "/hello", |_req: Request| async { "hello" })
        .route(Method::GET, "/echo", |mut req: Request| async move {
            if req.headers().get(header::UPGRADE).map(|v| v.as_bytes()) != Some(b"echo") {
                return HttpException::new(StatusCode::UPGRADE_REQUIRED, "upgrade to echo")
                    .into_response();
            }
            let upgrade = hyper::upgrade::on(&mut req);
            tokio::spawn(async move {
                let Ok(upgraded) = upgrade.await else { return };
                let (mut read, mut write) = tokio::io::split(TokioIo::new(upgraded));
                let _ = tokio::io::copy(&mut read, &mut write).await;
            });
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
            res.headers_mut()
                .insert(header::CONNECTION, "upgrade".parse().unwrap());
            res.headers_mut()
                .insert(header::UPGRADE, "echo".parse().unwrap());
            res
        })
}

async fn start() -> RunningServer {
    let app = Application::from_module(app())
        .unwrap()
        .configure(|c| {
            c.header_read_timeout = TIMEOUT;
            c.write_timeout = TIMEOUT;
        })
        .build()
        .await
        .unwrap();
    app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
}

/// Opens a connection and upgrades it; returns it with the response head read.
async fn upgraded(server: &RunningServer) -> (TcpStream, String) {
    let mut conn = TcpStream::connect(server.addr()).await.unwrap();
    conn.write_all(
        b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n",
    )
    .await
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(PATIENCE, conn.read(&mut byte))
            .await
            .expect("a response head")
            .unwrap();
        assert_eq!(n, 1, "closed before the head ended: {head:?}");
        head.push(byte[0]);
    }
    (conn, String::from_utf8(head).unwrap())
}

async fn echo(conn: &mut TcpStream, message: &[u8]) {
    conn.write_all(message).await.unwrap();
    let mut back = vec![0u8; message.len()];
    tokio::time::timeout(PATIENCE, conn.read_exact(&mut back))
        .await
        .expect("the echo comes back")
        .expect("the upgraded connection is open");
    assert_eq!(back, message);
}

#[tokio::test]
async fn handler_switches_protocols_and_echoes_over_the_upgraded_connection() {
    let server = start().await;
    let (mut conn, head) = upgraded(&server).await;
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols"),
        "{head}"
    );
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("upgrade: echo"), "{head}");
    echo(&mut conn, b"ping").await;
    echo(&mut conn, &[0u8, 255, 13, 10, 13, 10]).await;

    // A request that does not ask for the upgrade is answered over HTTP as usual.
    let res = reqwest::get(format!("{}/echo", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 426);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn upgraded_connection_outlives_the_server_timeouts_in_use_and_quiet() {
    let server = start().await;
    let (mut conn, head) = upgraded(&server).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // In use for many timeouts.
    for i in 0..10u8 {
        echo(&mut conn, &[b'0' + i; 3]).await;
        tokio::time::sleep(TIMEOUT / 2).await;
    }
    // Quiet for many timeouts, with the echo's reply unread for a while too.
    conn.write_all(b"unread").await.unwrap();
    tokio::time::sleep(TIMEOUT * 5).await;
    let mut back = [0u8; 6];
    conn.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"unread");
    echo(&mut conn, b"still here").await;
    // The server still serves others meanwhile.
    let res = reqwest::get(format!("{}/hello", server.url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "hello");
    server.shutdown().await.unwrap();
}
