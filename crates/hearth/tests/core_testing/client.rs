//! The in-process `TestClient`: requests without a socket, JSON and form bodies, headers,
//! and a cookie jar that behaves like a browser's.

use hearth::cookie::Cookie;
use hearth::extract::{FromRequest, FromRequestParts, Rejection};
use hearth::prelude::*;
use hearth::testing::TestClient;
use http::Method;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Login {
    user: String,
}

fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split("; "))
        .filter_map(|c| c.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn app() -> ModuleDef {
    ModuleDef::new("TestingApp")
        .route(Method::GET, "/hello", |_| async { "hi" })
        .route(Method::POST, "/login", |req| async move {
            let Payload(login) = Payload::<Login>::from_request(req).await?;
            Ok::<_, Rejection>(
                ResponseBuilder::json(json!({ "welcome": login.user }))
                    .cookie(
                        Cookie::build(("user", login.user))
                            .path("/")
                            .http_only(true)
                            .build(),
                    )
                    .cookie(Cookie::new("visits", "1")),
            )
        })
        .route(Method::GET, "/me", |req: Request| async move {
            match cookie_value(&req, "user") {
                Some(u) => Ok(format!("you are {u}")),
                None => Err(UnauthorizedException::new("Not logged in")),
            }
        })
        .route(Method::GET, "/cookies", |req: Request| async move {
            req.headers()
                .get("cookie")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        })
        .route(Method::POST, "/logout", |_| async {
            ResponseBuilder::empty(StatusCode::NO_CONTENT).cookie(
                Cookie::build(("user", ""))
                    .path("/")
                    .max_age(hearth::cookie::time::Duration::ZERO)
                    .build(),
            )
        })
        .route(Method::PUT, "/echo", |req: Request| async move {
            let (mut parts, body) = req.into_parts();
            let Ok(ctx) = RequestContext::from_request_parts(&mut parts).await;
            let text = String::from_request(Request::from_parts(parts, body)).await?;
            Ok::<_, Rejection>(Json(json!({
                "method": ctx.method.as_str(),
                "query": ctx.uri.query(),
                "x-test": ctx.headers.get("x-test").and_then(|v| v.to_str().ok()),
                "body": text,
            })))
        })
        .route(Method::PATCH, "/patch", |_| async { "patched" })
        .route(Method::DELETE, "/item", |_| async {
            StatusCode::NO_CONTENT
        })
        .route(Method::GET, "/panic", |_| async {
            if true {
                panic!("boom");
            }
            ""
        })
}

async fn client() -> TestClient {
    TestClient::new(Application::from_module(app()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn sends_requests_without_a_socket() {
    let client = client().await;
    let res = client.get("/hello").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "hi");
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.bytes().as_ref(), b"hi");

    let res = client.get("/nope").send().await;
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>(),
        json!({"statusCode": 404, "message": "Cannot GET /nope", "error": "Not Found"})
    );

    let res = client.request(Method::HEAD, "/hello").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-length"), Some("2"));
    assert!(res.bytes().is_empty());

    assert_eq!(client.patch("/patch").send().await.text(), "patched");
    assert_eq!(client.delete("/item").send().await.status(), 204);
    assert_eq!(client.post("/hello").send().await.status(), 405);

    // A panic is a 500 in process too, and the client keeps working.
    assert_eq!(client.get("/panic").send().await.status(), 500);
    assert_eq!(client.get("/hello").send().await.status(), 200);
}

#[tokio::test]
async fn bodies_and_headers() {
    let client = client().await;
    let res = client
        .put("/echo?x=1")
        .header("x-test", "yes")
        .body("raw text")
        .send()
        .await;
    assert_eq!(
        res.json::<Value>(),
        json!({"method": "PUT", "query": "x=1", "x-test": "yes", "body": "raw text"})
    );

    let res = client
        .post("/login")
        .json(&Login { user: "ada".into() })
        .send()
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>(), json!({"welcome": "ada"}));

    let res = client
        .post("/login")
        .form(&Login { user: "bo".into() })
        .send()
        .await;
    assert_eq!(res.json::<Value>(), json!({"welcome": "bo"}));

    let res = client
        .post("/login")
        .header("content-type", "text/plain")
        .body("user=x")
        .send()
        .await;
    assert_eq!(res.status(), 415);
}

#[tokio::test]
async fn cookie_jar_keeps_and_sends_cookies() {
    let client = client().await;
    assert_eq!(client.get("/me").send().await.status(), 401);

    let res = client
        .post("/login")
        .json(&Login { user: "ada".into() })
        .send()
        .await;
    let set = res.set_cookies();
    assert_eq!(set.len(), 2, "{set:?}");
    assert!(set[0].starts_with("user=ada"), "{set:?}");
    assert_eq!(client.cookie("user").as_deref(), Some("ada"));
    assert_eq!(client.cookie("visits").as_deref(), Some("1"));

    let res = client.get("/me").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "you are ada");

    // Clones share the jar.
    let other = client.clone();
    assert_eq!(other.get("/me").send().await.text(), "you are ada");

    // Without cookies, for one request only.
    assert_eq!(
        client.get("/me").without_cookies().send().await.status(),
        401
    );
    assert_eq!(client.get("/me").send().await.status(), 200);

    // An explicit Cookie header wins over the jar.
    let res = client
        .get("/cookies")
        .header("cookie", "user=mallory")
        .send()
        .await;
    assert_eq!(res.text(), "user=mallory");

    // The jar is editable.
    client.set_cookie("user", Some("grace"));
    assert_eq!(client.get("/me").send().await.text(), "you are grace");
    client.set_cookie("visits", None);
    assert_eq!(client.get("/cookies").send().await.text(), "user=grace");

    // A cookie expired by the server (Max-Age=0) leaves the jar.
    assert_eq!(client.post("/logout").send().await.status(), 204);
    assert_eq!(client.cookie("user"), None);
    assert_eq!(client.get("/me").send().await.status(), 401);
}

#[tokio::test]
async fn from_app_wraps_a_built_application_with_middleware() {
    let app = Application::from_module(app())
        .unwrap()
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            let mut res = next.run(req).await;
            res.headers_mut()
                .insert("x-mw", http::HeaderValue::from_static("1"));
            res
        }))
        .build()
        .await
        .unwrap();
    let client = TestClient::from_app(app);
    let res = client.get("/hello").send().await;
    assert_eq!(res.header("x-mw"), Some("1"));
    assert_eq!(res.headers()["x-mw"], "1");
}
