//! Server limits and timeouts.

use std::time::Duration;

use crate::ServerConfigError;

/// Limits and timeouts of the HTTP server. The defaults suit an API behind a reverse proxy.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body read by body extractors (413 beyond). Default 1 MiB.
    pub body_limit: usize,
    /// Longest time to receive a request body (408 beyond). Default 30 s.
    pub body_timeout: Duration,
    /// Longest time a connection may sit without a request in progress: a client that
    /// connects and sends nothing, trickles its request head, or keeps an idle keep-alive
    /// connection is closed after between one and one and a half of it (one watchdog per
    /// worker checks four times per timeout; no timer per request). A response being sent
    /// keeps its connection busy until its body ends (then [`write_timeout`](Self::write_timeout)
    /// applies). An upgraded connection leaves the server's hands, and this timeout's.
    /// Default 10 s.
    pub header_read_timeout: Duration,
    /// Longest time a response may wait on a client that does not take it: the connection
    /// cannot write (an HTTP/1 client that stopped reading) or the client's flow-control
    /// window stays shut (HTTP/2). Checked by the same watchdog, without a timer per request;
    /// the connection is closed after between one and one and a half of it without progress.
    /// A response waiting on the application (a slow handler, a server-sent event stream
    /// between events) never counts, and neither does an upgraded connection (WebSocket),
    /// which leaves the server's hands once upgraded. Default 30 s.
    pub write_timeout: Duration,
    /// Largest request head, in bytes (431 beyond). At least 8192. Default 16 KiB.
    pub max_header_bytes: usize,
    /// Most header fields in a request (431 beyond). Default 100.
    pub max_headers: usize,
    /// Keep connections open between requests. Default true.
    pub keep_alive: bool,
    /// How long a graceful shutdown waits for in-flight requests. Default 30 s.
    pub shutdown_grace: Duration,
    /// The reverse proxies whose word on the client's address is trusted: addresses
    /// (`"10.0.0.7"`, `"::1"`) or CIDR blocks (`"10.0.0.0/8"`, `"fd00::/8"`). A request whose
    /// TCP peer is one of them has its [`ClientIp`](crate::extract::ClientIp) read from
    /// [`proxy_header`](Self::proxy_header), walking the chain from the right past every
    /// trusted hop. Checked at start-up. Default none: the client is the TCP peer, and
    /// forwarding headers (which any client can send) are ignored.
    pub trusted_proxies: Vec<String>,
    /// Which header the [trusted proxies](Self::trusted_proxies) append the client's address
    /// to. Only that one is read: a header the proxies do not set is under the client's
    /// control. Default [`ProxyHeader::XForwardedFor`].
    pub proxy_header: ProxyHeader,
    /// Worker threads of [`Application::run`](super::Application::run); `0`, the default,
    /// means one per CPU core. `listen` ignores it: it serves on the runtime it is called
    /// from. (This and the two options below tune how `run` serves; the defaults are the
    /// measured fastest layout, so most applications never set them.)
    pub workers: usize,
    /// How [`Application::run`](super::Application::run) spreads requests over its worker
    /// threads. Default [`Scheduler::Auto`].
    pub scheduler: Scheduler,
    /// Before a worker thread of [`Application::run`](super::Application::run) waits for
    /// events because it has run out of work, it first yields its core to any other thread
    /// waiting to run there. When the cores are shared with other busy processes (a proxy,
    /// Redis, a sidecar, a load generator), what they are about to send is then usually ready
    /// when the worker looks, and the worker neither sleeps nor waits to be woken for it: on a
    /// two-core machine shared with `wrk` and Redis, 12–40 % more requests per second for the
    /// same CPU per request (`bench/RESULTS.md`, thirteenth round). Under
    /// [`Scheduler::ThreadPerCore`] a worker yields only when its previous wait slept, since
    /// no other worker serves its connections while it is off its core. On an idle machine
    /// it costs one `sched_yield` system call each time a worker runs out of work. `listen`
    /// ignores it: it serves on the runtime it is called from. Default true.
    pub yield_when_idle: bool,
}

/// Which header carries the client's address through [trusted
/// proxies](ServerConfig::trusted_proxies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, cloud load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

/// How [`Application::run`](super::Application::run) spreads requests over its worker
/// threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheduler {
    /// Thread per core when a module asks for it
    /// ([`ModuleDef::prefer_thread_per_core`](crate::module::ModuleDef::prefer_thread_per_core): a
    /// store that keeps one connection per worker thread does), work stealing otherwise.
    #[default]
    Auto,
    /// One single-threaded runtime per worker, each serving the connections dealt to it
    /// start to finish: a request and the store round trips it waits for never change
    /// threads, and per-thread state (one Redis connection per worker) is used without
    /// cross-thread wake-ups. A connection stays on its worker, so when another process
    /// takes a core, the connections of the worker sharing it wait.
    ThreadPerCore,
    /// One multi-threaded tokio runtime: idle workers take over tasks of busy ones, which
    /// keeps latency even when the cores are shared with other processes. A request that
    /// waits on a remote store may be woken on another thread.
    WorkStealing,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            body_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_header_bytes: 16 * 1024,
            max_headers: 100,
            keep_alive: true,
            shutdown_grace: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            proxy_header: ProxyHeader::XForwardedFor,
            workers: 0,
            scheduler: Scheduler::Auto,
            yield_when_idle: true,
        }
    }
}

impl ServerConfig {
    pub(crate) fn check(&self) -> Vec<ServerConfigError> {
        let mut problems = Vec::new();
        if self.max_header_bytes < 8192 {
            problems.push(ServerConfigError::HeaderLimitTooSmall(
                self.max_header_bytes,
            ));
        }
        if self.body_limit == 0 {
            problems.push(ServerConfigError::ZeroBodyLimit);
        }
        for (name, d) in [
            ("body_timeout", self.body_timeout),
            ("header_read_timeout", self.header_read_timeout),
            ("write_timeout", self.write_timeout),
        ] {
            if d.is_zero() {
                problems.push(ServerConfigError::ZeroTimeout(name));
            }
        }
        if let Err(bad) = crate::extract::TrustedProxies::parse(&self.trusted_proxies) {
            problems.extend(bad.into_iter().map(ServerConfigError::TrustedProxy));
        }
        problems
    }
}

/// The body limits in force for a request (read by body extractors).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body.
    pub body_limit: usize,
    /// Longest time to read it.
    pub body_timeout: Duration,
}

impl Limits {
    /// The limits of the application serving this request (defaults outside an application).
    pub fn of(ext: &http::Extensions) -> Limits {
        match ext.get::<crate::lifecycle::Ctx>() {
            Some(ctx) => ctx.app.limits,
            None => Limits::from(&ServerConfig::default()),
        }
    }
}

impl From<&ServerConfig> for Limits {
    fn from(c: &ServerConfig) -> Self {
        Limits {
            body_limit: c.body_limit,
            body_timeout: c.body_timeout,
        }
    }
}
