//! One endpoint's lifecycle inside its middleware: layers open → guards → interceptors →
//! extractors and handler → filters → layers close.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use super::context::{AnyState, Ctx};
use super::filter::{ExceptionFilter, FilterContext};
use super::guard::DynGuard;
use super::interceptor::{CallHandler, DynInterceptor};
use super::layer::{Close, Open, Planned};
use super::route::RouteInfo;
use crate::middleware::Handler;
use crate::response::{HttpException, IntoResponse, Panic};
use crate::{Request, Response};

/// The stages planned for one endpoint (each list may be empty).
pub(crate) struct Stages {
    pub(crate) layers: Box<[Box<dyn Planned>]>,
    pub(crate) guards: Box<[Arc<dyn DynGuard>]>,
    pub(crate) interceptors: Arc<[Arc<dyn DynInterceptor>]>,
    pub(crate) filters: Box<[Arc<dyn ExceptionFilter>]>,
}

impl Stages {
    fn only_layers(&self) -> bool {
        self.guards.is_empty() && self.interceptors.is_empty() && self.filters.is_empty()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.layers.is_empty()
            && self.guards.is_empty()
            && self.interceptors.is_empty()
            && self.filters.is_empty()
    }
}

/// The part of an endpoint that runs inside its middleware.
pub(crate) struct Core {
    pub(crate) route: Arc<RouteInfo>,
    pub(crate) handler: Handler,
    /// `None`: nothing but the handler.
    pub(crate) stages: Option<Stages>,
}

/// The states the layers kept, with the index of the layer that kept each.
#[derive(Default)]
struct Kept {
    inline: [Option<(usize, AnyState)>; 2],
    more: Vec<(usize, AnyState)>,
}

impl Kept {
    fn push(&mut self, i: usize, s: AnyState) {
        match self.inline.iter_mut().find(|s| s.is_none()) {
            Some(slot) => *slot = Some((i, s)),
            None => self.more.push((i, s)),
        }
    }

    /// The last kept state not yet taken, with its layer's index (last kept first).
    fn pop(&mut self) -> Option<(usize, AnyState)> {
        if let Some(last) = self.more.pop() {
            return Some(last);
        }
        if let Some(b) = self.inline[1].take() {
            return Some(b);
        }
        self.inline[0].take()
    }
}

impl Core {
    /// Runs the endpoint's stages. `ctx`: the request's context when it is not in the
    /// request yet (no middleware ran): the layers' states go into it before it is inserted,
    /// which spares a lookup per state.
    pub(crate) async fn run(&self, mut req: Request, mut ctx: Option<Ctx>) -> Response {
        let Some(stages) = &self.stages else {
            if let Some(ctx) = ctx {
                req.extensions_mut().insert(ctx);
            }
            return (self.handler)(req).await;
        };
        let mut kept = Kept::default();
        let mut early = None;
        for (i, layer) in stages.layers.iter().enumerate() {
            let state = match layer.open(&mut req) {
                Open::Pass => None,
                Open::Keep(s) => Some(s),
                Open::Respond(r) => {
                    early = Some(r);
                    break;
                }
                Open::Wait(f) => match f.await {
                    Ok(s) => s,
                    Err(r) => {
                        early = Some(r);
                        break;
                    }
                },
            };
            if let Some(s) = state {
                match &mut ctx {
                    Some(ctx) => ctx.states.push(s.clone()),
                    None => {
                        if let Some(ctx) = req.extensions_mut().get_mut::<Ctx>() {
                            ctx.states.push(s.clone());
                        }
                    }
                }
                kept.push(i, s);
            }
        }
        if let Some(ctx) = ctx {
            req.extensions_mut().insert(ctx);
        }
        // Without guards, interceptors and filters (a route only layers apply to) the handler's
        // own boxed future is awaited here; otherwise they run in one boxed future, which
        // keeps this one small (it is moved with every request).
        let mut res = match early {
            Some(r) => r,
            None if stages.only_layers() => (self.handler)(req).await,
            None => Box::pin(self.guarded(stages, req)).await,
        };
        while let Some((i, state)) = kept.pop() {
            res = match stages.layers[i].close(state, res) {
                Close::Ready(r) => r,
                Close::Wait(f) => f.await,
            };
        }
        res
    }

    /// Guards, interceptors, handler; filters around them.
    async fn guarded(&self, stages: &Stages, req: Request) -> Response {
        if stages.filters.is_empty() {
            return self.guards_then_handler(stages, req).await;
        }
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let res = match AssertUnwindSafe(self.guards_then_handler(stages, req))
            .catch_unwind()
            .await
        {
            Ok(res) => res,
            Err(panic) => Panic::from_payload(panic).into_response(),
        };
        let Some(exception) = HttpException::of_response(&res) else {
            return res;
        };
        let ctx = FilterContext {
            method: &method,
            uri: &uri,
            route: &self.route,
        };
        for filter in stages.filters.iter() {
            if let Some(replaced) = filter.catch(exception, &ctx) {
                return replaced;
            }
        }
        res
    }

    async fn guards_then_handler(&self, stages: &Stages, mut req: Request) -> Response {
        for guard in stages.guards.iter() {
            match guard.can_activate(&mut req, &self.route).await {
                Ok(true) => {}
                Ok(false) => {
                    return crate::response::ForbiddenException::new("Forbidden resource")
                        .into_response();
                }
                Err(e) => return e.into_response(),
            }
        }
        if stages.interceptors.is_empty() {
            return (self.handler)(req).await;
        }
        CallHandler {
            interceptors: stages.interceptors.clone(),
            index: 0,
            route: self.route.clone(),
            handler: self.handler.clone(),
        }
        .handle(req)
        .await
    }
}
