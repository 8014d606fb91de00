//! `Inject<T>` in a handler sees what the handler's module sees (its providers and what its
//! imports export), checked at start-up; a request-scoped provider is one instance per request.

use std::sync::atomic::{AtomicU64, Ordering};

use hearth::prelude::*;
use hearth::testing::TestClient;

/// Provided by `CatalogModule`, not exported.
#[injectable]
struct Catalog;

/// Provided and exported by `CatalogModule`.
#[injectable]
struct Prices;

/// Provided by `ShopModule` itself.
#[injectable]
struct Notes;

/// Provided by the root module only (root providers are not visible to imported modules).
#[injectable]
struct RootOnly;

#[module(providers = [Catalog, Prices], exports = [Prices])]
struct CatalogModule;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh number each time it is built.
struct Seq(u64);
impl Default for Seq {
    fn default() -> Self {
        Seq(NEXT_ID.fetch_add(1, Ordering::SeqCst))
    }
}

/// Built once per request.
#[injectable(scope = request)]
struct RequestId {
    #[inject(default)]
    seq: Seq,
}

#[controller("/shop")]
struct ShopController;

#[routes]
impl ShopController {
    #[get("/own-and-imported")]
    async fn own_and_imported(&self, notes: Inject<Notes>, prices: Inject<Prices>) -> String {
        let (_, _) = (&*notes, &*prices);
        "both injected".to_owned()
    }

    #[get("/request-id")]
    async fn request_id(&self, a: Inject<RequestId>, b: Inject<RequestId>) -> Json<Value> {
        Json(json!({ "a": a.seq.0, "b": b.seq.0, "same": Arc::ptr_eq(&a.0, &b.0) }))
    }
}

#[module(imports = [CatalogModule], controllers = [ShopController], providers = [Notes, RequestId])]
struct ShopModule;

#[module(imports = [ShopModule], providers = [RootOnly])]
struct ShopApp;

#[tokio::test]
async fn a_handler_injects_its_modules_providers_and_what_its_imports_export() {
    let app = Application::create::<ShopApp>().unwrap_or_else(|e| panic!("{e}"));
    let client = TestClient::new(app).await.unwrap();
    let res = client.get("/shop/own-and-imported").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "both injected");
}

#[tokio::test]
async fn a_request_scoped_provider_is_one_instance_per_request() {
    let app = Application::create::<ShopApp>().unwrap_or_else(|e| panic!("{e}"));
    let client = TestClient::new(app).await.unwrap();
    let first = client.get("/shop/request-id").send().await.json::<Value>();
    let second = client.get("/shop/request-id").send().await.json::<Value>();
    assert_eq!(first["same"], true, "{first}");
    assert_eq!(first["a"], first["b"]);
    assert_eq!(second["same"], true, "{second}");
    assert_ne!(first["a"], second["a"]);
}

#[controller("/peek")]
struct PeekController;

#[routes]
impl PeekController {
    #[get]
    async fn peek(&self, catalog: Inject<Catalog>) -> &'static str {
        let _ = &*catalog;
        "peeked"
    }
}

#[module(imports = [CatalogModule], controllers = [PeekController])]
struct PeekApp;

#[controller("/root")]
struct RootPeekController;

#[routes]
impl RootPeekController {
    #[get]
    async fn peek(&self, root: Inject<RootOnly>) -> &'static str {
        let _ = &*root;
        "peeked"
    }
}

#[module(controllers = [RootPeekController])]
struct RootPeekModule;

#[module(imports = [RootPeekModule], providers = [RootOnly])]
struct RootPeekApp;

#[tokio::test]
async fn injecting_another_modules_unexported_provider_is_a_startup_error_naming_the_handler_and_the_fix()
 {
    let err = Application::create::<PeekApp>().unwrap_err().to_string();
    assert!(
        err.contains("PeekController::peek (Inject) → Catalog: not provided"),
        "{err}"
    );
    assert!(
        err.contains("Catalog is provided by CatalogModule but not exported; add it to the exports of CatalogModule"),
        "{err}"
    );
}

#[tokio::test]
async fn injecting_a_provider_of_the_importing_module_is_a_startup_error_too() {
    let err = Application::create::<RootPeekApp>()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("RootPeekController::peek (Inject) → RootOnly: not provided"),
        "{err}"
    );
    assert!(
        err.contains("RootOnly is provided by RootPeekApp but not exported"),
        "{err}"
    );
}
