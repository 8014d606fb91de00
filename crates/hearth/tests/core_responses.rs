//! Responses over real HTTP: `IntoResponse` for the usual return types, `ResponseBuilder`,
//! the `HttpException` family, `?` on any error (500 without internals), panic isolation.

#[path = "common/core_util.rs"]
mod util;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hearth::bytes::Bytes;
use hearth::cookie::{Cookie, SameSite};
use hearth::prelude::*;
use http::Method;
use util::*;

#[derive(Serialize)]
struct Item {
    id: u32,
    tags: Vec<&'static str>,
}

#[derive(Debug)]
struct DbError;
impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection to db-primary.internal:5432 refused (password=hunter2)")
    }
}
impl std::error::Error for DbError {}

fn failing_lookup(ok: bool) -> Result<u32, DbError> {
    if ok { Ok(1) } else { Err(DbError) }
}

fn app() -> ModuleDef {
    ModuleDef::new("ResponsesApp")
        .route(Method::GET, "/str", |_| async { "static str" })
        .route(Method::GET, "/string", |_| async {
            String::from("owned string")
        })
        .route(Method::GET, "/bytes", |_| async {
            Bytes::from_static(&[0, 1, 2, 255])
        })
        .route(Method::GET, "/json", |_| async {
            Json(Item {
                id: 7,
                tags: vec!["a", "b"],
            })
        })
        .route(Method::GET, "/value", |_| async {
            json!({"ok": true, "n": [1, 2]})
        })
        .route(Method::POST, "/tuple", |_| async {
            (StatusCode::CREATED, Json(json!({"created": 1})))
        })
        .route(Method::GET, "/tuple-text", |_| async {
            (StatusCode::ACCEPTED, "later")
        })
        .route(Method::GET, "/result-ok", |_| async {
            Ok::<_, HttpException>("fine")
        })
        .route(Method::GET, "/result-err", |_| async {
            Err::<&str, _>(ConflictException::new("already exists"))
        })
        .route(Method::DELETE, "/unit", |_| async {})
        .route(Method::GET, "/status", |_| async {
            StatusCode::IM_A_TEAPOT
        })
        .route(Method::GET, "/b/json", |_| async {
            ResponseBuilder::json(json!({"a": 1}))
                .status(StatusCode::CREATED)
                .header("x-request-id", "42")
        })
        .route(Method::GET, "/b/text", |_| async {
            ResponseBuilder::text("plain")
                .header("x-one", "1")
                .header("x-one", "2")
        })
        .route(Method::GET, "/b/html", |_| async {
            ResponseBuilder::html("<h1>Hi</h1>")
        })
        .route(Method::GET, "/b/redirect", |_| async {
            ResponseBuilder::redirect("/login")
        })
        .route(
            Method::GET,
            "/b/redirect/:code",
            |req: Request| async move {
                let (parts, _) = req.into_parts();
                let code: u16 = hearth::extract::path_param(&parts, "code").unwrap();
                ResponseBuilder::redirect_with(StatusCode::from_u16(code).unwrap(), "/there?x=1")
            },
        )
        .route(Method::GET, "/b/empty", |_| async {
            ResponseBuilder::empty(StatusCode::NO_CONTENT).header("x-empty", "yes")
        })
        .route(Method::GET, "/b/cookie", |_| async {
            ResponseBuilder::text("with cookies")
                .cookie(
                    Cookie::build(("theme", "dark"))
                        .path("/")
                        .http_only(true)
                        .same_site(SameSite::Lax)
                        .build(),
                )
                .cookie(Cookie::new("lang", "en"))
        })
        .route(Method::GET, "/b/bad-header", |_| async {
            ResponseBuilder::text("x").header("bad header name", "v")
        })
        .route(Method::GET, "/exception/:kind", |req: Request| async move {
            let kind = req.uri().path().rsplit('/').next().unwrap().to_owned();
            let e = match kind.as_str() {
                "400" => BadRequestException::new("bad input"),
                "401" => UnauthorizedException::new("Not logged in"),
                "403" => ForbiddenException::new("no entry"),
                "404" => NotFoundException::new("no such user"),
                "409" => ConflictException::new("taken"),
                "422" => UnprocessableEntityException::new("cannot process"),
                "429" => TooManyRequestsException::new("slow down"),
                "500" => InternalServerErrorException::new("broken"),
                "503" => ServiceUnavailableException::new("maintenance"),
                "418" => HttpException::new(StatusCode::IM_A_TEAPOT, "short and stout"),
                "default" => ForbiddenException::default_message(),
                _ => HttpException::from_status(StatusCode::GONE),
            };
            Err::<(), _>(e)
        })
        .route(Method::GET, "/question/:ok", |req: Request| async move {
            let ok = req.uri().path().ends_with("/yes");
            let n = failing_lookup(ok)?;
            let parsed: u32 = "12".parse()?;
            Ok::<_, HttpException>(format!("{}", n + parsed))
        })
        .route(Method::GET, "/io-error", |_| async {
            std::fs::read_to_string("/definitely/not/here/secret.txt")?;
            Ok::<_, HttpException>("unreachable")
        })
        .route(Method::POST, "/typed-question", |req: Request| async move {
            // `?` on an extractor's rejection inside an `HttpResult` keeps its 4xx status.
            let Json(v) = <Json<Value> as hearth::extract::FromRequest>::from_request(req).await?;
            Ok::<_, HttpException>(Json(v))
        })
        .route(Method::GET, "/panic", |_| async {
            if true {
                panic!("secret panic detail 0xdeadbeef");
            }
            "never"
        })
}

