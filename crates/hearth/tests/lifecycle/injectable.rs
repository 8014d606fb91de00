//! Guards, interceptors and filters are injectable: listed by type, built from the providers
//! their module sees, their dependencies checked at start-up.

use std::sync::atomic::{AtomicUsize, Ordering};

use hearth::prelude::*;

use crate::support::{Journal, client, startup_error};

/// The API keys the guard accepts (a provider).
struct ApiKeys(Vec<&'static str>);

/// The version the interceptor stamps on responses (a provider).
struct Version(&'static str);

/// How the filter names the application in its errors (a provider).
struct AppName(&'static str);

static KEY_GUARDS_BUILT: AtomicUsize = AtomicUsize::new(0);

/// Counts the guards built.
struct Built;
impl Default for Built {
    fn default() -> Self {
        KEY_GUARDS_BUILT.fetch_add(1, Ordering::SeqCst);
        Built
    }
}

#[injectable]
struct KeyGuard {
    keys: Arc<ApiKeys>,
    #[inject(default)]
    _built: Built,
}

impl Guard for KeyGuard {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        let key = req.headers().get("x-api-key").and_then(|v| v.to_str().ok());
        Ok(key.is_some_and(|k| self.keys.0.contains(&k)))
    }
}

#[injectable]
struct Stamp {
    version: Arc<Version>,
}

impl Interceptor for Stamp {
    async fn intercept(&self, req: Request, next: CallHandler) -> Response {
        let mut res = next.handle(req).await;
        res.headers_mut()
            .insert("x-version", self.version.0.parse().unwrap());
        res
    }
}

#[injectable]
struct NamedErrors {
    app: Arc<AppName>,
}

impl ExceptionFilter for NamedErrors {
    fn catch(&self, e: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
        let body = json!({ "app": self.app.0, "error": e.message() });
        Some((e.status(), Json(body)).into_response())
    }
}

#[controller("/di")]
#[use_guards(KeyGuard)]
#[use_interceptors(Stamp)]
#[use_filters(NamedErrors)]
struct DiController;

#[routes]
impl DiController {
    #[get("/ok")]
    async fn ok(&self) -> &'static str {
        "ok"
    }

    #[get("/missing")]
    #[use_guards(KeyGuard)]
    async fn missing(&self) -> HttpResult<&'static str> {
        Err(NotFoundException::new("no such thing"))
    }
}

#[tokio::test]
async fn guards_interceptors_and_filters_get_their_providers_by_di() {
    let journal = Journal::default();
    let root = ModuleDef::new("DiApp")
        .controller::<DiController>()
        .provider(Provider::value(ApiKeys(vec!["k1", "k2"])))
        .provider(Provider::value(Version("1.2.3")))
        .provider(Provider::value(AppName("hearth-test")));
    let built_before = KEY_GUARDS_BUILT.load(Ordering::SeqCst);
    let client = client(&journal, root).await;
    // Listed on the controller and again on one route of the same module: one instance.
    assert_eq!(KEY_GUARDS_BUILT.load(Ordering::SeqCst) - built_before, 1);

    let res = client.get("/di/ok").header("x-api-key", "k2").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "ok");
    assert_eq!(res.header("x-version"), Some("1.2.3"));

    let res = client
        .get("/di/ok")
        .header("x-api-key", "nope")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.json::<Value>(),
        json!({ "app": "hearth-test", "error": "Forbidden resource" })
    );

    // The filter answers in place of the exception (after the interceptors).
    let res = client
        .get("/di/missing")
        .header("x-api-key", "k1")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.json::<Value>(),
        json!({ "app": "hearth-test", "error": "no such thing" })
    );
}

/// A provider nobody provides.
struct Clock;

#[injectable]
struct NeedsClock {
    _clock: Arc<Clock>,
}

impl Guard for NeedsClock {
    async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        Ok(true)
    }
}

impl Interceptor for NeedsClock {
    async fn intercept(&self, req: Request, next: CallHandler) -> Response {
        next.handle(req).await
    }
}

impl ExceptionFilter for NeedsClock {
    fn catch(&self, _: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
        None
    }
}

#[controller("/clock")]
struct RouteGuardController;

#[routes]
impl RouteGuardController {
    #[get("/time")]
    #[use_guards(NeedsClock)]
    async fn time(&self) -> &'static str {
        "now"
    }
}

#[controller("/clock")]
#[use_interceptors(NeedsClock)]
struct ControllerInterceptorController;

#[routes]
impl ControllerInterceptorController {
    #[get("/time")]
    async fn time(&self) -> &'static str {
        "now"
    }
}

#[tokio::test]
async fn a_route_guard_missing_a_provider_is_a_startup_error_naming_the_chain_and_the_fix() {
    let err = startup_error(ModuleDef::new("ClockApp").controller::<RouteGuardController>()).await;
    assert!(
        err.contains("RouteGuardController::time → NeedsClock → Clock: not provided"),
        "{err}"
    );
    assert!(
        err.contains("add Clock to the providers of ClockApp"),
        "{err}"
    );
}

#[tokio::test]
async fn a_controller_interceptor_missing_a_provider_is_a_startup_error_naming_the_chain_and_the_fix()
 {
    let root = ModuleDef::new("ClockApp").controller::<ControllerInterceptorController>();
    let err = startup_error(root).await;
    assert!(
        err.contains("ControllerInterceptorController → NeedsClock → Clock: not provided"),
        "{err}"
    );
    assert!(
        err.contains("add Clock to the providers of ClockApp"),
        "{err}"
    );
}

#[tokio::test]
async fn a_global_filter_missing_a_provider_is_a_startup_error_naming_the_chain_and_the_fix() {
    let err = startup_error(ModuleDef::new("ClockApp").filter::<NeedsClock>()).await;
    assert!(
        err.contains("ClockApp (global) → NeedsClock → Clock: not provided"),
        "{err}"
    );
    assert!(
        err.contains("add Clock to the providers of ClockApp"),
        "{err}"
    );
}
