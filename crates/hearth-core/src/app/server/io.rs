//! The socket as hyper sees it: it tells the connection's [`Activity`] when a write blocks on
//! a client that does not read (and when it goes through again), and hands back first any
//! bytes read while telling HTTP/1 from HTTP/2.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::sniff::Prefix;
use super::watchdog::Activity;

/// A served connection's socket.
pub(super) struct Conn {
    stream: TcpStream,
    prefix: Prefix,
    activity: Arc<Activity>,
    /// The last write would have blocked (kept here so that a write that goes through costs
    /// no atomic operation unless one blocked before it).
    blocked: bool,
}

impl Conn {
    pub(super) fn new(stream: TcpStream, prefix: Prefix, activity: Arc<Activity>) -> Self {
        Conn {
            stream,
            prefix,
            activity,
            blocked: false,
        }
    }

    fn note<T>(&mut self, polled: &Poll<T>) {
        let blocked = polled.is_pending();
        if blocked != self.blocked {
            self.blocked = blocked;
            self.activity.write_blocked(blocked);
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.prefix.replay(buf) {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.note(&polled);
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.note(&polled);
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
