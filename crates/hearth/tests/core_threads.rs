//! `Application::run_until`, thread per core and work stealing. Every worker serves the same
//! application (singletons and sessions are shared), shutdown stops them all and finishes
//! in-flight requests, and the shutdown hooks run once. `Scheduler::Auto` serves thread per
//! core only when a module asks for it. Both serve the same with and without
//! `ServerConfig::yield_when_idle`. `run` works the same from a plain thread and from inside a
//! tokio runtime, multi- or single-threaded (it serves on threads of its own).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hearth::di::{Dependency, DiError, Injectable, Lifecycle, Resolver};
use hearth::http::Method;
use hearth::prelude::*;

/// A singleton counting hits; its shutdown hook counts in `SHUTDOWNS[ID]` (one per test,
/// since the tests of this file run at the same time).
#[derive(Default)]
struct Counter<const ID: usize> {
    hits: AtomicUsize,
}

static SHUTDOWNS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

impl<const ID: usize> OnApplicationShutdown for Counter<ID> {
    async fn on_application_shutdown(&self) {
        SHUTDOWNS[ID].fetch_add(1, Ordering::SeqCst);
    }
}

impl<const ID: usize> Injectable for Counter<ID> {
    fn dependencies() -> Vec<Dependency> {
        Vec::new()
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(Counter::default())
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_shutdown()
    }
}

fn app<const ID: usize>() -> Application {
    Application::from_module(root::<ID>())
        .unwrap()
        .configure(|c| c.workers = 2)
}

fn root<const ID: usize>() -> ModuleDef {
    ModuleDef::new("Threads")
        .import(SessionModule::for_root(SessionOptions {
            secret: "threads-test-secret-threads-test-secret-0123".into(),
            ..Default::default()
        }))
        .provider(Provider::class::<Counter<ID>>())
        .route(Method::GET, "/hit", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let counter = match Inject::<Counter<ID>>::from_request_parts(&mut parts).await {
                Ok(c) => c,
                Err(e) => return e.into_response(),
            };
            let n = counter.hits.fetch_add(1, Ordering::SeqCst) + 1;
            let thread = std::thread::current().name().unwrap_or("?").to_owned();
            Json(json!({ "n": n, "thread": thread })).into_response()
        })
        .route(Method::POST, "/login", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            match Session::from_request_parts(&mut parts).await {
                Ok(s) => match s.insert("userId", "u1") {
                    Ok(()) => StatusCode::OK.into_response(),
                    Err(e) => e.into_response(),
                },
                Err(e) => e.into_response(),
            }
        })
        .route(Method::GET, "/me", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let user = match Session::from_request_parts(&mut parts).await {
                Ok(s) => s.get::<String>("userId"),
                Err(e) => return e.into_response(),
            };
            match user {
                Ok(Some(u)) => u.into_response(),
                Ok(None) => UnauthorizedException::new("Not logged in").into_response(),
                Err(e) => e.into_response(),
            }
        })
        .route(Method::GET, "/slow", |_req: Request| async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            "done"
        })
}

fn thread_per_core(thread: &str) -> bool {
    thread == "hearth-main" || thread == "hearth-worker-1"
}

fn work_stealing(thread: &str) -> bool {
    thread == "hearth-pool"
}

/// Thread per core when `run` was called inside a runtime: worker 0 is a thread of its own.
fn thread_per_core_beside_a_runtime(thread: &str) -> bool {
    thread == "hearth-worker-0" || thread == "hearth-worker-1"
}

