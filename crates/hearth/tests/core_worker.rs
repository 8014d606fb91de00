//! `hearth::worker::PerWorker`: one value per thread, made on first use (synchronously or
//! asynchronously), replaced after it is invalidated or its runtime is gone, released when
//! the `PerWorker` is dropped, and kept per worker thread by a real server under thread per
//! core and work stealing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use hearth::http::Method;
use hearth::prelude::*;
use hearth::worker::PerWorker;

/// A value that knows which one it is.
#[derive(Debug)]
struct Made {
    serial: usize,
}

/// Makes numbered values and counts them.
#[derive(Default)]
struct Maker {
    made: AtomicUsize,
}

impl Maker {
    fn make(&self) -> Made {
        Made {
            serial: self.made.fetch_add(1, Ordering::SeqCst) + 1,
        }
    }

    fn count(&self) -> usize {
        self.made.load(Ordering::SeqCst)
    }
}

#[test]
fn one_thread_gets_the_same_value_every_time_made_once() {
    let maker = Maker::default();
    let values = PerWorker::new();
    assert!(values.get().is_none(), "nothing before first use");
    let first = values.get_or_init(|| maker.make());
    let second = values.get_or_init(|| maker.make());
    let third = values.get().expect("kept after first use");
    assert_eq!(maker.count(), 1, "made once");
    assert_eq!((first.serial, second.serial, third.serial), (1, 1, 1));
}

#[test]
fn two_threads_get_two_different_values_each_kept_on_its_thread() {
    let maker = Arc::new(Maker::default());
    let values = Arc::new(PerWorker::new());
    let serials = |n: usize| {
        let (maker, values) = (maker.clone(), values.clone());
        std::thread::spawn(move || {
            (0..n)
                .map(|_| values.get_or_init(|| maker.make()).serial)
                .collect::<Vec<_>>()
        })
    };
    let (a, b) = (serials(3), serials(3));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert_eq!(maker.count(), 2, "one per thread");
    assert!(a.iter().all(|s| *s == a[0]), "{a:?}");
    assert!(b.iter().all(|s| *s == b[0]), "{b:?}");
    assert_ne!(a[0], b[0]);
}

#[test]
fn distinct_instances_keep_distinct_values_on_one_thread() {
    let maker = Maker::default();
    let (one, two) = (PerWorker::new(), PerWorker::new());
    let a = one.get_or_init(|| maker.make());
    let b = two.get_or_init(|| maker.make());
    assert_ne!(a.serial, b.serial);
    assert_eq!(one.get().unwrap().serial, a.serial);
    assert_eq!(two.get().unwrap().serial, b.serial);
}

#[test]
fn an_invalidated_value_is_replaced_on_next_use_and_only_that_one() {
    let maker = Maker::default();
    let values = PerWorker::new();

    // Through the handle: the value it holds is retired, the handle says so.
    let first = values.get_or_init(|| maker.make());
    first.invalidate();
    assert!(!first.is_valid());
    assert!(values.get().is_none(), "a retired value is not handed out");
    let second = values.get_or_init(|| maker.make());
    assert_eq!(second.serial, 2);
    assert!(second.is_valid());
    // Retiring the old value again leaves its replacement alone.
    first.invalidate();
    assert_eq!(values.get_or_init(|| maker.make()).serial, 2);

    // Through the instance: the current thread's value.
    values.invalidate();
    assert_eq!(values.get_or_init(|| maker.make()).serial, 3);
    assert!(!second.is_valid(), "the handle sees its value retired");
    assert_eq!(
        second.serial, 2,
        "a held handle keeps its value usable as data"
    );
}

#[test]
fn a_value_invalidated_from_another_thread_is_replaced_on_its_own() {
    let maker = Maker::default();
    let values = PerWorker::new();
    let local = values.get_or_init(|| maker.make());
    // A task that took it may be on another thread when it sees the value fail.
    std::thread::scope(|s| {
        s.spawn(|| local.invalidate());
    });
    assert_eq!(values.get_or_init(|| maker.make()).serial, 2);
}

#[test]
fn a_failed_construction_keeps_nothing_and_the_next_use_tries_again() {
    let values: PerWorker<Made> = PerWorker::new();
    let failed: Result<_, &str> = values.get_or_try_init(|| Err("refused"));
    assert_eq!(failed.unwrap_err(), "refused");
    assert!(values.get().is_none());
    let made = values.get_or_try_init(|| Ok::<_, &str>(Made { serial: 7 }));
    assert_eq!(made.unwrap().serial, 7);
}

