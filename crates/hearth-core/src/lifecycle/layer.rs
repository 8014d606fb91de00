//! Request layers: code that opens a per-request state before the guards and closes it after
//! the filters, deciding per route, when the application is built, whether it runs there.

use std::sync::Arc;

use super::context::AnyState;
use super::route::RouteInfo;
use crate::middleware::BoxFuture;
use crate::{Request, Response};

/// What [`RequestLayer::open`] decided for one request.
pub enum Open<S: ?Sized> {
    /// Nothing to do for this request (no state, nothing to close).
    Pass,
    /// Keep this state: extractors read it with
    /// [`request_state`](super::request_state), and [`close`](RequestLayer::close) gets it back.
    Keep(Arc<S>),
    /// Answer now (403, 429, 503…): later stages and the handler do not run; the layers opened
    /// before this one still close.
    Respond(Response),
    /// Decide asynchronously (a store round trip): `Ok(None)` is [`Pass`](Open::Pass),
    /// `Err` is [`Respond`](Open::Respond).
    Wait(BoxFuture<'static, Result<Option<Arc<S>>, Response>>),
}

/// What [`RequestLayer::close`] did with the response.
pub enum Close {
    /// The response, ready.
    Ready(Response),
    /// The response, once this future completes (a store write).
    Wait(BoxFuture<'static, Response>),
}

/// A request layer: the seam batteries use to run around every request (sessions, CSRF,
/// throttling, CORS preflight…). It runs after routing and the middleware, before the guards,
/// and closes after the filters (see `docs/lifecycle.md`).
///
/// [`plan`](RequestLayer::plan) runs once per route when the application is built: a route it
/// returns `None` for never calls the layer (no allocation, no virtual call), so a battery
/// costs nothing where it does not apply. Install a layer with
/// [`ModuleDef::layer`](crate::module::ModuleDef::layer) or
/// [`Application::use_layer`](crate::Application::use_layer).
///
/// ```
/// use std::sync::Arc;
/// use hearth::lifecycle::{Close, Open, RequestLayer, RouteInfo};
/// use hearth::prelude::*;
///
/// /// Answers 503 on every route while a maintenance flag is set; costs nothing on routes
/// /// marked `MaintenanceExempt`.
/// struct Maintenance(std::sync::atomic::AtomicBool);
/// struct MaintenanceExempt;
///
/// impl RequestLayer for Maintenance {
///     type State = ();
///     type Plan = ();
///     fn plan(&self, route: &RouteInfo) -> Option<()> {
///         (!route.get::<MaintenanceExempt>().is_some()).then_some(())
///     }
///     fn open(&self, _: &(), _: &mut Request) -> Open<()> {
///         if self.0.load(std::sync::atomic::Ordering::Relaxed) {
///             Open::Respond(HttpException::new(StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response())
///         } else {
///             Open::Pass
///         }
///     }
///     fn close(&self, _: Arc<()>, res: Response) -> Close {
///         Close::Ready(res)
///     }
/// }
/// ```
pub trait RequestLayer: Send + Sync + 'static {
    /// What one request keeps between `open` and `close`.
    type State: Send + Sync + 'static;
    /// What the layer decided for one route when the application was built.
    type Plan: Send + Sync + 'static;

    /// Whether (and how) the layer runs on `route`; `None`: never there.
    fn plan(&self, route: &RouteInfo) -> Option<Self::Plan>;

    /// Before the guards: may keep a state, answer early, or pass.
    fn open(&self, plan: &Self::Plan, req: &mut Request) -> Open<Self::State>;

    /// After the filters, with the state `open` kept: may change or replace the response.
    fn close(&self, state: Arc<Self::State>, res: Response) -> Close;
}

/// A layer as installed: type-erased, planned per route by the application.
pub(crate) trait DynLayer: Send + Sync + 'static {
    fn plan(self: Arc<Self>, route: &RouteInfo) -> Option<Box<dyn Planned>>;
}

/// A layer with its plan for one route.
pub(crate) trait Planned: Send + Sync + 'static {
    fn open(&self, req: &mut Request) -> Open<dyn std::any::Any + Send + Sync>;
    fn close(&self, state: AnyState, res: Response) -> Close;
}

struct WithPlan<L: RequestLayer> {
    layer: Arc<L>,
    plan: L::Plan,
}

impl<L: RequestLayer> DynLayer for L {
    fn plan(self: Arc<Self>, route: &RouteInfo) -> Option<Box<dyn Planned>> {
        let plan = RequestLayer::plan(&*self, route)?;
        Some(Box::new(WithPlan { layer: self, plan }))
    }
}

impl<L: RequestLayer> Planned for WithPlan<L> {
    fn open(&self, req: &mut Request) -> Open<dyn std::any::Any + Send + Sync> {
        match self.layer.open(&self.plan, req) {
            Open::Pass => Open::Pass,
            Open::Keep(s) => Open::Keep(s),
            Open::Respond(r) => Open::Respond(r),
            Open::Wait(f) => Open::Wait(Box::pin(async move {
                f.await.map(|s| s.map(|s| s as AnyState))
            })),
        }
    }

    fn close(&self, state: AnyState, res: Response) -> Close {
        match state.downcast::<L::State>() {
            Ok(s) => self.layer.close(s, res),
            Err(_) => Close::Ready(res),
        }
    }
}

/// A layer as stored by modules and the application.
pub(crate) type SharedLayer = Arc<dyn DynLayer>;

pub(crate) fn shared<L: RequestLayer>(layer: L) -> SharedLayer {
    Arc::new(layer)
}
