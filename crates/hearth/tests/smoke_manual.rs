//! The runtime without macros: a hand-written controller and module over real HTTP.

use std::sync::Arc;

use hearth::di::{Dependency, DiError, Injectable, Resolver};
use hearth::extract::FromRequestParts;
use hearth::prelude::*;
use hearth::routing::{Controller, ControllerMeta, RouteDef};

struct Greeter {
    greeting: String,
}

impl Injectable for Greeter {
    fn dependencies() -> Vec<Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(Greeter {
            greeting: "Hello".into(),
        })
    }
}

struct HelloController {
    greeter: Arc<Greeter>,
}

impl Injectable for HelloController {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::of::<Greeter>("greeter")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(HelloController { greeter: r.get()? })
    }
}

impl ControllerMeta for HelloController {
    fn prefix() -> &'static str {
        "/api"
    }
}

impl Controller for HelloController {
    fn routes() -> Vec<RouteDef<Self>> {
        vec![RouteDef::new(
            http::Method::GET,
            "/hello/:name",
            "hello",
            |this, req| {
                Box::pin(async move {
                    let (mut parts, _) = req.into_parts();
                    let name: String = match hearth::extract::path_param(&parts, "name") {
                        Ok(v) => v,
                        Err(e) => return e.into_response(),
                    };
                    let _ = hearth::extract::RequestContext::from_request_parts(&mut parts).await;
                    format!("{}, {name}!", this.greeter.greeting).into_response()
                })
            },
        )]
    }
}

struct AppModule;
impl Module for AppModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("AppModule")
            .provider(Provider::class::<Greeter>())
            .controller::<HelloController>()
    }
}

#[tokio::test]
async fn manual_controller_over_http() {
    let app = Application::create::<AppModule>()
        .unwrap()
        .build()
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    let url = server.url();
    let body = reqwest::get(format!("{url}/api/hello/world%21"))
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
    assert_eq!(body.text().await.unwrap(), "Hello, world!!");
    let res = reqwest::get(format!("{url}/nope")).await.unwrap();
    assert_eq!(res.status(), 404);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["statusCode"], 404);
    let res = reqwest::Client::new()
        .post(format!("{url}/api/hello/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, HEAD");
    server.shutdown().await.unwrap();
}

struct Missing;
impl Module for Missing {
    fn definition() -> ModuleDef {
        ModuleDef::new("Missing").controller::<HelloController>()
    }
}

#[test]
fn missing_provider_names_chain() {
    let err = Application::create::<Missing>().unwrap_err().to_string();
    assert!(
        err.contains(
            "HelloController → Greeter: not provided; add Greeter to the providers of Missing"
        ),
        "{err}"
    );
}
