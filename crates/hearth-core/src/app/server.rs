//! The HTTP server: hyper 1 via hyper-util (HTTP/1.1 and HTTP/2 cleartext), with limits,
//! timeouts and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::AbortHandle;

use super::App;
use crate::body::Body;

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// The HTTP/1.1 and HTTP/2 settings of one worker's connections.
#[derive(Clone)]
struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
}

impl Protocols {
    fn new(app: &App) -> Self {
        let cfg = app.config();
        let mut http1 = http1::Builder::new();
        // No HTTP/1 timer: hyper's header-read timeout arms a timer for every request head.
        // Each worker's watchdog (`Watchdog`) bounds idle and slow-head connections instead.
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

/// What an HTTP/2 client with prior knowledge sends first (RFC 9113, section 3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Whether the client speaks HTTP/2 (cleartext, prior knowledge), told from the first bytes
/// it sent, which stay in the socket for hyper to read. hyper-util's `auto` connection does
/// this by reading them and replaying them through a wrapper that then sits in every read of
/// the connection's life; a peek costs one system call per connection instead.
async fn speaks_h2(stream: &TcpStream) -> std::io::Result<bool> {
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        let n = stream.peek(&mut buf).await?;
        if n == 0 || buf[..n] != H2_PREFACE[..n] {
            // Closed, or HTTP/1 (hyper answers anything else with a 400).
            return Ok(false);
        }
        if n == H2_PREFACE.len() {
            return Ok(true);
        }
        // Part of the preface so far: the socket stays readable with those bytes, so wait
        // a moment instead of peeking in a busy loop (the watchdog closes a client that
        // never sends the rest).
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A connection served over HTTP/1.1 or HTTP/2.
enum Served<S>
where
    S: hyper::service::HttpService<Incoming>,
{
    H1(Pin<Box<http1::Connection<TokioIo<TcpStream>, S>>>),
    H2(Pin<Box<http2::Connection<TokioIo<TcpStream>, S, TokioExecutor>>>),
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

pub(crate) async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> crate::Result<()> {
    serve_as(app, listener, shutdown, "").await
}

/// [`serve`], with `how` (how it serves) appended to the line that logs the address.
async fn serve_as(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
    how: &str,
) -> crate::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("Hearth listening on http://{addr}{how}");
    }
    let shutdown = async {
        shutdown.await;
        app.before_shutdown_hooks().await;
    };
    serve_connections(&app, Connections::Listener(listener), shutdown).await;
    app.shutdown_hooks().await;
    Ok(())
}

/// Where a worker's connections come from.
enum Connections {
    /// Accepted here.
    Listener(TcpListener),
    /// Accepted here and dealt in turn between this worker and the others (thread per core).
    /// With a shared listener the kernel hands a burst of connections to whichever worker
    /// wakes first: one core ends up with most of them for their whole life, which costs
    /// latency, and each run of a load test leaves a different worker's memory high.
    Dealer {
        listener: TcpListener,
        workers: Vec<mpsc::UnboundedSender<std::net::TcpStream>>,
        turn: usize,
    },
    /// Handed over by the dealer.
    Dealt(mpsc::UnboundedReceiver<std::net::TcpStream>),
}

impl Connections {
    /// The next connection to serve here; `None` when no more will come.
    async fn next(&mut self) -> Option<std::io::Result<tokio::net::TcpStream>> {
        match self {
            Connections::Listener(l) => Some(l.accept().await.map(|(s, _)| s)),
            Connections::Dealer {
                listener,
                workers,
                turn,
            } => loop {
                let stream = match listener.accept().await {
                    Ok((s, _)) => s,
                    Err(e) => return Some(Err(e)),
                };
                *turn = (*turn + 1) % (workers.len() + 1);
                if *turn == 0 {
                    return Some(Ok(stream));
                }
                match stream.into_std() {
                    Ok(std) => {
                        if let Err(returned) = workers[*turn - 1].send(std) {
                            // That worker is gone: serve the connection here.
                            return Some(tokio::net::TcpStream::from_std(returned.0));
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
            },
            Connections::Dealt(rx) => rx.recv().await.map(tokio::net::TcpStream::from_std),
        }
    }
}

/// How busy one connection is: shared by its requests and its worker's [`Watchdog`].
#[derive(Default)]
struct Activity {
    /// Requests being handled, or whose response body is still being sent.
    busy: AtomicUsize,
    /// Bumped when a request starts and when its response body is done with.
    progress: AtomicU64,
    /// The worker stops: finish the requests in flight, take no more.
    stopping: AtomicBool,
    /// Wakes the connection's task (see [`StopSignal`]).
    waker: std::sync::Mutex<Option<std::task::Waker>>,
}

impl Activity {
    /// A request starts; it counts as busy until the guard (carried by its response body)
    /// is dropped.
    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        self.progress.fetch_add(1, Ordering::Relaxed);
        Busy(self.clone())
    }

    /// Asks the connection to finish its requests in flight and close.
    fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Keeps a connection busy while a request is handled and its response body sent.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.progress.fetch_add(1, Ordering::Relaxed);
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A response body that keeps its connection busy until hyper is done with it (a
/// streamed response can outlast the handler by far).
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = crate::body::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Closes connections that stay idle (no request in progress, no response being sent) for
/// `header_read_timeout`: a client that connects and sends nothing, trickles a request head,
/// or keeps an idle keep-alive connection. One per worker, ticking four times per timeout,
/// so no timer is armed per request: a connection is closed after between one and one and a
/// half timeouts of idleness. It also closes every connection left at the end of a
/// graceful shutdown's grace period.
struct Watchdog {
    watched: Vec<Watched>,
    ticks: tokio::time::Interval,
}

struct Watched {
    activity: Arc<Activity>,
    task: AbortHandle,
    /// `progress` at the last tick.
    seen: u64,
    /// Ticks in a row that found the connection idle with no progress.
    quiet: u32,
}

/// Ticks per `header_read_timeout`; a connection is closed after `QUIET_TICKS` quiet ones.
const TICKS_PER_TIMEOUT: u32 = 4;
const QUIET_TICKS: u32 = TICKS_PER_TIMEOUT + 1;

impl Watchdog {
    fn new(timeout: Duration) -> Self {
        let period = (timeout / TICKS_PER_TIMEOUT).max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Watchdog {
            watched: Vec::new(),
            ticks,
        }
    }

    fn watch(&mut self, activity: Arc<Activity>, task: AbortHandle) {
        self.watched.push(Watched {
            activity,
            task,
            seen: 0,
            quiet: 0,
        });
    }

    /// One tick: forgets finished connections, closes the ones idle for too long.
    fn check(&mut self) {
        self.watched.retain_mut(|w| {
            if w.task.is_finished() {
                return false;
            }
            let progress = w.activity.progress.load(Ordering::Relaxed);
            if w.activity.busy.load(Ordering::Relaxed) == 0 && progress == w.seen {
                w.quiet += 1;
                if w.quiet >= QUIET_TICKS {
                    tracing::debug!("closing a connection idle past the header-read timeout");
                    w.task.abort();
                    return false;
                }
            } else {
                w.quiet = 0;
                w.seen = progress;
            }
            true
        });
    }

    /// Asks every connection to finish its requests in flight and close.
    fn stop_all(&self) {
        for w in &self.watched {
            w.activity.stop();
        }
    }

    /// Closes every connection still open.
    fn close_all(&mut self) {
        for w in self.watched.drain(..) {
            w.task.abort();
        }
    }
}

/// Accepts and serves connections until `shutdown`, then finishes in-flight requests (up to
/// the grace period). Runs no shutdown hook: with several workers, each runs this.
async fn serve_connections(
    app: &App,
    mut incoming: Connections,
    shutdown: impl Future<Output = ()> + Send,
) {
    let protocols = Protocols::new(app);
    let mut watchdog = Watchdog::new(app.config().header_read_timeout);
    // Each connection task holds a sender: the channel closes when the last one ended.
    let (open, mut all_closed) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    // False once no more connections will come (the dealer stopped): then wait for shutdown,
    // still closing idle connections meanwhile.
    let mut accepting = true;
    loop {
        tokio::select! {
            // Shutdown first: once it is signalled, a connection that arrived at the same
            // time is left to the kernel (reset when the listener closes), never served.
            biased;
            _ = &mut shutdown => break,
            _ = watchdog.ticks.tick() => watchdog.check(),
            accepted = incoming.next(), if accepting => match accepted {
                None => accepting = false,
                Some(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    let app = app.clone();
                    let activity = Arc::new(Activity::default());
                    let busy = activity.clone();
                    let service = service_fn(move |req: http::Request<Incoming>| {
                        let app = app.clone();
                        let busy = busy.begin();
                        async move {
                            let res = app.handle(req.map(Body::incoming)).await;
                            Ok::<_, std::convert::Infallible>(
                                res.map(|body| Tracked { body, _busy: busy }),
                            )
                        }
                    });
                    let mut stop = StopSignal {
                        activity: activity.clone(),
                        registered: None,
                    };
                    let protocols = protocols.clone();
                    let open = open.clone();
                    let task = tokio::spawn(async move {
                        let _open = open;
                        let h2 = match unless_stopped(&mut stop, speaks_h2(&stream)).await {
                            Some(Ok(h2)) => h2,
                            Some(Err(_)) | None => return,
                        };
                        let io = TokioIo::new(stream);
                        let served = if h2 {
                            Served::H2(Box::pin(protocols.http2.serve_connection(io, service)))
                        } else {
                            Served::H1(Box::pin(protocols.http1.serve_connection(io, service)))
                        };
                        served.serve(stop).await
                    });
                    watchdog.watch(activity, task.abort_handle());
                }
                Some(Err(err)) => {
                    // Out of file descriptors and similar: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
    drop(incoming);
    watchdog.stop_all();
    drop(open);
    let grace = app.config().shutdown_grace;
    tokio::select! {
        _ = all_closed.recv() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("grace period of {grace:?} elapsed; closing remaining connections");
            watchdog.close_all();
            // Let the aborted connection tasks drop their connections.
            tokio::task::yield_now().await;
        }
    }
}

/// `Application::run`: `workers` threads, thread per core or work stealing (see
/// [`Scheduler`](super::Scheduler)).
///
/// Thread per core: each worker has a single-threaded tokio runtime serving its
/// connections start to finish, so a request and the I/O it waits for (a remote store,
/// …) never hop between threads. The calling thread accepts and deals connections out in
/// turn, so every core gets an even share. The application is
/// built on the calling thread, which serves as worker 0; `shutdown` (polled there) stops
/// every worker, each finishes its in-flight requests, then the shutdown hooks run once.
///
/// Work stealing: one multi-threaded runtime with `workers` threads builds and serves the
/// application; the calling thread waits for it.
pub(crate) fn run_threads(
    application: super::Application,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> crate::Result<()> {
    let io = |context: &str, source: std::io::Error| crate::Error::Io {
        context: context.to_owned(),
        source,
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(crate::Error::startup([
            crate::ServerConfigError::RunInsideRuntime,
        ]));
    }
    let workers = match application.config.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    listener
        .set_nonblocking(true)
        .map_err(|e| io("cannot configure the listener", e))?;
    let thread_per_core = match application.config.scheduler {
        super::Scheduler::Auto => application.prefers_thread_per_core(),
        super::Scheduler::ThreadPerCore => true,
        super::Scheduler::WorkStealing => false,
    };
    let idle = match (application.config.yield_when_idle, thread_per_core) {
        (false, _) => IdleYield::Never,
        (true, false) => IdleYield::Always,
        (true, true) => IdleYield::AfterSleep,
    };
    if !thread_per_core {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("hearth-pool")
            .on_thread_park(move || {
                idle.before_wait();
            })
            .enable_all()
            .build()
            .map_err(|e| io("cannot start a tokio runtime", e))?;
        return rt.block_on(async move {
            let app = application.build().await?;
            let listener = TcpListener::from_std(listener).map_err(|e| io("cannot listen", e))?;
            let how = format!(" ({workers} worker threads, work stealing)");
            serve_as(app, listener, shutdown, &how).await
        });
    }
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .on_thread_park(move || {
                idle.before_wait();
            })
            .on_thread_unpark(move || idle.after_wait())
            .enable_all()
            .build()
            .map_err(|e| io("cannot start a tokio runtime", e))
    };
    let main = runtime()?;
    let app = main.block_on(application.build())?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(
            "Hearth listening on http://{addr} ({workers} worker threads, thread per core)"
        );
    }
    let (stop, stopped) = watch::channel(false);
    let mut threads = Vec::with_capacity(workers.saturating_sub(1));
    let mut senders = Vec::with_capacity(workers.saturating_sub(1));
    for i in 1..workers {
        let (tx, rx) = mpsc::unbounded_channel::<std::net::TcpStream>();
        senders.push(tx);
        let (app, mut stopped) = (app.clone(), stopped.clone());
        let rt = runtime()?;
        let thread = std::thread::Builder::new()
            .name(format!("hearth-worker-{i}"))
            .spawn(move || {
                rt.block_on(async move {
                    serve_connections(&app, Connections::Dealt(rx), async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await
                })
            })
            .map_err(|e| io("cannot start a worker thread", e))?;
        threads.push(thread);
    }
    main.block_on(async {
        let listener = TcpListener::from_std(listener).map_err(|e| io("cannot listen", e))?;
        let hooks = app.clone();
        tokio::spawn(async move {
            shutdown.await;
            hooks.before_shutdown_hooks().await;
            let _ = stop.send(true);
        });
        let mut stopped = stopped;
        let incoming = Connections::Dealer {
            listener,
            workers: senders,
            turn: 0,
        };
        serve_connections(&app, incoming, async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
        .await;
        Ok::<_, crate::Error>(())
    })?;
    for t in threads {
        if t.join().is_err() {
            tracing::error!("a worker thread panicked");
        }
    }
    main.block_on(app.shutdown_hooks());
    Ok(())
}

/// What a worker of `Application::run` does when it runs out of tasks, just before it waits
/// for events (`ServerConfig::yield_when_idle`). Yielding is `sched_yield`: another thread
/// waiting to run on this core (the client, Redis, a sidecar) runs first, so what it sends
/// is usually ready when the worker looks for events, and the worker neither sleeps nor
/// waits to be woken for it. With nothing else to run, it returns at once.
#[derive(Debug, Clone, Copy)]
enum IdleYield {
    /// Wait at once.
    Never,
    /// Work stealing: yield every time. A yield can give the core away for a scheduler slice
    /// (up to milliseconds), but the other workers take over this one's tasks meanwhile.
    Always,
    /// Thread per core: yield only when the previous wait slept. No other worker serves this
    /// one's connections, so a yield made while they had work already waiting (the previous
    /// wait ended at once) would hold them all up for the slice: yielding every time raised
    /// the Redis activity p99 from 2.3 to 4.5 ms (`bench/RESULTS.md`, thirteenth round).
    AfterSleep,
}

/// A wait for events shorter than this found them already there: the worker did not sleep.
const SLEPT_AFTER: Duration = Duration::from_micros(20);

thread_local! {
    /// This worker's current wait for events: when it began, and whether the last one slept.
    static WAIT: std::cell::Cell<(Option<std::time::Instant>, bool)> =
        const { std::cell::Cell::new((None, true)) };
}

impl IdleYield {
    /// Called as the worker starts waiting; returns whether it yielded.
    fn before_wait(self) -> bool {
        let yields = match self {
            IdleYield::Never => false,
            IdleYield::Always => true,
            IdleYield::AfterSleep => WAIT.get().1,
        };
        if yields {
            std::thread::yield_now();
        }
        if let IdleYield::AfterSleep = self {
            // The wait is what is timed, not the yield before it.
            WAIT.set((Some(std::time::Instant::now()), false));
        }
        yields
    }

    /// Called as the worker resumes after a wait.
    fn after_wait(self) {
        if let (IdleYield::AfterSleep, (Some(began), _)) = (self, WAIT.get()) {
            Self::waited(began.elapsed());
        }
    }

    /// Records how long this worker's last wait for events took.
    fn waited(took: Duration) {
        WAIT.set((None, took >= SLEPT_AFTER));
    }
}

/// A server running in a background task (see [`App::spawn`]).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    handle: ShutdownHandle,
    task: tokio::task::JoinHandle<crate::Result<()>>,
}

/// Stops a [`RunningServer`] gracefully.
#[derive(Debug)]
pub struct ShutdownHandle(Option<oneshot::Sender<()>>);

impl ShutdownHandle {
    /// Starts the graceful shutdown.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

impl RunningServer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or the bound address).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the graceful shutdown without waiting.
    pub fn begin_shutdown(&mut self) {
        self.handle.shutdown();
    }

    /// Shuts down gracefully and waits until in-flight requests finished.
    pub async fn shutdown(mut self) -> crate::Result<()> {
        self.handle.shutdown();
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(crate::Error::Io {
                context: "the server task failed".into(),
                source: std::io::Error::other(e),
            }),
        }
    }
}

pub(crate) fn spawn(app: App, listener: TcpListener) -> RunningServer {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(app, listener, async move {
        let _ = rx.await;
    }));
    RunningServer {
        addr,
        handle: ShutdownHandle(Some(tx)),
        task,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_per_core_workers_yield_only_after_a_wait_that_slept() {
        // Each test runs on a thread of its own, so this worker state starts fresh.
        let idle = IdleYield::AfterSleep;
        assert!(idle.before_wait(), "the first wait is preceded by a yield");
        IdleYield::waited(Duration::ZERO);
        assert!(
            !idle.before_wait(),
            "the last wait found work already there: keep the core"
        );
        IdleYield::waited(Duration::from_millis(1));
        assert!(idle.before_wait(), "the last wait slept: yield first");
        assert!(IdleYield::Always.before_wait());
        assert!(!IdleYield::Never.before_wait());
    }
}
