//! One connection: HTTP/1.1 (upgrades enabled) or HTTP/2, served until it ends, is upgraded,
//! or its worker stops.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;

use super::io::Conn;
use super::sniff::speaks_h2;
use super::watchdog::{Activity, Tracked};
use crate::app::{App, ServerConfig};
use crate::body::Body;

/// The HTTP/1.1 and HTTP/2 settings of one worker's connections.
#[derive(Clone)]
pub(super) struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
}

impl Protocols {
    pub(super) fn new(cfg: &ServerConfig) -> Self {
        let mut http1 = http1::Builder::new();
        // No HTTP/1 timer: hyper's header-read timeout arms a timer for every request head.
        // Each worker's watchdog bounds idle and slow-head connections instead.
        http1
            .header_read_timeout(None)
            .max_buf_size(cfg.max_header_bytes.max(8192))
            .max_headers(cfg.max_headers)
            .keep_alive(cfg.keep_alive);
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        http2
            .timer(TokioTimer::new())
            .max_header_list_size(cfg.max_header_bytes.min(u32::MAX as usize) as u32)
            .keep_alive_interval(Some(Duration::from_secs(30)));
        Protocols { http1, http2 }
    }
}

/// Serves the connection from `peer` until it ends, is upgraded (the upgraded connection
/// then belongs to whoever called `hyper::upgrade::on`), or, once its worker stops, until its
/// requests in flight are answered.
pub(super) async fn serve(
    app: App,
    mut stream: TcpStream,
    peer: SocketAddr,
    activity: Arc<Activity>,
    protocols: &Protocols,
) {
    let mut stop = StopSignal {
        activity: activity.clone(),
        registered: None,
    };
    let (h2, prefix) = match unless_stopped(&mut stop, speaks_h2(&mut stream)).await {
        Some(Ok(sniffed)) => sniffed,
        Some(Err(_)) | None => return,
    };
    let busy = activity.clone();
    // What each request needs, in one `Arc` cloned per request.
    let served = Arc::new((app.connection(peer), app));
    let service = service_fn(move |req: http::Request<Incoming>| {
        let served = served.clone();
        let busy = busy.begin();
        async move {
            let (core, app) = &*served;
            let res = app.handle_from(req.map(Body::incoming), core).await;
            Ok::<_, std::convert::Infallible>(res.map(|body| busy.responded(body)))
        }
    });
    let io = TokioIo::new(Conn::new(stream, prefix, activity));
    let served = if h2 {
        Served::H2(Box::pin(protocols.http2.serve_connection(io, service)))
    } else {
        let conn = protocols.http1.serve_connection(io, service);
        Served::H1(Box::pin(conn.with_upgrades()))
    };
    served.serve(stop).await
}

type Io = TokioIo<Conn>;

/// A connection served over HTTP/1.1 or HTTP/2.
enum Served<S>
where
    S: hyper::service::HttpService<Incoming>,
{
    H1(Pin<Box<http1::UpgradeableConnection<Io, S>>>),
    H2(Pin<Box<http2::Connection<Io, S, TokioExecutor>>>),
}

impl<S> Served<S>
where
    S: hyper::service::HttpService<Incoming, ResBody = Tracked> + Unpin,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    /// Serves the connection until it ends, or, once the worker stops
    /// (`Activity::stop`), until its requests in flight are answered: hyper's graceful
    /// shutdown, checked with one atomic load per poll (hyper-util's `GracefulShutdown` polls
    /// a watch channel instead).
    async fn serve(mut self, mut stop: StopSignal) {
        let mut draining = false;
        let done = std::future::poll_fn(|cx| {
            if !draining && stop.requested(cx) {
                draining = true;
                match &mut self {
                    Served::H1(c) => c.as_mut().graceful_shutdown(),
                    Served::H2(c) => c.as_mut().graceful_shutdown(),
                }
            }
            match &mut self {
                Served::H1(c) => c.as_mut().poll(cx),
                Served::H2(c) => c.as_mut().poll(cx),
            }
        })
        .await;
        if let Err(err) = done {
            tracing::debug!(error = %err, "connection ended with an error");
        }
    }
}

/// A connection task's view of its worker's stop: registers the task's waker with the
/// connection's [`Activity`] (once: a task's waker does not change) and says whether the
/// stop was requested.
struct StopSignal {
    activity: Arc<Activity>,
    registered: Option<std::task::Waker>,
}

impl StopSignal {
    fn requested(&mut self, cx: &Context<'_>) -> bool {
        if !self
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            let waker = cx.waker().clone();
            *self
                .activity
                .waker
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(waker.clone());
            self.registered = Some(waker);
        }
        // After the registration: a stop requested before it is seen here, one after it
        // wakes the task.
        self.activity.stopping.load(Ordering::Acquire)
    }
}

/// Runs `fut` unless the worker stops first (then `None`).
async fn unless_stopped<F: Future>(stop: &mut StopSignal, fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        if stop.requested(cx) {
            return Poll::Ready(None);
        }
        fut.as_mut().poll(cx).map(Some)
    })
    .await
}
