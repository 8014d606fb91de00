//! Each stage can answer on its own; the later stages then do not run (and what wraps the
//! stage still finishes: the middleware, the layers opened before, the filters).

use std::collections::HashMap;
use std::sync::Mutex;

use hearth::lifecycle::{Close, Open, RequestLayer};
use hearth::prelude::*;

use crate::support::{Journal, Probe, RecordingLayer, client};

crate::recording_guards!(FirstGuard => "first", LastGuard => "last");
crate::recording_interceptors!(Around => "around");
crate::recording_filters!(Watch => "watch", ControllerWatch => "controller", GlobalWatch => "global");

/// A route middleware that answers 418 itself when asked to (`x-gate`).
struct Gate;

impl Middleware for Gate {
    async fn handle(&self, req: Request, next: Next) -> Response {
        if req.headers().contains_key("x-gate") {
            return (StatusCode::IM_A_TEAPOT, "from the middleware").into_response();
        }
        next.run(req).await
    }
}

/// A layer that answers 503 when asked to (`x-refuse`).
struct Refuse(Journal);

impl RequestLayer for Refuse {
    type State = ();
    type Plan = ();

    fn plan(&self, _: &RouteInfo) -> Option<()> {
        Some(())
    }

    fn open(&self, _: &(), req: &mut Request) -> Open<()> {
        if req.headers().contains_key("x-refuse") {
            self.0.record("layer refuses");
            let e = HttpException::new(StatusCode::SERVICE_UNAVAILABLE, "refused by a layer");
            return Open::Respond(e.into_response());
        }
        Open::Pass
    }

    fn close(&self, _: Arc<()>, res: Response) -> Close {
        self.0.record("refuse closes");
        Close::Ready(res)
    }
}

/// Denies (`x-guard: deny`) or throws a 401 (`x-guard: unauthorized`).
#[injectable]
struct Judge {
    journal: Arc<Journal>,
}

impl Guard for Judge {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        match req.headers().get("x-guard").and_then(|v| v.to_str().ok()) {
            Some("deny") => {
                self.journal.record("judge denies");
                Ok(false)
            }
            Some("unauthorized") => {
                self.journal.record("judge throws");
                Err(UnauthorizedException::new("who are you?"))
            }
            _ => {
                self.journal.record("guard: judge");
                Ok(true)
            }
        }
    }
}

/// Answers from its cache without calling the rest of the chain once a path was served.
#[injectable]
struct Cache {
    journal: Arc<Journal>,
    #[inject(default)]
    entries: Mutex<HashMap<String, (StatusCode, String)>>,
}

impl Interceptor for Cache {
    async fn intercept(&self, req: Request, next: CallHandler) -> Response {
        let key = req.uri().path().to_owned();
        let hit = self.entries.lock().unwrap().get(&key).cloned();
        if let Some((status, body)) = hit {
            self.journal.record("cache hit");
            return (status, body).into_response();
        }
        self.journal.record("cache miss");
        let res = next.handle(req).await;
        let status = res.status();
        let body = http_body_util::BodyExt::collect(res.into_body()).await;
        let body = String::from_utf8(body.unwrap().to_bytes().to_vec()).unwrap();
        self.entries
            .lock()
            .unwrap()
            .insert(key, (status, body.clone()));
        (status, body).into_response()
    }
}

/// Replaces a 409 with a 418 of its own.
#[injectable]
struct Replace {
    journal: Arc<Journal>,
}

impl ExceptionFilter for Replace {
    fn catch(&self, e: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
        self.journal.record("filter: replace");
        (e.status() == StatusCode::CONFLICT)
            .then(|| (StatusCode::IM_A_TEAPOT, "replaced by a filter").into_response())
    }
}

#[controller("/sc")]
#[use_guards(FirstGuard, Judge)]
#[use_filters(ControllerWatch)]
struct ShortController {
    journal: Arc<Journal>,
}

