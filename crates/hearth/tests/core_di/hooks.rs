//! Lifecycle hooks around serving, and failures that abort start-up.

use super::*;

#[derive(Default)]
struct Events(Mutex<Vec<String>>);
impl Events {
    fn push(&self, e: &str) {
        self.0.lock().unwrap().push(e.to_owned());
    }
    fn list(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Pool {
    events: Arc<Events>,
}
impl Injectable for Pool {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::of::<Events>("events")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(Pool { events: r.get()? })
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init().with_shutdown()
    }
}
impl OnModuleInit for Pool {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        tokio::task::yield_now().await;
        self.events.push("pool init");
        Ok(())
    }
}
impl OnApplicationShutdown for Pool {
    async fn on_application_shutdown(&self) {
        self.events.push("pool shutdown");
    }
}

struct Worker {
    events: Arc<Events>,
    _pool: Arc<Pool>,
}
impl Injectable for Worker {
    fn dependencies() -> Vec<Dependency> {
        vec![
            Dependency::of::<Events>("events"),
            Dependency::of::<Pool>("pool"),
        ]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(Worker {
            events: r.get()?,
            _pool: r.get()?,
        })
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init().with_shutdown()
    }
}
impl OnModuleInit for Worker {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        self.events.push("worker init");
        Ok(())
    }
}
impl OnApplicationShutdown for Worker {
    async fn on_application_shutdown(&self) {
        self.events.push("worker shutdown");
    }
}

#[tokio::test]
async fn lifecycle_hooks_run_before_serving_and_at_shutdown() {
    let events = Arc::new(Events::default());
    let def = ModuleDef::new("AppModule")
        // Declared dependent-first: hooks still follow dependency order.
        .provider(Provider::class::<Worker>())
        .provider(Provider::class::<Pool>())
        .provider(Provider::shared(events.clone()))
        .route(Method::GET, "/events", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            inject::<Events>(&mut parts).await.list().join(",")
        });
    let app = Application::from_module(def).unwrap();
    assert!(events.list().is_empty(), "nothing runs before build");
    let app = app.build().await.unwrap();
    assert_eq!(events.list(), ["pool init", "worker init"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    let text = get_text(&server, "/events").await;
    assert_eq!(text, "pool init,worker init");
    server.shutdown().await.unwrap();
    assert_eq!(
        events.list(),
        [
            "pool init",
            "worker init",
            "worker shutdown",
            "pool shutdown"
        ]
    );
}

struct Flaky;
impl Injectable for Flaky {
    fn dependencies() -> Vec<Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(Flaky)
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init()
    }
}
impl OnModuleInit for Flaky {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        Err("cannot reach the broker".into())
    }
}

#[tokio::test]
async fn failing_on_module_init_aborts_start_up() {
    let def = ModuleDef::new("AppModule").provider(Provider::class::<Flaky>());
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("Flaky: on_module_init failed: cannot reach the broker"),
        "{err}"
    );
}

#[tokio::test]
async fn failing_factory_aborts_start_up_with_its_error() {
    let def = ModuleDef::new("AppModule").provider(Provider::async_factory(|_r: Resolver| async {
        Err::<u8, _>(DiError::construct("RedisClient", "connection refused"))
    }));
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("building RedisClient failed: connection refused"),
        "{err}"
    );
}

/// Records both shutdown steps; `#[injectable]` picks the hooks up from the trait impls.
#[injectable]
struct Readiness {
    events: Arc<Events>,
}
impl BeforeApplicationShutdown for Readiness {
    async fn before_application_shutdown(&self) {
        self.events.push("before shutdown: not ready");
    }
}
impl OnApplicationShutdown for Readiness {
    async fn on_application_shutdown(&self) {
        self.events.push("on shutdown: pools closed");
    }
}

/// Shutdown in two steps: `before_application_shutdown` runs as soon as the stop is asked,
/// while a request is still in flight; the request then finishes; `on_application_shutdown`
/// runs last.
#[tokio::test]
async fn before_shutdown_runs_while_requests_are_in_flight_and_on_shutdown_after_them() {
    let events = Arc::new(Events::default());
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let started_tx = Arc::new(Mutex::new(Some(started_tx)));
    let def = ModuleDef::new("AppModule")
        .provider(Provider::class::<Readiness>())
        .provider(Provider::shared(events.clone()))
        .route(Method::GET, "/slow", move |req: Request| {
            let started = started_tx.lock().unwrap().take();
            async move {
                let (mut parts, _) = req.into_parts();
                let events = inject::<Events>(&mut parts).await;
                if let Some(tx) = started {
                    let _ = tx.send(());
                }
                // Long enough for the stop to be asked while this request runs.
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                events.push("request finished");
                "done"
            }
        });
    let app = Application::from_module(def)
        .unwrap()
        .build()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    let url = format!("{}/slow", server.url());
    let request = tokio::spawn(async move { reqwest::get(url).await.unwrap().text().await });
    started_rx.await.unwrap();
    server.shutdown().await.unwrap();
    assert_eq!(request.await.unwrap().unwrap(), "done");
    assert_eq!(
        events.list(),
        [
            "before shutdown: not ready",
            "request finished",
            "on shutdown: pools closed"
        ]
    );
}
