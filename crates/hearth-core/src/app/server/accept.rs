//! The accept loop of one worker: takes connections (from its listener, or dealt by another
//! worker), spawns a task per connection, ticks the watchdog, and drains on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::conn::{self, Protocols};
use super::watchdog::{Activity, Watchdog};
use crate::app::App;

/// A connection accepted by one worker for another, with its peer.
pub(super) type Dealt = (std::net::TcpStream, SocketAddr);

/// Where a worker's connections come from.
pub(super) enum Connections {
    /// Accepted here.
    Listener(TcpListener),
    /// Accepted here and dealt in turn between this worker and the others (thread per core).
    /// With a shared listener the kernel hands a burst of connections to whichever worker
    /// wakes first: one core ends up with most of them for their whole life, which costs
    /// latency, and each run of a load test leaves a different worker's memory high.
    Dealer {
        listener: TcpListener,
        workers: Vec<mpsc::UnboundedSender<Dealt>>,
        turn: usize,
    },
    /// Handed over by the dealer.
    Dealt(mpsc::UnboundedReceiver<Dealt>),
}

impl Connections {
    /// The next connection to serve here, with its peer; `None` when no more will come.
    async fn next(&mut self) -> Option<std::io::Result<(TcpStream, SocketAddr)>> {
        match self {
            Connections::Listener(l) => Some(l.accept().await),
            Connections::Dealer {
                listener,
                workers,
                turn,
            } => loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => return Some(Err(e)),
                };
                *turn = (*turn + 1) % (workers.len() + 1);
                if *turn == 0 {
                    return Some(Ok((stream, peer)));
                }
                match stream.into_std() {
                    Ok(std) => {
                        if let Err(returned) = workers[*turn - 1].send((std, peer)) {
                            // That worker is gone: serve the connection here.
                            let (std, peer) = returned.0;
                            return Some(TcpStream::from_std(std).map(|s| (s, peer)));
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
            },
            Connections::Dealt(rx) => {
                let (std, peer) = rx.recv().await?;
                Some(TcpStream::from_std(std).map(|s| (s, peer)))
            }
        }
    }
}

/// Accepts and serves connections until `shutdown`, then finishes in-flight requests (up to
/// the grace period). Runs no shutdown hook: with several workers, each runs this.
pub(super) async fn serve_connections(
    app: &App,
    mut incoming: Connections,
    shutdown: impl Future<Output = ()> + Send,
) {
    let config = app.config();
    let protocols = Protocols::new(config);
    let mut watchdog = Watchdog::new(config.header_read_timeout, config.write_timeout);
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
                Some(Ok((stream, peer))) => {
                    let _ = stream.set_nodelay(true);
                    // An IPv4 client of a dual-stack listener is an IPv4 client.
                    let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
                    let activity = Arc::new(Activity::default());
                    let (app, protocols, open) = (app.clone(), protocols.clone(), open.clone());
                    let watched = activity.clone();
                    let task = tokio::spawn(async move {
                        let _open = open;
                        conn::serve(app, stream, peer, activity, &protocols).await
                    });
                    watchdog.watch(watched, task.abort_handle());
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
    let grace = config.shutdown_grace;
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
