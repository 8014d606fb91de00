//! `Application::run`: the server's own worker threads, thread per core or work stealing.

use std::future::Future;

use tokio::net::TcpListener;
use tokio::runtime::RuntimeFlavor;
use tokio::sync::{mpsc, watch};

use super::accept::{Connections, Dealt, serve_connections};
use super::idle::IdleYield;
use super::serve_as;
use crate::app::{Application, Scheduler};

fn io(context: &str, source: std::io::Error) -> crate::Error {
    crate::Error::Io {
        context: context.to_owned(),
        source,
    }
}

/// `Application::run`: `workers` threads, thread per core or work stealing (see
/// [`Scheduler`]), until `shutdown`.
///
/// Called inside a tokio runtime (`#[tokio::main]`, a test), it works the same: that thread
/// cannot also run one of the server's runtimes, so the server starts on a thread of its own
/// (`hearth-worker-0`) and the calling thread waits for it, handing its other tasks to the
/// runtime's other threads first (`block_in_place`). A single-threaded runtime has no other
/// thread: its other tasks wait until the server stops, which a warning says.
pub(crate) fn run_threads(
    application: Application,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> crate::Result<()> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return run_here(application, listener, shutdown);
    };
    let server = std::thread::Builder::new()
        .name("hearth-worker-0".into())
        .spawn(move || run_here(application, listener, shutdown))
        .map_err(|e| io("cannot start a worker thread", e))?;
    let wait = move || {
        server.join().unwrap_or_else(|_| {
            Err(io(
                "the server's main worker thread panicked",
                std::io::Error::other("panicked"),
            ))
        })
    };
    match runtime.runtime_flavor() {
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(wait),
        _ => {
            tracing::warn!(
                "Application::run was called on a single-threaded tokio runtime: the server \
                 runs on threads of its own, and this runtime's other tasks wait until it \
                 stops (call `run` from a plain `fn main`, or serve on this runtime with \
                 `listen(port).await`)"
            );
            wait()
        }
    }
}

/// [`run_threads`] on the calling thread, which runs no tokio runtime.
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
fn run_here(
    application: Application,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> crate::Result<()> {
    let workers = match application.config.workers {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    listener
        .set_nonblocking(true)
        .map_err(|e| io("cannot configure the listener", e))?;
    let thread_per_core = match application.config.scheduler {
        Scheduler::Auto => application.prefers_thread_per_core(),
        Scheduler::ThreadPerCore => true,
        Scheduler::WorkStealing => false,
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
        let (tx, rx) = mpsc::unbounded_channel::<Dealt>();
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
