//! `examples/hello.rs` (the README's hello world), started and walked over HTTP.

mod common;

#[tokio::test]
async fn hello_example_answers() {
    let ex = common::start("hello", &[]).await;
    let c = common::client();
    let res = c.get(format!("{}/", ex.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "Hello, World!");
    let v: serde_json::Value = common::json_of(c.get(format!("{}/hello/Ferris", ex.url))).await;
    assert_eq!(v["message"], "Hello, Ferris!");
    let res = c.get(format!("{}/nope", ex.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
