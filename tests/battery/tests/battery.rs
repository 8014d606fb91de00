//! The third-party battery of docs/architecture.md, used the way an application uses it.

use hearth::prelude::*;
use hearth::testing::TestClient;
use hearth_request_id::{RequestId, RequestIdModule, no_request_id, request_id};

#[controller("/")]
struct Routes;

#[routes]
impl Routes {
    #[get("/id")]
    async fn id(&self, #[request_id] id: RequestId) -> String {
        id.0
    }

    #[get("/plain")]
    #[no_request_id]
    async fn plain(&self) -> &'static str {
        "plain"
    }

    #[get("/missing")]
    #[no_request_id]
    async fn missing(&self, #[request_id] id: RequestId) -> String {
        id.0
    }
}

#[module(imports = [RequestIdModule::for_root()], controllers = [Routes])]
struct AppModule;

async fn client() -> TestClient {
    TestClient::new(Application::create::<AppModule>().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_handler_and_the_response_get_the_same_fresh_id() {
    let client = client().await;
    let first = client.get("/id").send().await;
    assert_eq!(first.status(), 200);
    let id = first
        .header("x-request-id")
        .expect("the layer sets the header")
        .to_owned();
    assert_eq!(first.text(), id, "the handler read the layer's state");
    let second = client.get("/id").send().await;
    let other = second.header("x-request-id").expect("a header again");
    assert_ne!(other, id, "a new id per request");
    assert_eq!(second.text(), other);
}

#[tokio::test]
async fn a_client_id_is_kept_and_an_oversized_one_replaced() {
    let client = client().await;
    let res = client
        .get("/id")
        .header("x-request-id", "abc-123")
        .send()
        .await;
    assert_eq!(res.text(), "abc-123");
    assert_eq!(res.header("x-request-id"), Some("abc-123"));
    let long = "x".repeat(65);
    let res = client.get("/id").header("x-request-id", &long).send().await;
    assert!(res.text().starts_with("req-"), "{}", res.text());
}

#[tokio::test]
async fn a_route_that_opts_out_gets_no_id_and_reading_one_there_is_a_500() {
    let client = client().await;
    let res = client.get("/plain").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("x-request-id"), None);
    let res = client.get("/missing").send().await;
    assert_eq!(res.status(), 500);
    assert_eq!(res.header("x-request-id"), None);
}

#[tokio::test]
async fn not_found_answers_carry_an_id_too() {
    let res = client().await.get("/nowhere").send().await;
    assert_eq!(res.status(), 404);
    assert!(res.header("x-request-id").is_some());
}