#[tokio::test(flavor = "current_thread")]
async fn async_construction_is_made_once_for_the_tasks_of_a_thread() {
    let maker = Arc::new(Maker::default());
    let values = Arc::new(PerWorker::new());
    let (open, opened) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (maker, values, mut opened) = (maker.clone(), values.clone(), opened.clone());
        tasks.push(tokio::spawn(async move {
            values
                .get_or_init_async(|| async move {
                    // Still being made while the other tasks ask for it.
                    let _ = opened.wait_for(|o| *o).await;
                    maker.make()
                })
                .await
                .serial
        }));
    }
    // Let every task reach the value before it is ready.
    for _ in 0..8 {
        tokio::task::yield_now().await;
    }
    open.send(true).unwrap();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 1);
    }
    assert_eq!(maker.count(), 1, "one construction for the burst");
    assert_eq!(values.get().unwrap().serial, 1);
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_async_construction_lets_each_waiting_task_try_again_without_a_queue() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let values: Arc<PerWorker<Made>> = Arc::new(PerWorker::new());
    // The first attempt fails when `fail` opens; the later ones succeed when `succeed` does.
    let (fail, failing) = tokio::sync::watch::channel(false);
    let (succeed, succeeding) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (attempts, values) = (attempts.clone(), values.clone());
        let (mut failing, mut succeeding) = (failing.clone(), succeeding.clone());
        tasks.push(tokio::spawn(async move {
            values
                .get_or_try_init_async(|| async move {
                    let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
                    if n == 1 {
                        let _ = failing.wait_for(|g| *g).await;
                        return Err("unreachable");
                    }
                    let _ = succeeding.wait_for(|g| *g).await;
                    Ok(Made { serial: n })
                })
                .await
                .map(|m| m.serial)
        }));
    }
    let settle = || async {
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
    };
    settle().await;
    assert_eq!(attempts.load(Ordering::SeqCst), 1, "the others wait for it");
    fail.send(true).unwrap();
    settle().await;
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        4,
        "after the failure, each waiting task tries at once, none waits for another's attempt"
    );
    succeed.send(true).unwrap();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(
        results.iter().filter(|r| r.is_err()).count(),
        1,
        "{results:?}"
    );
    // The thread keeps one value, and every task that succeeded got that one.
    let kept = values.get().expect("a value is kept").serial;
    assert!(
        results.iter().flatten().all(|s| *s == kept),
        "{results:?}, kept {kept}"
    );
}

#[test]
fn a_value_bound_to_a_runtime_is_replaced_once_that_runtime_is_gone() {
    let maker = Maker::default();
    let bound = PerWorker::bound_to_runtime();
    let free = PerWorker::new();
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let first = runtime();
    let (a, x) = first.block_on(async {
        let a = bound.get_or_init_async(|| async { maker.make() }).await;
        let again = bound.get_or_init_async(|| async { maker.make() }).await;
        assert_eq!(a.serial, again.serial, "kept while its runtime runs");
        (a.serial, free.get_or_init(|| maker.make()).serial)
    });
    drop(first);
    let second = runtime();
    let (b, y) = second.block_on(async {
        (
            bound
                .get_or_init_async(|| async { maker.make() })
                .await
                .serial,
            free.get_or_init(|| maker.make()).serial,
        )
    });
    assert_ne!(a, b, "the bound value was made anew on the new runtime");
    assert_eq!(x, y, "a value not bound to a runtime stays");
}

/// Counts the values dropped.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_the_per_worker_releases_its_values_on_every_thread() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let values = Arc::new(PerWorker::new());
    values.get_or_init(|| Tracked(dropped.clone()));

    // Another thread makes its own, then waits while the instance is dropped.
    let (made_tx, made_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn({
        let (values, dropped) = (values.clone(), dropped.clone());
        move || {
            values.get_or_init(|| Tracked(dropped.clone()));
            drop(values);
            made_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            // Any later use of a per-worker value on this thread releases the dead one.
            let unrelated = PerWorker::new();
            unrelated.get_or_init(|| 0u8);
            // Kept alive until the check, so that thread exit does not release it instead.
            made_tx.send(()).unwrap();
            go_rx.recv().unwrap();
        }
    });
    made_rx.recv().unwrap();
    drop(values);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "this thread's value: at once"
    );
    go_tx.send(()).unwrap();
    made_rx.recv().unwrap();
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        2,
        "the other thread's value: on its next use of a per-worker value"
    );
    go_tx.send(()).unwrap();
    other.join().unwrap();
}

