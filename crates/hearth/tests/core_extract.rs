//! Extraction over real HTTP: body extractors with their rejections (400 / 413 / 415), typed
//! path, query and header values, all headers, the request context, extensions set by a
//! middleware, and a user-defined extractor used exactly like a built-in one.

#[path = "common/core_util.rs"]
mod util;

use hearth::bytes::Bytes;
use hearth::extract::{
    FromRequest, FromRequestParts, Rejection, header_value, path_param, query_value,
};
use hearth::prelude::*;
use http::request::Parts;
use http::{HeaderMap, Method};
use util::*;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct User {
    name: String,
    age: u8,
}

#[derive(Debug, Deserialize)]
struct Paging {
    page: u32,
    #[serde(default)]
    q: Option<String>,
}

/// A value a middleware puts into the request's extensions.
#[derive(Clone, Debug)]
struct CurrentUser(String);

/// A user-defined extractor: the `x-api-key` header, 401 without it.
struct ApiKey(String);

impl FromRequestParts for ApiKey {
    type Rejection = HttpException;
    async fn from_request_parts(parts: &mut Parts) -> Result<Self, HttpException> {
        parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| ApiKey(v.to_owned()))
            .ok_or_else(|| UnauthorizedException::new("missing x-api-key header"))
    }
}

fn app() -> ModuleDef {
    ModuleDef::new("ExtractApp")
        .route(Method::POST, "/json", |req| async move {
            let Json(user) = Json::<User>::from_request(req).await?;
            Ok::<_, Rejection>(Json(json!({ "got": user })))
        })
        .route(Method::POST, "/form", |req| async move {
            let Form(user) = Form::<User>::from_request(req).await?;
            Ok::<_, Rejection>(format!("{} is {}", user.name, user.age))
        })
        .route(Method::POST, "/payload", |req| async move {
            let Payload(user) = Payload::<User>::from_request(req).await?;
            Ok::<_, Rejection>(format!("{} is {}", user.name, user.age))
        })
        .route(Method::POST, "/bytes", |req| async move {
            let bytes = Bytes::from_request(req).await?;
            Ok::<_, Rejection>(format!("{} bytes", bytes.len()))
        })
        .route(Method::POST, "/string", |req| async move {
            let text = String::from_request(req).await?;
            Ok::<_, Rejection>(text.to_uppercase())
        })
        .route(Method::GET, "/items/:id", |req: Request| async move {
            let (parts, _) = req.into_parts();
            let id: u32 = path_param(&parts, "id")?;
            Ok::<_, Rejection>(format!("item {id}"))
        })
        .route(Method::GET, "/names/:name", |req: Request| async move {
            let (parts, _) = req.into_parts();
            let name: String = path_param(&parts, "name")?;
            Ok::<_, Rejection>(name)
        })
        .route(Method::GET, "/query", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Query(p) = Query::<Paging>::from_request_parts(&mut parts).await?;
            Ok::<_, Rejection>(format!("page {} q {:?}", p.page, p.q))
        })
        .route(Method::GET, "/values", |req: Request| async move {
            let (parts, _) = req.into_parts();
            let n: Option<u32> = query_value(&parts, "n")?;
            let word: Option<String> = query_value(&parts, "word")?;
            let num: Option<u64> = header_value(&parts, "x-num")?;
            Ok::<_, Rejection>(format!("{n:?} {word:?} {num:?}"))
        })
        .route(Method::GET, "/headers", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Ok(headers) = HeaderMap::from_request_parts(&mut parts).await;
            let all: Vec<String> = headers
                .get_all("x-multi")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect();
            all.join("|")
        })
        .route(Method::PUT, "/ctx/:id", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Ok(ctx) = RequestContext::from_request_parts(&mut parts).await;
            Json(json!({
                "method": ctx.method.as_str(),
                "path": ctx.path(),
                "query": ctx.uri.query(),
                "agent": ctx.headers.get("x-agent").and_then(|v| v.to_str().ok()),
                "user": ctx.get::<CurrentUser>().map(|u| u.0.clone()),
            }))
        })
        .route(Method::GET, "/ext", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Extension(user) = Extension::<CurrentUser>::from_request_parts(&mut parts).await?;
            Ok::<_, Rejection>(format!("hello {}", user.0))
        })
        .route(Method::GET, "/ext-missing", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Extension(n) = Extension::<u128>::from_request_parts(&mut parts).await?;
            Ok::<_, Rejection>(format!("{n}"))
        })
        .route(Method::GET, "/key", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let ApiKey(key) = ApiKey::from_request_parts(&mut parts).await?;
            let maybe = Option::<ApiKey>::from_request_parts(&mut parts).await;
            let Ok(maybe) = maybe;
            Ok::<_, HttpException>(format!("key {key} {}", maybe.is_some()))
        })
        // A user-defined FromRequestParts extractor also works as the body-position extractor.
        .route(Method::POST, "/key-as-request", |req: Request| async move {
            let ApiKey(key) = <ApiKey as FromRequest<_>>::from_request(req).await?;
            Ok::<_, HttpException>(key)
        })
}

