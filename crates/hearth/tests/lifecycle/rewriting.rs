//! What stages hand on: a guard's typed value reaching the handler, and a filter turning a
//! rejection or a panic into the application's own error shape.

use hearth::prelude::*;
use hearth::response::Panic;

use crate::support::{Journal, client};

/// The authenticated caller, attached by the guard.
#[derive(Clone)]
struct Principal {
    name: String,
    admin: bool,
}

#[injectable]
struct AuthGuard;

impl Guard for AuthGuard {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        let Some(name) = req.headers().get("x-user").and_then(|v| v.to_str().ok()) else {
            return Err(UnauthorizedException::new("log in first"));
        };
        let principal = Principal {
            name: name.to_owned(),
            admin: name == "root",
        };
        req.extensions_mut().insert(principal);
        Ok(true)
    }
}

/// The application's error shape: `{"error":{"code":..,"detail":..,"panic":..}}`.
#[injectable]
struct AppErrors;

impl ExceptionFilter for AppErrors {
    fn catch(&self, e: &HttpException, ctx: &FilterContext<'_>) -> Option<Response> {
        let panicked = e.source().and_then(|s| s.downcast_ref::<Panic>());
        let body = json!({
            "error": {
                "code": e.status().as_u16(),
                "detail": e.message(),
                "panic": panicked.map(|p| p.0.clone()),
                "route": ctx.route.name(),
            }
        });
        Some((e.status(), Json(body)).into_response())
    }
}

#[derive(Deserialize)]
struct NewItem {
    name: String,
}

#[controller("/items")]
#[use_filters(AppErrors)]
struct ItemsController;

#[routes]
impl ItemsController {
    #[get("/me")]
    #[use_guards(AuthGuard)]
    async fn me(&self, Extension(me): Extension<Principal>) -> Json<Value> {
        Json(json!({ "name": me.name, "admin": me.admin }))
    }

    #[post]
    async fn create(&self, #[body] item: NewItem) -> (StatusCode, String) {
        (StatusCode::CREATED, item.name)
    }

    #[get("/boom")]
    async fn boom(&self) -> &'static str {
        panic!("the disk is on fire")
    }
}

async fn items() -> hearth::testing::TestClient {
    let journal = Journal::default();
    client(
        &journal,
        ModuleDef::new("ItemsApp").controller::<ItemsController>(),
    )
    .await
}

#[tokio::test]
async fn a_guards_typed_value_reaches_the_handler() {
    let client = items().await;
    let res = client
        .get("/items/me")
        .header("x-user", "root")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>(),
        json!({ "name": "root", "admin": true })
    );
    let res = client.get("/items/me").header("x-user", "ann").send().await;
    assert_eq!(
        res.json::<Value>(),
        json!({ "name": "ann", "admin": false })
    );
}

#[tokio::test]
async fn a_filter_rewrites_a_body_rejection_into_the_apps_error_shape() {
    let client = items().await;
    let res = client
        .post("/items")
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.json::<Value>();
    assert_eq!(body["error"]["code"], 400);
    assert_eq!(body["error"]["panic"], Value::Null);
    assert_eq!(body["error"]["route"], "ItemsController::create");
    let detail = body["error"]["detail"].as_str().unwrap();
    assert!(detail.to_lowercase().contains("json"), "{detail}");

    // A good body still goes through.
    let res = client
        .post("/items")
        .json(&json!({ "name": "pen" }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.text(), "pen");
}

#[tokio::test]
async fn a_filter_sees_a_panic_as_a_500_whose_source_is_a_panic_and_the_app_keeps_serving() {
    let client = items().await;
    let res = client.get("/items/boom").send().await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.json::<Value>();
    assert_eq!(body["error"]["code"], 500);
    assert_eq!(body["error"]["panic"], "the disk is on fire");
    assert_eq!(body["error"]["detail"], "Internal Server Error");

    let res = client.get("/items/me").header("x-user", "ann").send().await;
    assert_eq!(res.status(), StatusCode::OK);
}