#[routes]
impl ShortController {
    #[get("/run")]
    #[use_middleware(Gate)]
    #[use_guards(LastGuard)]
    #[use_interceptors(Around)]
    #[use_filters(Watch)]
    async fn run(&self, _probe: Probe) -> &'static str {
        self.journal.record("handler");
        "ran"
    }

    #[get("/cached")]
    #[use_interceptors(Cache, Around)]
    async fn cached(&self, _probe: Probe) -> String {
        self.journal.record("handler");
        "computed".to_owned()
    }

    #[get("/conflict")]
    #[use_filters(Replace)]
    async fn conflict(&self) -> HttpResult<&'static str> {
        self.journal.record("handler");
        Err(ConflictException::new("taken"))
    }
}

fn app(journal: &Journal) -> ModuleDef {
    ModuleDef::new("ShortApp")
        .controller::<ShortController>()
        .layer(RecordingLayer(journal.clone()))
        .layer(Refuse(journal.clone()))
        .filter::<GlobalWatch>()
}

#[tokio::test]
async fn a_middleware_that_answers_skips_every_later_stage() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/sc/run").header("x-gate", "1").send().await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(res.text(), "from the middleware");
    assert_eq!(journal.take(), ["middleware before", "middleware after"]);
}

#[tokio::test]
async fn a_layer_that_responds_skips_guards_and_handler_and_earlier_layers_still_close() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/sc/run").header("x-refuse", "1").send().await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json::<Value>()["message"], "refused by a layer");
    assert_eq!(
        journal.take(),
        [
            "middleware before",
            "layer open",
            "layer refuses",
            "layer close",
            "middleware after"
        ]
    );
}

#[tokio::test]
async fn a_guard_returning_false_answers_403_forbidden_resource_and_later_stages_do_not_run() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/sc/run").header("x-guard", "deny").send().await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        res.json::<Value>(),
        json!({ "statusCode": 403, "message": "Forbidden resource", "error": "Forbidden" })
    );
    assert_eq!(
        journal.take(),
        [
            "middleware before",
            "layer open",
            "guard: first",
            "judge denies",
            // The filters see the guard's exception (and pass it on).
            "filter: watch",
            "filter: controller",
            "filter: global",
            "layer close",
            "middleware after",
        ]
    );
}

#[tokio::test]
async fn a_guard_error_answers_with_its_exception_401() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client
        .get("/sc/run")
        .header("x-guard", "unauthorized")
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>()["message"], "who are you?");
    let ran = journal.take();
    assert!(ran.contains(&"judge throws".to_owned()), "{ran:?}");
    for skipped in [
        "guard: last",
        "interceptor before: around",
        "extractor",
        "handler",
    ] {
        assert!(!ran.contains(&skipped.to_owned()), "{skipped} ran: {ran:?}");
    }
}

#[tokio::test]
async fn an_interceptor_can_answer_without_calling_the_handler() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let first = client.get("/sc/cached").send().await;
    assert_eq!(first.status(), StatusCode::OK);
    let ran = journal.take();
    assert!(ran.contains(&"cache miss".to_owned()) && ran.contains(&"handler".to_owned()));

    let second = client.get("/sc/cached").send().await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(second.text(), first.text());
    assert_eq!(
        journal.take(),
        [
            "middleware before",
            "layer open",
            "guard: first",
            "guard: judge",
            "cache hit",
            "layer close",
            "middleware after",
        ]
    );
}

#[tokio::test]
async fn an_extractor_rejection_answers_before_the_handler_inside_the_interceptors() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/sc/run").header("x-reject", "1").send().await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>()["message"], "rejected by the extractor");
    assert_eq!(
        journal.take(),
        [
            "middleware before",
            "layer open",
            "guard: first",
            "guard: judge",
            "guard: last",
            "interceptor before: around",
            "extractor rejects",
            "interceptor after: around",
            "filter: watch",
            "filter: controller",
            "filter: global",
            "layer close",
            "middleware after",
        ]
    );
}

#[tokio::test]
async fn a_filter_that_replaces_the_response_stops_the_later_filters() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/sc/conflict").send().await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(res.text(), "replaced by a filter");
    let ran = journal.take();
    assert!(ran.contains(&"filter: replace".to_owned()), "{ran:?}");
    assert!(
        !ran.iter()
            .any(|s| s == "filter: controller" || s == "filter: global"),
        "{ran:?}"
    );
}