/// The per-worker value of the `TestClient` test's handler.
static IN_TEST: LazyLock<PerWorker<Made>> = LazyLock::new(PerWorker::bound_to_runtime);

#[tokio::test(flavor = "current_thread")]
async fn a_test_client_shares_the_test_threads_value() {
    let app = Application::from_module(ModuleDef::new("InTest").route(
        Method::GET,
        "/value",
        |_req: Request| async {
            let value = IN_TEST
                .get_or_init_async(|| async { Made { serial: 1 } })
                .await;
            value.serial.to_string()
        },
    ))
    .unwrap();
    // The test primes this thread's value; the handler, run in-process, uses that one.
    IN_TEST.get_or_init(|| Made { serial: 42 });
    let client = hearth::testing::TestClient::new(app).await.unwrap();
    for _ in 0..2 {
        assert_eq!(client.get("/value").send().await.text(), "42");
    }
}

/// The per-worker value the test server's handler uses.
static SERVED: LazyLock<PerWorker<Made>> = LazyLock::new(PerWorker::bound_to_runtime);
static SERVED_MADE: Maker = Maker {
    made: AtomicUsize::new(0),
};

fn served_app(scheduler: Scheduler) -> Application {
    Application::from_module(ModuleDef::new("Workers").route(
        Method::GET,
        "/worker",
        |_req: Request| async {
            let thread = std::thread::current().name().unwrap_or("?").to_owned();
            let value = SERVED
                .get_or_init_async(|| async { SERVED_MADE.make() })
                .await;
            Json(json!({ "serial": value.serial, "thread": thread }))
        },
    ))
    .unwrap()
    .configure(|c| {
        c.workers = 2;
        c.scheduler = scheduler;
    })
}

/// Serves `app` on two workers for 40 requests on fresh connections; returns (thread,
/// serial) per request.
async fn serve_requests(app: Application) -> Vec<(String, u64)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/worker", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::Builder::new()
        .name("hearth-main".into())
        .spawn(move || {
            app.run_until(listener, async move {
                let _ = stopped.await;
            })
        })
        .unwrap();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let body: Value = client.get(url).send().await.unwrap().json().await.unwrap();
            (
                body["thread"].as_str().unwrap().to_owned(),
                body["serial"].as_u64().unwrap(),
            )
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    stop.send(()).unwrap();
    let result = tokio::task::spawn_blocking(move || server.join().unwrap())
        .await
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_keeps_one_value_per_worker_thread_under_both_schedulers() {
    // Thread per core: each worker's requests use that worker's value, made once there.
    let seen = serve_requests(served_app(Scheduler::ThreadPerCore)).await;
    let mut by_thread: HashMap<String, HashSet<u64>> = HashMap::new();
    for (thread, serial) in &seen {
        by_thread.entry(thread.clone()).or_default().insert(*serial);
    }
    assert_eq!(
        by_thread.keys().collect::<HashSet<_>>(),
        HashSet::from([&"hearth-main".to_owned(), &"hearth-worker-1".to_owned()]),
        "connections are dealt to both workers"
    );
    for (thread, serials) in &by_thread {
        assert_eq!(serials.len(), 1, "{thread} used one value: {serials:?}");
    }
    let serials: HashSet<u64> = seen.iter().map(|(_, s)| *s).collect();
    assert_eq!(serials.len(), 2, "a value per worker: {serials:?}");
    assert_eq!(SERVED_MADE.count(), 2, "each made once");

    // Work stealing: at most one per worker thread, whichever thread each task runs on.
    let seen = serve_requests(served_app(Scheduler::WorkStealing)).await;
    let serials: HashSet<u64> = seen.iter().map(|(_, s)| *s).collect();
    assert!(
        serials.iter().all(|s| *s > 2) && serials.len() <= 2,
        "new values, one per worker thread at most: {serials:?}"
    );
    let made = SERVED_MADE.count() - 2;
    assert!((1..=2).contains(&made), "{made} made for 2 worker threads");
}
