//! Start-up errors: each names its chain and its fix, every problem at once.

use hearth::di::{MissingFix, ProviderKey};
use hearth::module::ModuleError;
use hearth::testing::TestClient;
use hearth::{RouteError, ServerConfigError, StartupError};

use super::*;
use crate::wiring::{DB_URL, Database, REPLICA_URL, RequestState};

service!(ServiceA { b: ServiceB });
service!(ServiceB { c: ServiceC });
service!(ServiceC {});

module!(MissingApp => ModuleDef::new("AppModule")
    // Declared in an order that does not start at the root of the chain.
    .provider(Provider::class::<ServiceB>())
    .provider(Provider::class::<ServiceA>()));

#[tokio::test]
async fn missing_provider_names_the_full_chain_and_the_fix() {
    let err = startup_error(Application::create::<MissingApp>()).await;
    assert!(err.starts_with("the application cannot start"), "{err}");
    assert!(
        err.contains("ServiceA → ServiceB → ServiceC: not provided; add ServiceC to the providers of AppModule"),
        "{err}"
    );
    assert_eq!(err.matches("not provided").count(), 1, "{err}");
}

controller!(ChainController { a: ServiceA });
module!(MissingFromController => ModuleDef::new("AppModule")
    .provider(Provider::class::<ServiceC>().scope(Scope::Transient))
    .provider(Provider::class::<ServiceA>())
    .controller::<ChainController>());

#[tokio::test]
async fn missing_provider_chain_starts_at_the_controller() {
    let err = startup_error(Application::create::<MissingFromController>()).await;
    assert!(
        err.contains("ChainController → ServiceA → ServiceB: not provided; add ServiceB to the providers of AppModule"),
        "{err}"
    );
}

const API_KEY: Token<String> = Token::new("API_KEY");
struct NeedsToken;
impl Injectable for NeedsToken {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::token(&API_KEY, "key")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        r.get_token(&API_KEY)?;
        Ok(NeedsToken)
    }
}
module!(MissingToken => ModuleDef::new("AppModule")
    .provider(Provider::value(String::from("a String by type is not the token")))
    .provider(Provider::class::<NeedsToken>()));

#[tokio::test]
async fn missing_token_names_the_token() {
    let err = startup_error(Application::create::<MissingToken>()).await;
    assert!(
        err.contains("NeedsToken → String (API_KEY): not provided;"),
        "{err}"
    );
    assert!(err.contains("API_KEY"), "{err}");
    let fix = err.split("not provided;").nth(1).unwrap();
    assert!(fix.contains("API_KEY"), "the fix names the token: {err}");
}

service!(CycleA { b: CycleB });
service!(CycleB { c: CycleC });
service!(CycleC { a: CycleA });
controller!(CycleController { a: CycleA });
module!(CycleApp => ModuleDef::new("AppModule")
    .provider(Provider::class::<CycleB>())
    .provider(Provider::class::<CycleC>())
    .provider(Provider::class::<CycleA>())
    .controller::<CycleController>());

#[tokio::test]
async fn dependency_cycle_names_the_chain() {
    let err = startup_error(Application::create::<CycleApp>()).await;
    assert!(
        err.contains("dependency cycle: CycleA → CycleB → CycleC → CycleA"),
        "{err}"
    );
    assert_eq!(err.matches("dependency cycle").count(), 1, "{err}");
}

service!(Singleton {
    state: RequestState
});
module!(ScopeApp => ModuleDef::new("AppModule")
    .provider(Provider::value_for(&DB_URL, String::new()))
    .provider(Provider::value_for(&REPLICA_URL, String::new()))
    .provider(Provider::class::<Database>())
    .provider(Provider::class::<RequestState>())
    .provider(Provider::class::<Singleton>()));

#[tokio::test]
async fn singleton_depending_on_request_scoped_is_an_error() {
    let err = startup_error(Application::create::<ScopeApp>()).await;
    assert!(
        err.contains("Singleton → RequestState: Singleton is a singleton but depends on the request-scoped RequestState"),
        "{err}"
    );
    assert!(err.contains("Inject<RequestState>"), "{err}");
}

controller!(RequestController {
    state: RequestState
});
module!(ScopeControllerApp => ModuleDef::new("AppModule")
    .provider(Provider::value_for(&DB_URL, String::new()))
    .provider(Provider::value_for(&REPLICA_URL, String::new()))
    .provider(Provider::class::<Database>())
    .provider(Provider::class::<RequestState>())
    .controller::<RequestController>());

