//! Request layers are planned per route when the application is built: a layer whose plan
//! is `None` on a route is never opened there; on the others it is, 404 and 405 included.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hearth::lifecycle::{Close, Open, RequestLayer, RouteKind};
use hearth::prelude::*;

use crate::support::{Journal, client};

/// Routes the layer skips.
struct NoCount;

/// Counts the requests it opens on, and what it planned for.
#[derive(Clone, Default)]
struct Counting {
    opens: Arc<AtomicUsize>,
    planned: Arc<Mutex<Vec<(RouteKind, bool)>>>,
}

impl RequestLayer for Counting {
    type State = ();
    type Plan = ();

    fn plan(&self, route: &RouteInfo) -> Option<()> {
        let runs = route.get::<NoCount>().is_none();
        self.planned.lock().unwrap().push((route.kind(), runs));
        runs.then_some(())
    }

    fn open(&self, _: &(), _: &mut Request) -> Open<()> {
        self.opens.fetch_add(1, Ordering::SeqCst);
        Open::Pass
    }

    fn close(&self, _: Arc<()>, res: Response) -> Close {
        Close::Ready(res)
    }
}

#[controller("/counted")]
struct CountedController;

#[routes]
impl CountedController {
    #[get]
    async fn counted(&self) -> &'static str {
        "counted"
    }

    #[get("/skipped")]
    #[set_metadata(NoCount)]
    async fn skipped(&self) -> &'static str {
        "skipped"
    }
}

/// Skipped on every route through the controller's metadata.
#[controller("/quiet")]
#[set_metadata(NoCount)]
struct QuietController;

#[routes]
impl QuietController {
    #[get]
    async fn quiet(&self) -> &'static str {
        "quiet"
    }
}

#[tokio::test]
async fn a_layer_planned_out_of_a_route_is_never_opened_there_and_is_on_the_others() {
    let layer = Counting::default();
    let journal = Journal::default();
    let root = ModuleDef::new("LayerApp")
        .controller::<CountedController>()
        .controller::<QuietController>()
        .layer(layer.clone());
    let client = client(&journal, root).await;
    let opens = || layer.opens.load(Ordering::SeqCst);

    for path in ["/counted/skipped", "/quiet", "/counted/skipped"] {
        let res = client.get(path).send().await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(opens(), 0);

    assert_eq!(client.get("/counted").send().await.text(), "counted");
    assert_eq!(opens(), 1);
    assert_eq!(
        client.get("/nowhere").send().await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(opens(), 2);
    let res = client.post("/counted").send().await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(opens(), 3);

    // Planned once per endpoint at build time, not per request.
    let planned = layer.planned.lock().unwrap().clone();
    let kinds = |kind: RouteKind| planned.iter().filter(|(k, _)| *k == kind).count();
    assert_eq!(kinds(RouteKind::Handler), 3, "{planned:?}");
    assert!(kinds(RouteKind::NotFound) == 1, "{planned:?}");
    assert!(kinds(RouteKind::MethodNotAllowed) >= 1, "{planned:?}");
    let skipped = planned.iter().filter(|(_, runs)| !runs).count();
    assert_eq!(skipped, 2, "{planned:?}");
}
