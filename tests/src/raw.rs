//! A minimal HTTP/1.1 client over raw TCP, for tests that must send exact bytes (hostile
//! headers, trickled heads) or see exactly what came back (a truncated body, a reset).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What came back on one connection.
#[derive(Debug, Clone, Default)]
pub struct RawResponse {
    /// The status code of the first response; `None` when the server closed without a
    /// complete status line.
    pub status: Option<u16>,
    /// The header lines of the first response, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body bytes received (up to `Content-Length` when present).
    pub body: Vec<u8>,
    /// The `Content-Length` the server announced.
    pub content_length: Option<usize>,
    /// Every byte received.
    pub raw: Vec<u8>,
}

impl RawResponse {
    /// The values of every header named `name` (lowercase).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether the whole announced body arrived.
    pub fn complete(&self) -> bool {
        self.status.is_some() && self.content_length.is_some_and(|n| self.body.len() == n)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Parses the first response in `buf`; also says whether it is complete.
pub fn parse(buf: &[u8]) -> (RawResponse, bool) {
    let mut out = RawResponse {
        raw: buf.to_vec(),
        ..Default::default()
    };
    let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (out, false);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut lines = head.split("\r\n");
    out.status = lines
        .next()
        .and_then(|l| {
            l.strip_prefix("HTTP/1.1 ")
                .or_else(|| l.strip_prefix("HTTP/1.0 "))
        })
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok());
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            out.headers
                .push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    out.content_length = out
        .header_all("content-length")
        .first()
        .and_then(|v| v.parse().ok());
    let body = &buf[head_end + 4..];
    let done = match out.content_length {
        Some(n) => body.len() >= n,
        None => false,
    };
    out.body = match out.content_length {
        Some(n) => body[..body.len().min(n)].to_vec(),
        None => body.to_vec(),
    };
    (out, done)
}

/// Reads one response from `stream`: until the announced body is complete, the server
/// closes, or `patience` passes (then panics: a hang is a failure).
pub async fn read_response(stream: &mut TcpStream, patience: Duration) -> RawResponse {
    let mut buf = Vec::new();
    let res = tokio::time::timeout(patience, async {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return parse(&buf).0,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    let (r, done) = parse(&buf);
                    if done {
                        return r;
                    }
                }
            }
        }
    })
    .await;
    match res {
        Ok(r) => r,
        Err(_) => panic!(
            "no complete response and no close within {patience:?}; got {:?}",
            String::from_utf8_lossy(&buf)
        ),
    }
}

/// Connects, sends `request` as is, reads one response (see [`read_response`]).
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request).await.expect("write request");
    read_response(&mut s, Duration::from_secs(10)).await
}
