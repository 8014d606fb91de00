//! The HTTP server: hyper 1 (HTTP/1.1 with upgrades, and HTTP/2 cleartext), with limits,
//! timeouts and graceful shutdown.
//!
//! - `accept`: a worker's accept loop, its connection tasks and its shutdown;
//! - `conn`: one connection, HTTP/1.1 or HTTP/2, and its graceful stop;
//! - `sniff`: telling HTTP/2 from HTTP/1.1 by the first bytes;
//! - `io`: the socket as hyper sees it (write stalls, sniffed bytes);
//! - `watchdog`: one per worker, closing idle and stalled connections;
//! - `runner` and `idle`: `Application::run`'s worker threads.

mod accept;
mod conn;
mod idle;
mod io;
mod runner;
mod sniff;
mod watchdog;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::App;
pub(crate) use runner::run_threads;

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

pub(crate) async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> crate::Result<()> {
    serve_as(app, listener, shutdown, "").await
}

/// [`serve`], with `how` (how it serves) appended to the line that logs the address.
pub(super) async fn serve_as(
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
    accept::serve_connections(&app, accept::Connections::Listener(listener), shutdown).await;
    app.shutdown_hooks().await;
    Ok(())
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
