//! `SessionModule::for_root_async`: session options built by an async factory from providers
//! of other modules, checked at start-up like `for_root`'s.

use std::convert::Infallible;

use hearth::prelude::*;
use hearth::testing::TestClient;

/// The application's configuration, loaded asynchronously (as a config battery would).
struct AppConfig {
    session_secret: String,
    cookie_name: String,
}

/// Provides `AppConfig`, built by an async factory, exported; global or not.
fn config_module(secret: &str, cookie_name: &str, global: bool) -> ModuleDef {
    let (secret, cookie_name) = (secret.to_owned(), cookie_name.to_owned());
    let def = ModuleDef::new("ConfigModule")
        .provider(Provider::async_factory_with(move |_: ()| {
            let config = AppConfig {
                session_secret: secret.clone(),
                cookie_name: cookie_name.clone(),
            };
            async move {
                tokio::task::yield_now().await;
                Ok::<_, Infallible>(config)
            }
        }))
        .export(ProviderKey::of::<AppConfig>());
    if global { def.global() } else { def }
}

const SECRET: &str = "a-session-secret-from-the-config-0123456789";

fn sessions_from_config() -> DynamicModule {
    SessionModule::for_root_async(|config: Arc<AppConfig>| async move {
        SessionOptions {
            secret: config.session_secret.clone(),
            name: config.cookie_name.clone(),
            ..Default::default()
        }
    })
}

#[controller("/")]
struct VisitController;

#[routes]
impl VisitController {
    #[post("/visit")]
    async fn visit(&self, #[session] session: Session) -> HttpResult<String> {
        let n = session.get::<i64>("visits")?.unwrap_or(0) + 1;
        session.insert("visits", &n)?;
        Ok(n.to_string())
    }
}

fn app(config: ModuleDef, sessions: DynamicModule) -> ModuleDef {
    ModuleDef::new("AppModule")
        .import(config)
        .import(sessions)
        .controller::<VisitController>()
}

async fn startup_error(root: ModuleDef) -> hearth::Error {
    match Application::from_module(root) {
        Err(e) => e,
        Ok(app) => app
            .build()
            .await
            .map(|_| ())
            .expect_err("the application was expected to fail at start-up"),
    }
}

#[tokio::test]
async fn options_come_from_a_provider_of_another_module() {
    let root = app(config_module(SECRET, "sid", true), sessions_from_config());
    let client = TestClient::new(Application::from_module(root).unwrap())
        .await
        .unwrap();

    let res = client.post("/visit").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "1");
    // The cookie has the name the configuration gave.
    let set = res.set_cookies();
    assert!(set.iter().any(|c| c.starts_with("sid=")), "{set:?}");
    assert_eq!(client.post("/visit").send().await.text(), "2");

    // The service is provided by type and by token, over the same store and secret.
    let service = client.provider_token(&SESSION_SERVICE_TOKEN).unwrap();
    let by_type = client.provider::<SessionService>().unwrap();
    assert!(Arc::ptr_eq(&service, &by_type));
    assert_eq!(service.cookie_name(), "sid");
    let id = service.verify(&client.cookie("sid").unwrap()).unwrap();
    assert_eq!(
        service.get_value::<i64>(&id, "visits").await.unwrap(),
        Some(2)
    );
}

#[tokio::test]
async fn bad_options_from_the_factory_are_start_up_errors() {
    let root = app(
        config_module("short", "bad name", true),
        sessions_from_config(),
    );
    let err = startup_error(root).await;
    let text = err.to_string();
    assert_eq!(err.problems().len(), 2, "{text}");
    assert!(text.starts_with("the application cannot start"), "{text}");
    assert!(
        text.contains("\n  - SessionModule: the session secret is 5 bytes, shorter than 32"),
        "{text}"
    );
    assert!(
        text.contains(
            "\n  - SessionModule: the cookie name \"bad name\" is not a valid cookie name"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_factory_dependency_names_the_chain_at_start_up() {
    let root = ModuleDef::new("AppModule")
        .import(sessions_from_config())
        .controller::<VisitController>();
    let err = startup_error(root).await;
    let text = err.to_string();
    assert!(
        text.contains(
            "SessionModule (layer) → SessionMiddleware → SessionCore → SessionOptions → AppConfig: not provided"
        ),
        "{text}"
    );
    assert_eq!(err.problems().len(), 1, "{text}");
}

#[tokio::test]
async fn the_factory_sees_what_is_imported_into_the_session_module() {
    // A non-global ConfigModule imported by the application only: the session module cannot
    // see it, and the error says where to import it.
    let root = app(config_module(SECRET, "sid", false), sessions_from_config());
    let text = startup_error(root).await.to_string();
    assert!(
        text.contains(
            "AppConfig is provided by ConfigModule; import ConfigModule in SessionModule"
        ),
        "{text}"
    );

    // Imported into the session module (NestJS's `imports: [ConfigModule]`), it is.
    let sessions = sessions_from_config().import(config_module(SECRET, "sid", false));
    let root = ModuleDef::new("AppModule")
        .import(sessions)
        .controller::<VisitController>();
    let client = TestClient::new(Application::from_module(root).unwrap())
        .await
        .unwrap();
    let res = client.post("/visit").send().await;
    assert_eq!(res.text(), "1");
    assert!(client.cookie("sid").is_some());
}
