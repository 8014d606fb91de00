//! The documented order of the stages, each recording itself.

use hearth::prelude::*;

use crate::support::{Journal, Probe, RecordingLayer, client};

crate::recording_guards!(GlobalGuard => "global", ControllerGuard => "controller", RouteGuard => "route");
crate::recording_interceptors!(
    GlobalInterceptor => "global",
    ControllerInterceptor => "controller",
    RouteInterceptor => "route",
);
crate::recording_filters!(GlobalFilter => "global", ControllerFilter => "controller", RouteFilter => "route");

#[controller("/order")]
#[use_guards(ControllerGuard)]
#[use_interceptors(ControllerInterceptor)]
#[use_filters(ControllerFilter)]
struct OrderController {
    journal: Arc<Journal>,
}

#[routes]
impl OrderController {
    /// Fails, so that the filters see an exception.
    #[get("/fail")]
    #[use_guards(RouteGuard)]
    #[use_interceptors(RouteInterceptor)]
    #[use_filters(RouteFilter)]
    async fn fail(&self, _probe: Probe) -> HttpResult<&'static str> {
        self.journal.record("handler");
        Err(ConflictException::new("the handler failed"))
    }

    /// Succeeds: the filters have nothing to catch.
    #[get("/ok")]
    #[use_guards(RouteGuard)]
    #[use_interceptors(RouteInterceptor)]
    #[use_filters(RouteFilter)]
    async fn ok(&self, _probe: Probe) -> &'static str {
        self.journal.record("handler");
        "ok"
    }
}

fn app(journal: &Journal) -> ModuleDef {
    ModuleDef::new("OrderApp")
        .controller::<OrderController>()
        .layer(RecordingLayer(journal.clone()))
        .guard::<GlobalGuard>()
        .interceptor::<GlobalInterceptor>()
        .filter::<GlobalFilter>()
}

#[tokio::test]
async fn every_stage_runs_in_the_documented_order() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/order/fail").send().await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.json::<Value>()["message"], "the handler failed");
    assert_eq!(
        journal.take(),
        [
            "middleware before",
            "layer open",
            "guard: global",
            "guard: controller",
            "guard: route",
            "interceptor before: global",
            "interceptor before: controller",
            "interceptor before: route",
            "extractor",
            "handler",
            "interceptor after: route",
            "interceptor after: controller",
            "interceptor after: global",
            "filter: route",
            "filter: controller",
            "filter: global",
            "layer close",
            "middleware after",
        ]
    );
}

#[tokio::test]
async fn filters_do_not_run_on_a_success() {
    let journal = Journal::default();
    let client = client(&journal, app(&journal)).await;
    let res = client.get("/order/ok").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "ok");
    let ran = journal.take();
    assert_eq!(
        ran.iter().filter(|s| s.starts_with("filter")).count(),
        0,
        "{ran:?}"
    );
    assert_eq!(ran[ran.len() - 2..], ["layer close", "middleware after"]);
    assert!(ran.contains(&"handler".to_owned()));
}
