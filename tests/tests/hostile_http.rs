//! Malformed and hostile HTTP requests, sent over raw TCP: each gets a 4xx (or the
//! connection is closed where HTTP says so) — never a 5xx, a panic or a hang — and the server
//! keeps serving afterwards.

use std::collections::HashMap;
use std::time::Duration;

use hearth::extract::{FromRequest, PathParams, Query};
use hearth::http::Method;
use hearth::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn app_module() -> ModuleDef {
    ModuleDef::new("HostileApp")
        .route(Method::GET, "/hello", |_req: Request| async { "hello" })
        .route(Method::POST, "/echo", |req: Request| async move {
            match hearth::bytes::Bytes::from_request(req).await {
                Ok(b) => b.into_response(),
                Err(e) => e.into_response(),
            }
        })
        .route(Method::GET, "/items/:id", |req: Request| async move {
            let (parts, _) = req.into_parts();
            match hearth::extract::path_param::<u32>(&parts, "id") {
                Ok(id) => format!("item {id}").into_response(),
                Err(e) => e.into_response(),
            }
        })
        .route(Method::GET, "/files/*rest", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let p = <PathParams as hearth::extract::FromRequestParts>::from_request_parts(&mut parts)
                .await
                .unwrap_or_default();
            match p.get("rest") {
                Some(Ok(v)) => v.into_response(),
                Some(Err(e)) => e.into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        })
        .route(Method::GET, "/q", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            match <Query<HashMap<String, String>> as hearth::extract::FromRequestParts>::from_request_parts(&mut parts).await {
                Ok(Query(q)) => Json(q).into_response(),
                Err(e) => e.into_response(),
            }
        })
}

struct Server {
    addr: std::net::SocketAddr,
    _server: hearth::app::RunningServer,
}

async fn server() -> Server {
    let app = Application::from_module(app_module())
        .unwrap()
        .configure(|c| {
            c.body_limit = 1024;
            c.header_read_timeout = Duration::from_secs(2);
            c.body_timeout = Duration::from_secs(2);
        })
        .build()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    Server {
        addr: server.addr(),
        _server: server,
    }
}

/// Sends raw bytes, then reads until the server closes or 5 s pass; returns the status code of
/// the first response (None when the server closed without answering).
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> (Option<u16>, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut chunk = [0u8; 4096];
        loop {
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    // One full response is enough for keep-alive connections.
                    if let Ok(text) = std::str::from_utf8(&buf)
                        && let Some(head_end) = text.find("\r\n\r\n")
                    {
                        let head = &text[..head_end].to_ascii_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok());
                        if let Some(len) = len
                            && buf.len() >= head_end + 4 + len
                        {
                            break;
                        }
                    }
                }
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "server neither answered nor closed within 5 s"
    );
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok());
    (status, text)
}

async fn still_serving(addr: std::net::SocketAddr) {
    let (status, _) = raw(
        addr,
        b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, Some(200), "server stopped serving");
}

fn assert_client_error(case: &str, status: Option<u16>, text: &str) {
    match status {
        None => {} // closed without a response: allowed where HTTP gives no way to answer
        Some(s) => assert!(
            (400..500).contains(&s),
            "{case}: expected a 4xx, got {s}:\n{text}"
        ),
    }
}

