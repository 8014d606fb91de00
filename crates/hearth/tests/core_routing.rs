//! Routing over real HTTP: static, `:param` / `{param}`, catch-all, every method, 404, 405
//! with `Allow`, HEAD answered from GET, and route-table mistakes reported at start-up.

#[path = "common/core_util.rs"]
mod util;

use hearth::extract::{FromRequestParts, PathParams, Rejection, path_param};
use hearth::prelude::*;
use hearth::routing::{Controller, ControllerMeta, RouteDef};
use http::Method;
use util::*;

/// Every path parameter of the request, decoded, as `name=value` joined by `,`.
async fn params(req: Request) -> String {
    let (mut parts, _) = req.into_parts();
    let params = PathParams::from_request_parts(&mut parts)
        .await
        .unwrap_or_default();
    params
        .iter()
        .map(|(k, _)| format!("{k}={}", params.get(k).unwrap().unwrap()))
        .collect::<Vec<_>>()
        .join(",")
}

fn app() -> ModuleDef {
    let mut def = ModuleDef::new("RoutingApp")
        .route(Method::GET, "/static", |_| async { "static" })
        .route(Method::GET, "/static/deeper", |_| async { "deeper" })
        .route(Method::GET, "/users/:id", params)
        .route(Method::GET, "/posts/{post}/comments/{comment}", params)
        .route(Method::GET, "/files/*rest", params)
        .route(Method::GET, "/assets/{*path}", params)
        .route(Method::GET, "/users/:id/typed", |req: Request| async move {
            let (parts, _) = req.into_parts();
            let id: u32 = path_param(&parts, "id")?;
            Ok::<_, Rejection>(format!("u32 {id}"))
        });
    for m in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::from_bytes(b"PURGE").unwrap(),
    ] {
        def = def.route(m, "/any", |req: Request| async move {
            format!("method {}", req.method())
        });
    }
    def.controller::<ApiController>()
}

/// A controller written by hand: prefix `/api`, a root route and a nested one.
struct ApiController;

impl Injectable for ApiController {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(ApiController)
    }
}

impl ControllerMeta for ApiController {
    fn prefix() -> &'static str {
        "/api/"
    }
}

impl Controller for ApiController {
    fn routes() -> Vec<RouteDef<Self>> {
        vec![
            RouteDef::new(Method::GET, "/", "index", |_, _| {
                Box::pin(async { "api index".into_response() })
            }),
            RouteDef::new(Method::GET, "items/:id", "item", |_, req| {
                Box::pin(async move { params(req).await.into_response() })
            }),
        ]
    }
}

