//! Telling HTTP/2 with prior knowledge from HTTP/1.1 by the first bytes a client sends.

use tokio::io::{AsyncReadExt, ReadBuf};
use tokio::net::TcpStream;

/// What an HTTP/2 client with prior knowledge sends first (RFC 9113, section 3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Bytes read off the socket while sniffing, handed to hyper before anything else.
#[derive(Default)]
pub(super) struct Prefix {
    buf: [u8; H2_PREFACE.len()],
    start: usize,
    end: usize,
}

impl Prefix {
    /// Moves what is left of the prefix into `out`; false once it is all handed over.
    pub(super) fn replay(&mut self, out: &mut ReadBuf<'_>) -> bool {
        let n = (self.end - self.start).min(out.remaining());
        if n == 0 {
            return false;
        }
        out.put_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        true
    }
}

/// Whether the client speaks HTTP/2 (cleartext, prior knowledge), and the bytes read to tell.
///
/// Usually one peek decides (the bytes stay in the socket for hyper): hyper-util's `auto`
/// connection reads them instead and replays them through a wrapper that then sits in every
/// read of the connection's life. When the first peek sees only part of the preface (a
/// client that sends it in pieces, or an HTTP/1 `P…` method cut short), peeking again would
/// return at once with the same bytes, so the rest is read, each read waiting for the socket
/// to become readable, and the bytes read are handed back to hyper first. No timer: the
/// watchdog closes a client that never sends the rest.
pub(super) async fn speaks_h2(stream: &mut TcpStream) -> std::io::Result<(bool, Prefix)> {
    let mut prefix = Prefix::default();
    let n = stream.peek(&mut prefix.buf).await?;
    if n == 0 || prefix.buf[..n] != H2_PREFACE[..n] {
        // Closed, or HTTP/1 (hyper answers anything else with a 400).
        return Ok((false, Prefix::default()));
    }
    if n == H2_PREFACE.len() {
        return Ok((true, Prefix::default()));
    }
    loop {
        let read = stream.read(&mut prefix.buf[prefix.end..]).await?;
        prefix.end += read;
        if read == 0 || prefix.buf[..prefix.end] != H2_PREFACE[..prefix.end] {
            // Closed part way, or not the preface after all: hyper gets what came.
            return Ok((false, prefix));
        }
        if prefix.end == H2_PREFACE.len() {
            return Ok((true, prefix));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    /// A connected pair: (client, server).
    async fn pair() -> (TcpStream, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    }

    fn replayed(mut prefix: Prefix) -> Vec<u8> {
        let mut space = [0u8; 64];
        let mut out = ReadBuf::new(&mut space);
        while prefix.replay(&mut out) {}
        out.filled().to_vec()
    }

    // Loopback delivers a write before `write_all` returns, so the first peek (the first
    // poll of `speaks_h2`, which `join!` polls first) sees exactly what was written before.

    #[tokio::test]
    async fn a_preface_sent_in_pieces_is_read_and_handed_back() {
        let (mut client, mut server) = pair().await;
        client.write_all(&H2_PREFACE[..3]).await.unwrap();
        let rest = async {
            for piece in [&H2_PREFACE[3..10], &H2_PREFACE[10..]] {
                tokio::task::yield_now().await;
                client.write_all(piece).await.unwrap();
            }
        };
        let (sniffed, ()) = tokio::join!(speaks_h2(&mut server), rest);
        let (h2, prefix) = sniffed.unwrap();
        assert!(h2);
        assert_eq!(replayed(prefix), H2_PREFACE, "read, and handed back whole");
    }

    #[tokio::test]
    async fn an_http1_method_starting_like_the_preface_is_http1() {
        let (mut client, mut server) = pair().await;
        client.write_all(b"P").await.unwrap();
        let rest = async {
            tokio::task::yield_now().await;
            client.write_all(b"OST / HTTP/1.1\r\n").await.unwrap();
            client.shutdown().await.unwrap();
        };
        let (sniffed, ()) = tokio::join!(speaks_h2(&mut server), rest);
        let (h2, prefix) = sniffed.unwrap();
        assert!(!h2);
        // The bytes read come first, then the socket's: nothing is lost or repeated.
        let mut got = replayed(prefix);
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"POST / HTTP/1.1\r\n");
    }

    #[tokio::test]
    async fn a_whole_request_head_is_decided_by_one_peek() {
        let (mut client, mut server) = pair().await;
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let (h2, prefix) = speaks_h2(&mut server).await.unwrap();
        assert!(!h2);
        assert!(replayed(prefix).is_empty(), "nothing read");
    }
}
