//! Global before controller before route for guards and interceptors; filters the other way
//! round (the first that answers wins); a route's metadata overrides its controller's.

use hearth::extract::FromRequestParts;
use hearth::prelude::*;
use http::request::Parts;

use crate::support::{Journal, client};

/// Guards that deny when `x-deny` names them, and record that they ran.
macro_rules! deniers {
    ($($ty:ident => $name:literal),*) => {$(
        #[injectable]
        struct $ty {
            journal: Arc<Journal>,
        }

        impl Guard for $ty {
            async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
                self.journal.record(concat!("guard: ", $name));
                Ok(req.headers().get("x-deny").is_none_or(|v| v.as_bytes() != $name.as_bytes()))
            }
        }
    )*};
}

/// Interceptors that append their name to the response's `x-chain` header on the way out.
macro_rules! chain {
    ($($ty:ident => $name:literal),*) => {$(
        #[injectable]
        struct $ty;

        impl Interceptor for $ty {
            async fn intercept(&self, req: Request, next: CallHandler) -> Response {
                let mut res = next.handle(req).await;
                let chain = res.headers().get("x-chain").and_then(|v| v.to_str().ok());
                let chain = match chain {
                    Some(c) => format!("{c}, {}", $name),
                    None => $name.to_owned(),
                };
                res.headers_mut().insert("x-chain", chain.parse().unwrap());
                res
            }
        }
    )*};
}

/// Filters that answer when `x-catch` names them, and record that they were asked.
macro_rules! catchers {
    ($($ty:ident => $name:literal),*) => {$(
        #[injectable]
        struct $ty {
            journal: Arc<Journal>,
        }

        impl ExceptionFilter for $ty {
            fn catch(&self, e: &HttpException, ctx: &FilterContext<'_>) -> Option<Response> {
                self.journal.record(concat!("filter: ", $name));
                let asked = ctx.uri.query().is_some_and(|q| q == concat!("catch=", $name));
                asked.then(|| {
                    let body = json!({ "caughtBy": $name, "status": e.status().as_u16() });
                    (StatusCode::IM_A_TEAPOT, Json(body)).into_response()
                })
            }
        }
    )*};
}

deniers!(GlobalDeny => "global", ControllerDeny => "controller", RouteDeny => "route");
chain!(GlobalChain => "global", ControllerChain => "controller", RouteChain => "route");
catchers!(GlobalCatch => "global", ControllerCatch => "controller", RouteCatch => "route");

/// Metadata: which level set it.
struct Tier(&'static str);

/// The three views of the route's `Tier` a guard or an interceptor has.
#[derive(Serialize)]
struct Tiers {
    effective: Option<&'static str>,
    route: Option<&'static str>,
    controller: Option<&'static str>,
}

impl FromRequestParts for Tiers {
    type Rejection = HttpException;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, HttpException> {
        let route = RouteInfo::of(&parts.extensions)
            .ok_or_else(|| InternalServerErrorException::new("no route info"))?;
        Ok(Tiers {
            effective: route.get::<Tier>().map(|t| t.0),
            route: route.route_metadata().get::<Tier>().map(|t| t.0),
            controller: route.controller_metadata().get::<Tier>().map(|t| t.0),
        })
    }
}

// Written above `#[controller]` or below it: the same.
#[use_filters(ControllerCatch)]
#[set_metadata(Tier("controller"))]
#[controller("/p")]
#[use_guards(ControllerDeny)]
#[use_interceptors(ControllerChain)]
struct PrecedenceController;

#[routes]
impl PrecedenceController {
    #[get("/fail")]
    #[use_guards(RouteDeny)]
    #[use_interceptors(RouteChain)]
    #[use_filters(RouteCatch)]
    async fn fail(&self) -> HttpResult<&'static str> {
        Err(NotFoundException::new("nothing here"))
    }

    #[get("/own")]
    #[set_metadata(Tier("route"))]
    async fn own(&self, tiers: Tiers) -> Json<Tiers> {
        Json(tiers)
    }

    #[get("/inherited")]
    async fn inherited(&self, tiers: Tiers) -> Json<Tiers> {
        Json(tiers)
    }
}

fn app() -> ModuleDef {
    ModuleDef::new("PrecedenceApp")
        .controller::<PrecedenceController>()
        .guard::<GlobalDeny>()
        .interceptor::<GlobalChain>()
        .filter::<GlobalCatch>()
}

#[tokio::test]
async fn guards_run_global_then_controller_then_route_and_the_first_denial_wins() {
    let journal = Journal::default();
    let client = client(&journal, app()).await;
    let expected = [
        ("global", vec!["guard: global"]),
        ("controller", vec!["guard: global", "guard: controller"]),
        (
            "route",
            vec!["guard: global", "guard: controller", "guard: route"],
        ),
    ];
    for (deny, ran) in expected {
        let res = client.get("/p/fail").header("x-deny", deny).send().await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "denied by {deny}");
        let guards: Vec<String> = journal
            .take()
            .into_iter()
            .filter(|s| s.starts_with("guard"))
            .collect();
        assert_eq!(guards, ran, "denied by {deny}");
    }
}

#[tokio::test]
async fn interceptors_nest_global_outermost_then_controller_then_route() {
    let journal = Journal::default();
    let client = client(&journal, app()).await;
    let res = client.get("/p/fail").send().await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Appended on the way out: the innermost first.
    assert_eq!(res.header("x-chain"), Some("route, controller, global"));
}

#[tokio::test]
async fn filters_are_tried_route_then_controller_then_global_and_the_first_answer_wins() {
    let journal = Journal::default();
    let client = client(&journal, app()).await;
    let expected = [
        ("route", vec!["filter: route"]),
        ("controller", vec!["filter: route", "filter: controller"]),
        (
            "global",
            vec!["filter: route", "filter: controller", "filter: global"],
        ),
    ];
    for (catcher, asked) in expected {
        let res = client.get(&format!("/p/fail?catch={catcher}")).send().await;
        assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
        assert_eq!(
            res.json::<Value>(),
            json!({ "caughtBy": catcher, "status": 404 })
        );
        let filters: Vec<String> = journal
            .take()
            .into_iter()
            .filter(|s| s.starts_with("filter"))
            .collect();
        assert_eq!(filters, asked, "caught by {catcher}");
    }
    // No filter answers: the exception goes out as it was.
    let res = client.get("/p/fail").send().await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<Value>()["message"], "nothing here");
}

#[tokio::test]
async fn route_metadata_overrides_the_controllers_and_both_stay_readable() {
    let journal = Journal::default();
    let client = client(&journal, app()).await;
    let own = client.get("/p/own").send().await.json::<Value>();
    assert_eq!(
        own,
        json!({ "effective": "route", "route": "route", "controller": "controller" })
    );
    let inherited = client.get("/p/inherited").send().await.json::<Value>();
    assert_eq!(
        inherited,
        json!({ "effective": "controller", "route": null, "controller": "controller" })
    );
}