#[tokio::test]
async fn malformed_request_heads_get_4xx() {
    let s = server().await;
    let cases: &[(&str, &[u8])] = &[
        ("garbage request line", b"GARBAGE\r\n\r\n"),
        ("missing version", b"GET /hello\r\n\r\n"),
        ("unknown version", b"GET /hello HTTP/7.1\r\nHost: x\r\n\r\n"),
        ("space in header name", b"GET /hello HTTP/1.1\r\nBad Header: x\r\n\r\n"),
        ("colon-less header", b"GET /hello HTTP/1.1\r\nNoColon\r\n\r\n"),
        ("CR inside header value", b"GET /hello HTTP/1.1\r\nX-A: a\rb\r\n\r\n"),
        ("NUL in header value", b"GET /hello HTTP/1.1\r\nX-A: a\0b\r\n\r\n"),
        ("raw non-ASCII in path", b"GET /h\xffllo HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("CRLF injection in target", b"GET /hello\r\nX-Injected: 1 HTTP/1.1\r\n\r\n"),
        (
            "conflicting Content-Length",
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        ),
        (
            "bad chunk size",
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
        ),
        (
            "non-numeric Content-Length",
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        ),
    ];
    for (case, bytes) in cases {
        let (status, text) = raw(s.addr, bytes).await;
        assert_client_error(case, status, &text);
    }
    still_serving(s.addr).await;
}

/// Content-Length together with Transfer-Encoding is how request smuggling works. hyper
/// frames such a request by Transfer-Encoding alone and closes the connection after the
/// response (RFC 9112 §6.3), so whatever a proxy would have seen as a second request is
/// never executed. hyper drops the Content-Length header before the application sees the
/// request, so this is enforced below the framework.
#[tokio::test]
async fn smuggled_request_is_not_executed() {
    let s = server().await;
    let (status, text) = raw(
        s.addr,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    let code = status.unwrap_or(0);
    assert!(code < 500, "CL+TE gave a server error:\n{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close") || status.is_none(),
        "the connection must be closed after an ambiguously framed request:\n{text}"
    );
    assert!(
        !text.contains("hello"),
        "smuggled request was executed:\n{text}"
    );
    still_serving(s.addr).await;
}

#[tokio::test]
async fn bad_encodings_in_paths_and_queries_are_4xx_or_handled() {
    let s = server().await;
    // Invalid UTF-8 after percent-decoding a typed parameter: 400.
    let (status, text) = raw(
        s.addr,
        b"GET /items/%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, Some(400), "{text}");
    // A parameter that does not parse: 400 naming it.
    let (status, text) = raw(
        s.addr,
        b"GET /items/abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, Some(400), "{text}");
    assert!(text.contains("invalid path parameter `id`"), "{text}");
    // A catch-all with invalid UTF-8: 400.
    let (status, text) = raw(
        s.addr,
        b"GET /files/a/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, Some(400), "{text}");
    // Broken percent-encoding in a query never becomes a 5xx.
    for q in ["a=%ZZ", "a=%", "%FF=%FE", "a=1&a=2&&=&b", "a=%E2%82"] {
        let req = format!("GET /q?{q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let (status, text) = raw(s.addr, req.as_bytes()).await;
        let code = status.unwrap_or(0);
        assert!(
            code == 200 || (400..500).contains(&code),
            "query {q:?}: {text}"
        );
    }
    still_serving(s.addr).await;
}

#[tokio::test]
async fn oversize_heads_and_bodies_are_refused() {
    let s = server().await;
    let big = "a".repeat(64 * 1024);
    let req = format!("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
    let (status, text) = raw(s.addr, req.as_bytes()).await;
    assert_eq!(status, Some(431), "oversize header: {text}");

    let mut many = String::from("GET /hello HTTP/1.1\r\nHost: x\r\n");
    for i in 0..300 {
        many.push_str(&format!("X-H{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, text) = raw(s.addr, many.as_bytes()).await;
    assert_eq!(status, Some(431), "too many headers: {text}");

    let body = "b".repeat(4096);
    let req = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, text) = raw(s.addr, req.as_bytes()).await;
    assert_eq!(status, Some(413), "oversize body: {text}");

    let mut chunked =
        String::from("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for _ in 0..8 {
        chunked.push_str(&format!("200\r\n{}\r\n", "c".repeat(512)));
    }
    chunked.push_str("0\r\n\r\n");
    let (status, text) = raw(s.addr, chunked.as_bytes()).await;
    assert_eq!(status, Some(413), "oversize chunked body: {text}");
    still_serving(s.addr).await;
}

#[tokio::test]
async fn truncated_body_is_not_a_5xx() {
    let s = server().await;
    // Promise 100 bytes, send 10, then half-close: the body read fails → 400 (or the
    // connection simply closes), never a 5xx.
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        .await
        .unwrap();
    stream.shutdown().await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    if let Some(code) = text.strip_prefix("HTTP/1.1 ").and_then(|r| r.get(..3)) {
        let code: u16 = code.parse().unwrap();
        assert!((400..500).contains(&code), "{text}");
    }
    still_serving(s.addr).await;
}
