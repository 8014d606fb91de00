//! Helpers shared by the `core_*` integration tests: start an application on a real
//! listener, talk raw HTTP/1.1 over TCP.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use hearth::app::RunningServer;
use hearth::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Builds `app` and serves it on `127.0.0.1:0`.
pub async fn start(app: Application) -> RunningServer {
    let app = app.build().await.expect("the application builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    app.spawn(listener)
}

/// Serves a dynamic root module.
pub async fn start_def(def: ModuleDef) -> RunningServer {
    start(Application::from_module(def).expect("the module graph resolves")).await
}

/// The start-up error of `app` (module graph or build), as text.
pub async fn startup_error(app: hearth::Result<Application>) -> String {
    match app {
        Err(e) => e.to_string(),
        Ok(app) => match app.build().await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the application was expected to fail at start-up"),
        },
    }
}

/// A generous upper bound for anything a test waits on.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Sends `raw` bytes on a fresh connection and reads until the server closes it (or until
/// `PATIENCE`). Returns the response text.
pub async fn raw_exchange(addr: SocketAddr, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(raw).await.expect("write");
    read_until_close(&mut stream).await
}

/// Reads from `stream` until EOF, a reset, or `PATIENCE`.
pub async fn read_until_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of a raw HTTP/1.1 response (`HTTP/1.1 431 ...` → 431).
pub fn raw_status(response: &str) -> Option<u16> {
    response
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|s| s.parse().ok())
}

/// The body of a raw response (after the blank line).
pub fn raw_body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// The JSON error body every `HttpException` renders.
pub fn error_body(status: u16, message: &str, error: &str) -> serde_json::Value {
    serde_json::json!({ "statusCode": status, "message": message, "error": error })
}