async fn get(server: &hearth::app::RunningServer, path: &str) -> reqwest::Response {
    no_redirects()
        .get(format!("{}{path}", server.url()))
        .send()
        .await
        .unwrap()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn ct(res: &reqwest::Response) -> &str {
    res.headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn into_response_for_common_types() {
    let server = start_def(app()).await;

    let res = get(&server, "/str").await;
    assert_eq!(res.status(), 200);
    assert_eq!(ct(&res), "text/plain; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), "static str");

    let res = get(&server, "/string").await;
    assert_eq!(ct(&res), "text/plain; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), "owned string");

    let res = get(&server, "/bytes").await;
    assert_eq!(ct(&res), "application/octet-stream");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &[0, 1, 2, 255]);

    let res = get(&server, "/json").await;
    assert_eq!(ct(&res), "application/json");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"id": 7, "tags": ["a", "b"]})
    );

    let res = get(&server, "/value").await;
    assert_eq!(ct(&res), "application/json");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"ok": true, "n": [1, 2]})
    );

    let res = reqwest::Client::new()
        .post(format!("{}/tuple", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(ct(&res), "application/json");
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"created": 1}));

    let res = get(&server, "/tuple-text").await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.text().await.unwrap(), "later");

    let res = get(&server, "/result-ok").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "fine");

    let res = get(&server, "/result-err").await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        error_body(409, "already exists", "Conflict")
    );

    let res = reqwest::Client::new()
        .delete(format!("{}/unit", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.bytes().await.unwrap().is_empty());

    let res = get(&server, "/status").await;
    assert_eq!(res.status(), 418);
    assert!(res.bytes().await.unwrap().is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn response_builder() {
    let server = start_def(app()).await;

    let res = get(&server, "/b/json").await;
    assert_eq!(res.status(), 201);
    assert_eq!(ct(&res), "application/json");
    assert_eq!(res.headers()["x-request-id"], "42");
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"a": 1}));

    let res = get(&server, "/b/text").await;
    assert_eq!(ct(&res), "text/plain; charset=utf-8");
    let ones: Vec<_> = res.headers().get_all("x-one").iter().collect();
    assert_eq!(ones, ["1", "2"]);
    assert_eq!(res.text().await.unwrap(), "plain");

    let res = get(&server, "/b/html").await;
    assert_eq!(ct(&res), "text/html; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), "<h1>Hi</h1>");

    let res = get(&server, "/b/redirect").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/login");

    for code in [301u16, 303, 307, 308] {
        let res = get(&server, &format!("/b/redirect/{code}")).await;
        assert_eq!(res.status().as_u16(), code);
        assert_eq!(res.headers()["location"], "/there?x=1");
    }
    // A non-redirect status is a programming error: 500, nothing leaked.
    let res = get(&server, "/b/redirect/200").await;
    assert_eq!(res.status(), 500);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        error_body(500, "Internal Server Error", "Internal Server Error")
    );

    let res = get(&server, "/b/empty").await;
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["x-empty"], "yes");
    assert!(res.bytes().await.unwrap().is_empty());

    let res = get(&server, "/b/cookie").await;
    let cookies: Vec<_> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let theme = Cookie::parse(cookies[0].clone()).unwrap();
    assert_eq!((theme.name(), theme.value()), ("theme", "dark"));
    assert_eq!(theme.http_only(), Some(true));
    assert_eq!(theme.same_site(), Some(SameSite::Lax));
    assert_eq!(theme.path(), Some("/"));
    assert_eq!(cookies[1], "lang=en");

    let res = get(&server, "/b/bad-header").await;
    assert_eq!(res.status(), 500);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn exception_family_renders_status_message_error() {
    let server = start_def(app()).await;
    let cases = [
        ("400", 400, "bad input", "Bad Request"),
        ("401", 401, "Not logged in", "Unauthorized"),
        ("403", 403, "no entry", "Forbidden"),
        ("404", 404, "no such user", "Not Found"),
        ("409", 409, "taken", "Conflict"),
        ("422", 422, "cannot process", "Unprocessable Entity"),
        ("429", 429, "slow down", "Too Many Requests"),
        ("500", 500, "broken", "Internal Server Error"),
        ("503", 503, "maintenance", "Service Unavailable"),
        ("418", 418, "short and stout", "I'm a teapot"),
        ("default", 403, "Forbidden", "Forbidden"),
        ("410", 410, "Gone", "Gone"),
    ];
    for (kind, status, message, error) in cases {
        let res = get(&server, &format!("/exception/{kind}")).await;
        assert_eq!(res.status().as_u16(), status, "{kind}");
        assert_eq!(ct(&res), "application/json", "{kind}");
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            error_body(status, message, error),
            "{kind}"
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn question_mark_on_any_error_is_a_generic_500() {
    let server = start_def(app()).await;
    let res = get(&server, "/question/yes").await;
    assert_eq!(res.text().await.unwrap(), "13");

    for path in ["/question/no", "/io-error"] {
        let res = get(&server, path).await;
        assert_eq!(res.status(), 500, "{path}");
        let text = res.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body,
            error_body(500, "Internal Server Error", "Internal Server Error")
        );
        for secret in ["hunter2", "db-primary", "secret.txt", "No such file"] {
            assert!(!text.contains(secret), "{path} leaked {secret:?}: {text}");
        }
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn question_mark_on_a_framework_error_keeps_its_status() {
    let server = start_def(app()).await;
    let c = reqwest::Client::new();
    let res = c
        .post(format!("{}/typed-question", server.url()))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Bad Request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON body")
    );
    let res = c
        .post(format!("{}/typed-question", server.url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn panicking_handler_is_a_500_and_the_server_keeps_serving() {
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let def = app().route(Method::GET, "/count", move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { format!("{n}") }
    });
    let server = start_def(def).await;
    let client = reqwest::Client::new();
    for round in 1..=3 {
        let res = client
            .get(format!("{}/panic", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 500);
        let text = res.text().await.unwrap();
        assert!(!text.contains("secret panic detail"), "{text}");
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            error_body(500, "Internal Server Error", "Internal Server Error")
        );
        // Same client (same pooled connection when kept alive) and a fresh one.
        let res = client
            .get(format!("{}/count", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.text().await.unwrap(), format!("{}", 2 * round - 1));
        let res = reqwest::get(format!("{}/count", server.url()))
            .await
            .unwrap();
        assert_eq!(res.text().await.unwrap(), format!("{}", 2 * round));
    }
    assert_eq!(served.load(Ordering::SeqCst), 6);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn panicking_middleware_is_a_500_too() {
    let app = Application::from_module(app())
        .unwrap()
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            if req.headers().contains_key("x-boom") {
                panic!("middleware exploded");
            }
            next.run(req).await
        }));
    let server = start(app).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/str", server.url()))
        .header("x-boom", "1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    let res = c.get(format!("{}/str", server.url())).send().await.unwrap();
    assert_eq!(res.status(), 200);
    server.shutdown().await.unwrap();
}