/// How a test calls `run_until(listener, stopped)`; the handle gives its result.
type Start = fn(
    Application,
    std::net::TcpListener,
    tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<hearth::Result<()>>;

/// From a plain thread (a plain `fn main`), which then serves as worker 0.
fn from_a_plain_thread(
    app: Application,
    listener: std::net::TcpListener,
    stopped: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<hearth::Result<()>> {
    let thread = std::thread::Builder::new()
        .name("hearth-main".into())
        .spawn(move || {
            app.run_until(listener, async move {
                let _ = stopped.await;
            })
        })
        .unwrap();
    tokio::task::spawn_blocking(move || thread.join().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_schedulers_share_the_app_and_shut_down_cleanly() {
    // One after the other: the shutdown hook counter is shared. These two let idle workers
    // sleep without yielding first; the Auto ones below keep the default (yield).
    let start: Start = from_a_plain_thread;
    serve_and_stop::<0>(
        app::<0>().configure(|c| {
            c.scheduler = Scheduler::ThreadPerCore;
            c.yield_when_idle = false;
        }),
        start,
        thread_per_core,
        1,
    )
    .await;
    serve_and_stop::<0>(
        app::<0>().configure(|c| {
            c.scheduler = Scheduler::WorkStealing;
            c.yield_when_idle = false;
        }),
        start,
        work_stealing,
        2,
    )
    .await;
    // Auto: work stealing, unless a module prefers thread per core.
    serve_and_stop::<0>(app::<0>(), start, work_stealing, 3).await;
    let preferring = Application::from_module(
        ModuleDef::new("Root")
            .import(root::<0>())
            .import(ModuleDef::new("PerThreadState").prefer_thread_per_core()),
    )
    .unwrap()
    .configure(|c| c.workers = 2);
    serve_and_stop::<0>(preferring, start, thread_per_core, 4).await;
}

/// `run` called by a task of a multi-threaded runtime (as in `#[tokio::main]`) serves on
/// threads of its own; the runtime's other tasks (this test's client) keep running meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_inside_a_multi_threaded_runtime_serves_and_the_runtime_keeps_running() {
    fn from_a_task(
        app: Application,
        listener: std::net::TcpListener,
        stopped: tokio::sync::oneshot::Receiver<()>,
    ) -> tokio::task::JoinHandle<hearth::Result<()>> {
        tokio::spawn(async move {
            app.run_until(listener, async move {
                let _ = stopped.await;
            })
        })
    }
    let per_core = app::<1>().configure(|c| c.scheduler = Scheduler::ThreadPerCore);
    serve_and_stop::<1>(per_core, from_a_task, thread_per_core_beside_a_runtime, 1).await;
    let stealing = app::<1>().configure(|c| c.scheduler = Scheduler::WorkStealing);
    serve_and_stop::<1>(stealing, from_a_task, work_stealing, 2).await;
}

/// `run` called on a single-threaded runtime (`flavor = "current_thread"`) serves all the
/// same; only that runtime waits meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_inside_a_single_threaded_runtime_serves() {
    fn from_a_current_thread_runtime(
        app: Application,
        listener: std::net::TcpListener,
        stopped: tokio::sync::oneshot::Receiver<()>,
    ) -> tokio::task::JoinHandle<hearth::Result<()>> {
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                app.run_until(listener, async move {
                    let _ = stopped.await;
                })
            })
        });
        tokio::task::spawn_blocking(move || thread.join().unwrap())
    }
    let per_core = app::<2>().configure(|c| c.scheduler = Scheduler::ThreadPerCore);
    let start: Start = from_a_current_thread_runtime;
    serve_and_stop::<2>(per_core, start, thread_per_core_beside_a_runtime, 1).await;
}

/// Serves `app` on two workers (started by `start`), checks which threads serve, shares state
/// between them, and stops it with a request in flight; the shutdown hooks of test `ID` have
/// then run `shutdowns` times.
async fn serve_and_stop<const ID: usize>(
    app: Application,
    start: Start,
    served_on: fn(&str) -> bool,
    shutdowns: usize,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = start(app, listener, stopped);

    // Many connections (no keep-alive): whichever worker accepts each, the singleton is one.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (c, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let res = c.get(format!("{url}/hit")).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    let mut ns: Vec<u64> = seen.iter().map(|v| v["n"].as_u64().unwrap()).collect();
    ns.sort_unstable();
    assert_eq!(ns, (1..=40).collect::<Vec<_>>(), "one shared counter");
    for v in &seen {
        let t = v["thread"].as_str().unwrap();
        assert!(served_on(t), "served on {t}");
    }

    // A session written through one connection is read through fresh connections.
    let jar = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    assert_eq!(
        jar.post(format!("{url}/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for _ in 0..10 {
        let res = jar.get(format!("{url}/me")).send().await.unwrap();
        assert_eq!(res.text().await.unwrap(), "u1");
    }

    // Shut down with a request in flight: it finishes, then hooks run once.
    let slow = tokio::spawn({
        let (c, url) = (client.clone(), url.clone());
        async move {
            c.get(format!("{url}/slow"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    assert_eq!(slow.await.unwrap(), "done");
    let result = server.await.unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        SHUTDOWNS[ID].load(Ordering::SeqCst),
        shutdowns,
        "shutdown hooks run once"
    );
    assert!(
        client.get(format!("{url}/hit")).send().await.is_err(),
        "no longer accepting"
    );
}

#[test]
fn run_refuses_a_port_in_use_with_a_clear_error() {
    let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = app::<0>().run(port).unwrap_err().to_string();
    assert!(
        err.contains(&format!("cannot listen on port {port}")),
        "{err}"
    );
}