#[tokio::test]
async fn controller_depending_on_request_scoped_is_an_error() {
    let err = startup_error(Application::create::<ScopeControllerApp>()).await;
    assert!(
        err.contains(
            "RequestController is a singleton but depends on the request-scoped RequestState"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn async_factory_must_be_a_singleton() {
    let def = ModuleDef::new("AppModule").provider(
        Provider::async_factory(|_r: Resolver| async { Ok(7u8) }).scope(Scope::Transient),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("u8: async factories must be singletons"),
        "{err}"
    );
}

module!(CycleModuleA => ModuleDef::new("AModule").import(CycleModuleB));
module!(CycleModuleB => ModuleDef::new("BModule").import(CycleModuleC));
module!(CycleModuleC => ModuleDef::new("CModule").import(CycleModuleA));
module!(CycleRoot => ModuleDef::new("AppModule").import(CycleModuleA));

#[tokio::test]
async fn import_cycle_between_static_modules_is_an_error() {
    let err = startup_error(Application::create::<CycleRoot>()).await;
    assert!(
        err.contains("module import cycle: AModule → BModule → CModule → AModule"),
        "{err}"
    );
}

static SHARED_BUILT: AtomicU64 = AtomicU64::new(0);
module!(Shared => ModuleDef::new("SharedModule")
    .provider(Provider::factory(|_: &Resolver| {
        SHARED_BUILT.fetch_add(1, Ordering::SeqCst);
        Ok(5u16)
    }))
    .export(hearth::di::ProviderKey::of::<u16>()));
module!(Left => ModuleDef::new("Left").import(Shared));
module!(Right => ModuleDef::new("Right").import(Shared));
module!(Diamond => ModuleDef::new("AppModule").import(Left).import(Right).import(Shared));

#[tokio::test]
async fn diamond_imports_are_not_a_cycle_and_share_one_instance() {
    let client = TestClient::new(Application::create::<Diamond>().unwrap())
        .await
        .unwrap();
    // Left, Right and the root import SharedModule: one module, one provider, built once.
    assert_eq!(SHARED_BUILT.load(Ordering::SeqCst), 1);
    assert_eq!(client.resolver().get::<u16>().unwrap().as_ref(), &5);
}

#[tokio::test]
async fn exporting_what_a_module_does_not_have_is_an_error() {
    let def = ModuleDef::new("AppModule").import(
        ModuleDef::new("ToolsModule")
            .provider(Provider::value(1i64))
            .export(hearth::di::ProviderKey::of::<i64>())
            .export(API_KEY),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("ToolsModule exports String (API_KEY), which it neither provides nor imports"),
        "{err}"
    );
    assert!(!err.contains("i64"), "{err}");
}

#[tokio::test]
async fn one_key_provided_twice_in_a_module_is_an_error() {
    // By type: which of the two `u16`s a dependant would get is a guess, so there is none.
    let def = ModuleDef::new("AppModule").import(
        ModuleDef::new("ToolsModule")
            .provider(Provider::value(1u16))
            .provider(Provider::value(2u16))
            .provider(Provider::value(3u16)),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("ToolsModule provides u16 twice; keep one"),
        "{err}"
    );
    assert_eq!(err.matches("provides u16 twice").count(), 1, "{err}");

    // By token, the fix names the way out: a token of its own.
    let def = ModuleDef::new("AppModule")
        .provider(Provider::value_for(&API_KEY, "first".to_string()))
        .provider(Provider::value_for(&API_KEY, "second".to_string()));
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("AppModule provides String (API_KEY) twice;")
            && err.contains("Provider::value_for(&TOKEN, ..)"),
        "{err}"
    );
}

#[tokio::test]
async fn one_provider_under_a_type_and_a_token_is_not_a_duplicate() {
    // `also_as` registers one instance under two keys; a module importing a key it also
    // provides uses its own provider. Neither is a second provider of one key.
    struct Keys(String);
    let def = ModuleDef::new("AppModule")
        .import(
            ModuleDef::new("ConfigModule")
                .provider(Provider::value_for(&API_KEY, "imported".to_string()))
                .export(API_KEY),
        )
        .provider(
            Provider::value_for(&API_KEY, "own".to_string())
                .also_as(hearth::di::ProviderKey::of::<String>()),
        )
        .provider(
            Provider::factory(|r: &Resolver| {
                Ok(Keys(format!(
                    "{} {}",
                    r.get::<String>()?,
                    r.get_token(&API_KEY)?
                )))
            })
            .depends_on_type::<String>("by_type")
            .depends_on(API_KEY, "by_token"),
        )
        .route(Method::GET, "/key", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            inject::<Keys>(&mut parts).await.0.clone()
        });
    let server = start_def(def).await;
    let text = get_text(&server, "/key").await;
    assert_eq!(text, "own own");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let def = ModuleDef::new("AppModule")
        .provider(Provider::class::<ServiceA>())
        .provider(Provider::class::<NeedsToken>());
    let err = Application::from_module(def).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[tokio::test]
async fn start_up_problems_are_typed_values() {
    // A missing provider: its chain, its key and its fix as values.
    let def = ModuleDef::new("AppModule").provider(Provider::class::<ServiceA>());
    let err = Application::from_module(def).unwrap_err();
    let [StartupError::Di(DiError::Missing { chain, key, fix })] = err.problems() else {
        panic!("{err:?}");
    };
    assert_eq!(chain.links(), ["ServiceA", "ServiceB"]);
    assert_eq!(*key, ProviderKey::of::<ServiceB>());
    assert_eq!(
        **fix,
        MissingFix::Provide {
            into: "AppModule".into()
        }
    );

    // The module graph.
    let err = Application::create::<CycleRoot>().unwrap_err();
    let [StartupError::Module(ModuleError::ImportCycle { chain })] = err.problems() else {
        panic!("{err:?}");
    };
    assert_eq!(chain.links(), ["AModule", "BModule", "CModule", "AModule"]);

    // The server configuration and the route table, found together when building.
    let def = ModuleDef::new("AppModule")
        .route(Method::GET, "/a", |_| async { "" })
        .route(Method::GET, "/a", |_| async { "" });
    let err = Application::from_module(def)
        .unwrap()
        .configure(|c| c.body_limit = 0)
        .build()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.problems(),
            [
                StartupError::Server(ServerConfigError::ZeroBodyLimit),
                StartupError::Route(RouteError::Duplicate { path, .. }),
            ] if path == "/a"
        ),
        "{err:?}"
    );

    // A failing hook keeps its source error.
    let def =
        ModuleDef::new("AppModule").provider(Provider::value(7u8).on_init(|_: Arc<u8>| async {
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused").into())
        }));
    let err = Application::from_module(def)
        .unwrap()
        .build()
        .await
        .unwrap_err();
    let [StartupError::Di(DiError::Init { provider, source })] = err.problems() else {
        panic!("{err:?}");
    };
    assert_eq!(provider, "u8");
    let io = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}
