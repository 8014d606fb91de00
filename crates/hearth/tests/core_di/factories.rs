//! Factories that declare their dependencies by type (`factory_with`, `async_factory_with`),
//! and request layers that are providers (`ModuleDef::layer_provided`).

use std::convert::Infallible;

use hearth::lifecycle::{Close, Open, RequestLayer};
use hearth::module::ModuleError;

use super::*;

struct Settings {
    greeting: String,
}

struct Greeter {
    settings: Arc<Settings>,
    counter: Arc<Counter>,
}

/// Built by an async factory with no dependencies.
struct Counter(AtomicU64);

fn greeter_module() -> ModuleDef {
    ModuleDef::new("AppModule")
        // Declared dependant-first: the order comes from the dependencies.
        .provider(Provider::factory_with(
            |(settings, counter): (Arc<Settings>, Arc<Counter>)| {
                counter.0.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Infallible>(Greeter { settings, counter })
            },
        ))
        .provider(Provider::async_factory_with(
            |counter: Arc<Counter>| async move {
                tokio::task::yield_now().await;
                counter.0.fetch_add(1, Ordering::SeqCst);
                Ok::<_, Infallible>(Settings {
                    greeting: "hello".into(),
                })
            },
        ))
        .provider(Provider::async_factory_with(|_: ()| async {
            Ok::<_, Infallible>(Counter(AtomicU64::new(0)))
        }))
        .route(Method::GET, "/greet", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let g = inject::<Greeter>(&mut parts).await;
            let built = g.counter.0.load(Ordering::SeqCst);
            format!("{} after {built} factories", g.settings.greeting)
        })
}

#[tokio::test]
async fn factories_receive_their_declared_dependencies_in_dependency_order() {
    let server = start_def(greeter_module()).await;
    let text = get_text(&server, "/greet").await;
    assert_eq!(text, "hello after 2 factories");
    server.shutdown().await.unwrap();
}

struct Widget;
struct MissingConfig;

#[tokio::test]
async fn factory_dependencies_are_checked_before_anything_is_built() {
    let def = ModuleDef::new("AppModule").provider(Provider::async_factory_with(
        |_: Arc<MissingConfig>| async { Ok::<_, Infallible>(Widget) },
    ));
    // From the module graph alone: no factory ran.
    let err = Application::from_module(def).unwrap_err().to_string();
    assert!(
        err.contains(
            "Widget → MissingConfig: not provided; add MissingConfig to the providers of AppModule"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_failing_factory_names_its_provider() {
    let def = ModuleDef::new("AppModule").provider(Provider::async_factory_with(|_: ()| async {
        Err::<Widget, _>(std::io::Error::other("disk on fire"))
    }));
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("building Widget failed: disk on fire"),
        "{err}"
    );
}

#[tokio::test]
async fn a_factory_reports_several_start_up_problems_one_per_line() {
    let def = ModuleDef::new("AppModule").provider(Provider::factory_with(|_: ()| {
        Err::<Widget, _>(hearth::Error::startup([
            ModuleError::config(
                "WidgetModule",
                "WidgetModule: no size; set WidgetOptions::size",
            ),
            ModuleError::config(
                "WidgetModule",
                "WidgetModule: no color; set WidgetOptions::color",
            ),
        ]))
    }));
    let app = Application::from_module(def).unwrap();
    let err = app.build().await.unwrap_err();
    assert_eq!(err.problems().len(), 2, "{err}");
    let text = err.to_string();
    assert!(
        text.ends_with(
            "\n  - WidgetModule: no size; set WidgetOptions::size\
             \n  - WidgetModule: no color; set WidgetOptions::color"
        ),
        "{text}"
    );
}

/// Adds a header whose name comes from settings an async factory built.
struct Stamp {
    settings: Arc<Settings>,
}

impl RequestLayer for Stamp {
    type State = ();
    type Plan = ();
    fn plan(&self, _: &RouteInfo) -> Option<()> {
        Some(())
    }
    fn open(&self, _: &(), _: &mut Request) -> Open<()> {
        Open::Keep(Arc::new(()))
    }
    fn close(&self, _: Arc<()>, mut res: Response) -> hearth::lifecycle::Close {
        let value = http::HeaderValue::from_str(&self.settings.greeting).unwrap();
        res.headers_mut().insert("x-stamp", value);
        Close::Ready(res)
    }
}

#[tokio::test]
async fn a_provided_layer_is_built_by_di_after_the_async_factories() {
    let layer_module = ModuleDef::new("StampModule")
        .provider(Provider::async_factory_with(|_: ()| async {
            tokio::task::yield_now().await;
            Ok::<_, Infallible>(Settings {
                greeting: "from-settings".into(),
            })
        }))
        .provider(Provider::factory_with(|settings: Arc<Settings>| {
            Ok::<_, Infallible>(Stamp { settings })
        }))
        .layer_provided::<Stamp>();
    let def = ModuleDef::new("AppModule")
        .import(layer_module)
        .route(Method::GET, "/", |_| async { "ok" });
    let server = start_def(def).await;
    for path in ["/", "/missing"] {
        let res = reqwest::get(format!("{}{path}", server.url()))
            .await
            .unwrap();
        assert_eq!(res.headers()["x-stamp"], "from-settings", "{path}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_provided_layer_nobody_provides_is_a_start_up_error() {
    let def = ModuleDef::new("AppModule").layer_provided::<Stamp>();
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains(
            "AppModule (layer) → Stamp: not provided; add Stamp to the providers of AppModule"
        ),
        "{err}"
    );
}
