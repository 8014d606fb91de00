//! Middleware over real HTTP: app-level `use_middleware` in order, short-circuiting,
//! changing the response, module-installed middleware before the app's, per-controller and
//! per-route middleware, values handed to handlers through the request's extensions.

#[path = "common/core_util.rs"]
mod util;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hearth::extract::FromRequestParts;
use hearth::middleware::shared;
use hearth::prelude::*;
use hearth::routing::{Controller, ControllerMeta, RouteDef};
use http::{HeaderValue, Method};
use util::*;

/// Records its name on the way in (request header `x-trace`) and on the way out (response
/// header `x-after`).
struct Tag(&'static str);

impl Middleware for Tag {
    async fn handle(&self, mut req: Request, next: Next) -> Response {
        req.headers_mut()
            .append("x-trace", HeaderValue::from_static(self.0));
        let mut res = next.run(req).await;
        res.headers_mut()
            .append("x-after", HeaderValue::from_static(self.0));
        res
    }
}

/// The handler: answers with the `x-trace` values it saw, in order.
async fn trace(req: Request) -> String {
    req.headers()
        .get_all("x-trace")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect::<Vec<_>>()
        .join(",")
}

fn after(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("x-after")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect::<Vec<_>>()
        .join(",")
}

/// A hand-written controller with controller-level and route-level middleware.
struct AdminController;

impl Injectable for AdminController {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(AdminController)
    }
}

impl ControllerMeta for AdminController {
    fn prefix() -> &'static str {
        "/admin"
    }
    fn middleware() -> Vec<hearth::middleware::SharedMiddleware> {
        vec![shared(Tag("controller"))]
    }
}

impl Controller for AdminController {
    fn routes() -> Vec<RouteDef<Self>> {
        vec![
            RouteDef::new(Method::GET, "/plain", "plain", |_, req| {
                Box::pin(async move { trace(req).await.into_response() })
            }),
            RouteDef::new(Method::GET, "/guarded", "guarded", |_, req| {
                Box::pin(async move { trace(req).await.into_response() })
            })
            .with_middleware(vec![
                shared(Tag("route")),
                shared(from_fn(|req: Request, next: Next| async move {
                    if req.headers().get("x-role").is_some_and(|r| r == "admin") {
                        next.run(req).await
                    } else {
                        ForbiddenException::new("admins only").into_response()
                    }
                })),
            ]),
        ]
    }
}

/// An imported module that installs a middleware for the whole application.
struct AuditModule;
impl Module for AuditModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("AuditModule").middleware(Tag("imported-module"))
    }
}

struct AppModule;
impl Module for AppModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("AppModule")
            .import(AuditModule)
            .middleware(Tag("root-module"))
            .controller::<AdminController>()
            .route(Method::GET, "/open", trace)
    }
}

fn application() -> Application {
    Application::create::<AppModule>()
        .unwrap()
        .use_middleware(Tag("app1"))
        .use_middleware(Tag("app2"))
}

#[tokio::test]
async fn order_module_then_app_then_controller_then_route() {
    let server = start(application()).await;
    let c = reqwest::Client::new();

    let res = c
        .get(format!("{}/open", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(after(&res), "app2,app1,root-module,imported-module");
    assert_eq!(
        res.text().await.unwrap(),
        "imported-module,root-module,app1,app2"
    );

    let res = c
        .get(format!("{}/admin/plain", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.text().await.unwrap(),
        "imported-module,root-module,app1,app2,controller"
    );

    let res = c
        .get(format!("{}/admin/guarded", server.url()))
        .header("x-role", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        after(&res),
        "route,controller,app2,app1,root-module,imported-module"
    );
    assert_eq!(
        res.text().await.unwrap(),
        "imported-module,root-module,app1,app2,controller,route"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn global_middleware_also_sees_404_and_405() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/missing", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(after(&res), "app2,app1,root-module,imported-module");
    let res = c
        .post(format!("{}/open", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(after(&res), "app2,app1,root-module,imported-module");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn route_middleware_short_circuits_only_its_route() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/admin/guarded", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The outer middleware still saw the response on its way out.
    assert_eq!(
        after(&res),
        "route,controller,app2,app1,root-module,imported-module"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        error_body(403, "admins only", "Forbidden")
    );
    // The controller's other route is not guarded.
    let res = c
        .get(format!("{}/admin/plain", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn app_middleware_short_circuits_before_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let def = ModuleDef::new("App").route(Method::GET, "/secret", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "secret" }
    });
    let app = Application::from_module(def)
        .unwrap()
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            if req.headers().contains_key("authorization") {
                next.run(req).await
            } else {
                UnauthorizedException::new("Not logged in").into_response()
            }
        }));
    let server = start(app).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/secret", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        error_body(401, "Not logged in", "Unauthorized")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let res = c
        .get(format!("{}/secret", server.url()))
        .header("authorization", "Bearer x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "secret");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn middleware_modifies_the_response() {
    let def = ModuleDef::new("App")
        .route(Method::GET, "/hello", |_| async { "hello" })
        .route(Method::GET, "/fail", |_| async {
            Err::<(), _>(BadRequestException::new("nope"))
        });
    let app = Application::from_module(def)
        .unwrap()
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            let mut res = next.run(req).await;
            res.headers_mut()
                .insert("x-powered-by", HeaderValue::from_static("hearth"));
            if res.status() == StatusCode::BAD_REQUEST {
                // Rewrite errors entirely.
                return (StatusCode::UNPROCESSABLE_ENTITY, "rewritten").into_response();
            }
            *res.status_mut() = StatusCode::ACCEPTED;
            res
        }));
    let server = start(app).await;
    let res = reqwest::get(format!("{}/hello", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    assert_eq!(res.headers()["x-powered-by"], "hearth");
    assert_eq!(res.text().await.unwrap(), "hello");
    let res = reqwest::get(format!("{}/fail", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.text().await.unwrap(), "rewritten");
    server.shutdown().await.unwrap();
}

/// A request-scoped value set by a middleware, as the seed's `ctx.get("session")`.
#[derive(Clone)]
struct RequestId(u64);

#[tokio::test]
async fn values_pass_from_middleware_to_handlers_through_extensions() {
    let next_id = Arc::new(AtomicUsize::new(100));
    let def = ModuleDef::new("App").route(Method::GET, "/id", |req: Request| async move {
        let (mut parts, _) = req.into_parts();
        let Ok(ctx) = RequestContext::from_request_parts(&mut parts).await;
        let from_ctx = ctx.get::<RequestId>().map(|r| r.0);
        let Extension(RequestId(id)) = Extension::<RequestId>::from_request_parts(&mut parts)
            .await
            .unwrap();
        assert_eq!(from_ctx, Some(id));
        format!("request {id}")
    });
    let app = Application::from_module(def)
        .unwrap()
        .use_middleware(from_fn(move |mut req: Request, next: Next| {
            let id = next_id.fetch_add(1, Ordering::SeqCst) as u64;
            async move {
                req.extensions_mut().insert(RequestId(id));
                let mut res = next.run(req).await;
                res.headers_mut().insert("x-request-id", id.into());
                res
            }
        }));
    let server = start(app).await;
    for expected in [100, 101] {
        let res = reqwest::get(format!("{}/id", server.url())).await.unwrap();
        assert_eq!(res.headers()["x-request-id"], expected.to_string().as_str());
        assert_eq!(res.text().await.unwrap(), format!("request {expected}"));
    }
    server.shutdown().await.unwrap();
}