/// The app with a middleware that sets `CurrentUser` from the `x-user` header.
fn application() -> Application {
    Application::from_module(app())
        .unwrap()
        .use_middleware(from_fn(|mut req: Request, next: Next| async move {
            if let Some(u) = req.headers().get("x-user").and_then(|v| v.to_str().ok()) {
                let user = CurrentUser(u.to_owned());
                req.extensions_mut().insert(user);
            }
            next.run(req).await
        }))
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.unwrap()
}

#[tokio::test]
async fn json_body_and_its_rejections() {
    let server = start(application()).await;
    let url = format!("{}/json", server.url());
    let c = reqwest::Client::new();

    let res = c
        .post(&url)
        .json(&json!({"name": "Ada", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        json_of(res).await,
        json!({"got": {"name": "Ada", "age": 36}})
    );

    // `+json` media types and parameters are accepted.
    let res = c
        .post(&url)
        .header("content-type", "application/vnd.api+json; charset=utf-8")
        .body(r#"{"name":"Bo","age":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Malformed JSON → 400.
    let res = c
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body = json_of(res).await;
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["error"], "Bad Request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("invalid JSON body")
    );

    // Valid JSON of the wrong shape → 400 too.
    let res = c
        .post(&url)
        .json(&json!({"name": "Ada", "age": "old"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // Wrong or missing content type → 415.
    for ct in [Some("text/plain"), None] {
        let mut req = c.post(&url).body(r#"{"name":"Ada","age":36}"#);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 415, "{ct:?}");
        let body = json_of(res).await;
        assert_eq!(body["error"], "Unsupported Media Type");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn json_body_over_the_limit_is_413() {
    let server = start(application().configure(|c| c.body_limit = 16)).await;
    let c = reqwest::Client::new();
    let res = c
        .post(format!("{}/json", server.url()))
        .json(&json!({"name": "a very long name indeed", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body = json_of(res).await;
    assert_eq!(body["statusCode"], 413);
    assert_eq!(body["error"], "Payload Too Large");
    // Exactly the limit is accepted; one byte more is not.
    let res = c
        .post(format!("{}/bytes", server.url()))
        .body(vec![b'x'; 16])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "16 bytes");
    let res = c
        .post(format!("{}/bytes", server.url()))
        .body(vec![b'x'; 17])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn form_and_payload_bodies() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let form = |path: &str, body: &'static str| {
        c.post(format!("{}{path}", server.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let res = form("/form", "name=Ada+L%C3%B6w&age=36").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "Ada Löw is 36");
    // A form that does not fit → 400.
    let res = form("/form", "name=Ada").await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        json_of(res).await["message"]
            .as_str()
            .unwrap()
            .contains("invalid form body")
    );
    // JSON sent to a form extractor → 415.
    let res = c
        .post(format!("{}/form", server.url()))
        .json(&json!({"name": "Ada", "age": 36}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);

    // Payload takes either.
    let res = form("/payload", "name=Ada&age=36").await.unwrap();
    assert_eq!(res.text().await.unwrap(), "Ada is 36");
    let res = c
        .post(format!("{}/payload", server.url()))
        .json(&json!({"name": "Bo", "age": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "Bo is 2");
    let res = c
        .post(format!("{}/payload", server.url()))
        .header("content-type", "text/csv")
        .body("Ada,36")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = c
        .post(format!("{}/payload", server.url()))
        .header("content-type", "application/json")
        .body("[")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bytes_and_string_bodies() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .post(format!("{}/bytes", server.url()))
        .body(vec![0u8, 255, 1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "5 bytes");
    let res = c
        .post(format!("{}/bytes", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "0 bytes");
    let res = c
        .post(format!("{}/string", server.url()))
        .body("hé there")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "HÉ THERE");
    let res = c
        .post(format!("{}/string", server.url()))
        .body(vec![0xff, 0xfe, 0x41])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        json_of(res).await["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_path_params() {
    let server = start(application()).await;
    let url = server.url();
    let res = reqwest::get(format!("{url}/items/7")).await.unwrap();
    assert_eq!(res.text().await.unwrap(), "item 7");
    for bad in ["abc", "-1", "99999999999"] {
        let res = reqwest::get(format!("{url}/items/{bad}")).await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let body = json_of(res).await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("invalid path parameter `id`"),
            "{body}"
        );
    }
    let res = reqwest::get(format!("{url}/names/a%2Fb%20c%F0%9F%94%A5"))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "a/b c🔥");
    // Percent-encoding that is not UTF-8 → 400, not a panic.
    let res = reqwest::get(format!("{url}/names/%FF%FE")).await.unwrap();
    assert_eq!(res.status(), 400);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_query_and_single_values() {
    let server = start(application()).await;
    let url = server.url();
    let text = |u: String| async move { reqwest::get(u).await.unwrap().text().await.unwrap() };
    assert_eq!(
        text(format!("{url}/query?page=2&q=hi%20there")).await,
        "page 2 q Some(\"hi there\")"
    );
    assert_eq!(text(format!("{url}/query?page=3")).await, "page 3 q None");
    for bad in ["/query?page=abc", "/query", "/query?q=x"] {
        let res = reqwest::get(format!("{url}{bad}")).await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let body = json_of(res).await;
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("invalid query string"),
            "{body}"
        );
    }

    let c = reqwest::Client::new();
    let res = c
        .get(format!("{url}/values?n=5&word=a+b%21&n=6"))
        .header("x-num", "77")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "Some(5) Some(\"a b!\") Some(77)");
    assert_eq!(text(format!("{url}/values")).await, "None None None");
    let res = reqwest::get(format!("{url}/values?n=five")).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        json_of(res).await["message"]
            .as_str()
            .unwrap()
            .contains("`n`")
    );
    let res = c
        .get(format!("{url}/values"))
        .header("x-num", "lots")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        json_of(res).await["message"]
            .as_str()
            .unwrap()
            .contains("x-num")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn all_headers_and_request_context() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/headers", server.url()))
        .header("x-multi", "one")
        .header("x-multi", "two")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "one|two");

    let res = c
        .put(format!("{}/ctx/5?a=1", server.url()))
        .header("x-agent", "tests")
        .header("x-user", "ada")
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(res).await,
        json!({"method": "PUT", "path": "/ctx/5", "query": "a=1", "agent": "tests", "user": "ada"})
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn extension_set_by_middleware() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/ext", server.url()))
        .header("x-user", "grace")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "hello grace");
    // Absent: a programming error → 500, without internals in the body.
    let res = c.get(format!("{}/ext", server.url())).send().await.unwrap();
    assert_eq!(res.status(), 500);
    let body = json_of(res).await;
    assert_eq!(
        body,
        error_body(500, "Internal Server Error", "Internal Server Error")
    );
    let res = c
        .get(format!("{}/ext-missing", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    assert!(!json_of(res).await.to_string().contains("u128"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn user_defined_extractor() {
    let server = start(application()).await;
    let c = reqwest::Client::new();
    let res = c
        .get(format!("{}/key", server.url()))
        .header("x-api-key", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "key s3cret true");
    let res = c.get(format!("{}/key", server.url())).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        json_of(res).await,
        error_body(401, "missing x-api-key header", "Unauthorized")
    );
    let res = c
        .post(format!("{}/key-as-request", server.url()))
        .header("x-api-key", "k2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "k2");
    server.shutdown().await.unwrap();
}