async fn get_text(url: String) -> (u16, String) {
    let res = reqwest::get(url).await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn static_and_parameter_segments() {
    let server = start_def(app()).await;
    let url = server.url();
    assert_eq!(
        get_text(format!("{url}/static")).await,
        (200, "static".into())
    );
    assert_eq!(
        get_text(format!("{url}/static/deeper")).await,
        (200, "deeper".into())
    );
    assert_eq!(
        get_text(format!("{url}/users/42")).await,
        (200, "id=42".into())
    );
    assert_eq!(
        get_text(format!("{url}/posts/7/comments/9")).await,
        (200, "post=7,comment=9".into())
    );
    // Parameters are percent-decoded.
    assert_eq!(
        get_text(format!("{url}/users/J%C3%BCrgen%20K")).await,
        (200, "id=Jürgen K".into())
    );
    // Controller prefix joined with route paths.
    assert_eq!(
        get_text(format!("{url}/api")).await,
        (200, "api index".into())
    );
    assert_eq!(
        get_text(format!("{url}/api/items/x1")).await,
        (200, "id=x1".into())
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn catch_all_segments_take_the_rest_of_the_path() {
    let server = start_def(app()).await;
    let url = server.url();
    assert_eq!(
        get_text(format!("{url}/files/a/b/c.txt")).await,
        (200, "rest=a/b/c.txt".into())
    );
    assert_eq!(
        get_text(format!("{url}/assets/css/site%20main.css")).await,
        (200, "path=css/site main.css".into())
    );
    // A catch-all needs at least one character.
    assert_eq!(get_text(format!("{url}/files/")).await.0, 404);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_path_parameter_rejects_what_does_not_parse() {
    let server = start_def(app()).await;
    let url = server.url();
    assert_eq!(
        get_text(format!("{url}/users/17/typed")).await,
        (200, "u32 17".into())
    );
    let res = reqwest::get(format!("{url}/users/abc/typed"))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"], "Bad Request");
    let msg = body["message"].as_str().unwrap();
    assert!(msg.contains("`id`"), "{msg}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_method_is_routed() {
    let server = start_def(app()).await;
    let client = reqwest::Client::new();
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"] {
        let res = client
            .request(
                reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
                format!("{}/any", server.url()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{m}");
        assert_eq!(res.text().await.unwrap(), format!("method {m}"));
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_path_is_a_404_json_error() {
    let server = start_def(app()).await;
    let res = reqwest::get(format!("{}/x", server.url())).await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, error_body(404, "Cannot GET /x", "Not Found"));

    let res = reqwest::Client::new()
        .delete(format!("{}/nowhere/deep?q=1", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Cannot DELETE /nowhere/deep");
    // Trailing slashes are not silently matched.
    let res = reqwest::get(format!("{}/static/", server.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_method_is_a_405_with_allow() {
    let server = start_def(app()).await;
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/static", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        error_body(405, "Cannot POST /static", "Method Not Allowed")
    );

    let res = client
        .request(
            reqwest::Method::from_bytes(b"TRACE").unwrap(),
            format!("{}/any", server.url()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let allow = res.headers()["allow"].to_str().unwrap().to_owned();
    let mut methods: Vec<&str> = allow.split(", ").collect();
    methods.sort_unstable();
    assert_eq!(
        methods,
        [
            "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PURGE", "PUT"
        ]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn head_is_answered_from_get_without_a_body() {
    let server = start_def(app()).await;
    let client = reqwest::Client::new();
    let res = client
        .head(format!("{}/users/12345", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-length"], "8"); // "id=12345"
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    assert!(res.bytes().await.unwrap().is_empty());

    // Over raw TCP: no body bytes follow the head, and the connection stays usable.
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    use tokio::io::AsyncWriteExt;
    stream
        .write_all(
            b"HEAD /static HTTP/1.1\r\nHost: x\r\n\r\nGET /static HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let text = read_until_close(&mut stream).await;
    // The HEAD response's head ends with a blank line and the GET response follows at once.
    let (head_res, get_res) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(raw_status(head_res), Some(200), "{text}");
    assert!(head_res.contains("content-length: 6"), "{text}");
    assert!(get_res.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert_eq!(raw_body(get_res), "static");

    // A HEAD to an unknown path is a 404, still without a body.
    let res = client
        .head(format!("{}/nope", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.bytes().await.unwrap().is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn duplicate_route_is_a_startup_error() {
    let def = ModuleDef::new("Dup")
        .route(Method::GET, "/x", |_| async { "one" })
        .route(Method::GET, "/x", |_| async { "two" })
        .route(Method::GET, "/u/:id", |_| async { "one" })
        .route(Method::GET, "/u/{id}", |_| async { "two" });
    let err = startup_error(Application::from_module(def)).await;
    assert!(err.contains("GET /x is declared twice"), "{err}");
    assert!(err.contains("remove one"), "{err}");
    assert!(err.contains("GET /u/{id} is declared twice"), "{err}");

    // Different methods on one path are fine.
    let ok = ModuleDef::new("Fine")
        .route(Method::GET, "/x", |_| async { "get" })
        .route(Method::POST, "/x", |_| async { "post" });
    Application::from_module(ok).unwrap().build().await.unwrap();
}

#[tokio::test]
async fn malformed_paths_are_startup_errors() {
    let cases = [
        ("no-slash", "must start with `/`"),
        ("/a/:", "invalid parameter name"),
        ("/a/:bad-name", "invalid parameter name"),
        ("/b/*", "invalid parameter name"),
    ];
    for (path, expected) in cases {
        let def = ModuleDef::new("Bad").route(Method::GET, path, |_| async { "x" });
        let err = startup_error(Application::from_module(def)).await;
        assert!(err.contains(expected), "{path}: {err}");
        assert!(err.contains(path), "{path}: {err}");
    }
    // Two parameters with different names at the same place conflict.
    let def = ModuleDef::new("Conflict")
        .route(Method::GET, "/c/:id", |_| async { "x" })
        .route(Method::POST, "/c/:name", |_| async { "x" });
    let err = startup_error(Application::from_module(def)).await;
    assert!(err.contains("/c/:name"), "{err}");
    assert!(err.starts_with("the application cannot start"), "{err}");
}

#[tokio::test]
async fn static_root_module_via_create() {
    struct AppModule;
    impl Module for AppModule {
        fn definition() -> ModuleDef {
            ModuleDef::new("AppModule").route(Method::GET, "/", |_| async { "root" })
        }
    }
    let server = start(Application::create::<AppModule>().unwrap()).await;
    assert_eq!(
        get_text(format!("{}/", server.url())).await,
        (200, "root".into())
    );
    server.shutdown().await.unwrap();
}
