//! A request-id battery: every response carries `x-request-id` (the client's, or a new one),
//! handlers read it with `#[request_id] id: RequestId`, and `#[no_request_id]` turns it off
//! on a route, where it then costs nothing. Written on `hearth-core`'s public API only.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hearth_core::http::{HeaderValue, StatusCode, request::Parts};
use hearth_core::lifecycle::{
    Close, Metadata, Open, ParamAttribute, RequestLayer, RouteAttribute, RouteInfo, request_state,
};
use hearth_core::module::ModuleDef;
use hearth_core::{HttpException, Request, Response};

/// The request's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

struct Layer(AtomicU64);

impl RequestLayer for Layer {
    type State = RequestId;
    type Plan = ();
    fn plan(&self, route: &RouteInfo) -> Option<()> {
        route.get::<NoRequestId>().is_none().then_some(())
    }
    fn open(&self, _: &(), req: &mut Request) -> Open<RequestId> {
        let sent = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok());
        let id = match sent {
            Some(id) if (1..=64).contains(&id.len()) => id.to_owned(),
            _ => format!("req-{}", self.0.fetch_add(1, Ordering::Relaxed)),
        };
        Open::Keep(Arc::new(RequestId(id)))
    }
    fn close(&self, id: Arc<RequestId>, mut res: Response) -> Close {
        if let Ok(v) = HeaderValue::from_str(&id.0) {
            res.headers_mut().insert("x-request-id", v);
        }
        Close::Ready(res)
    }
}

/// The module: import `RequestIdModule::for_root()` once.
pub struct RequestIdModule;

impl RequestIdModule {
    /// Installs the layer for every route.
    pub fn for_root() -> ModuleDef {
        ModuleDef::new("RequestIdModule").layer(Layer(AtomicU64::new(1)))
    }
}

/// `#[no_request_id]`: the route opts out.
pub struct NoRequestId;
/// The `#[no_request_id]` route attribute.
pub fn no_request_id() -> NoRequestId {
    NoRequestId
}
impl RouteAttribute for NoRequestId {
    fn apply(self, metadata: &mut Metadata) {
        metadata.insert(self);
    }
}

/// The `#[request_id]` parameter attribute.
pub fn request_id() -> RequestIdParam {
    RequestIdParam
}
/// What [`request_id()`] returns.
pub struct RequestIdParam;
impl ParamAttribute<RequestId> for RequestIdParam {
    type Rejection = HttpException;
    async fn extract(self, parts: &mut Parts) -> Result<RequestId, HttpException> {
        request_state::<RequestId>(&parts.extensions)
            .map(|id| (*id).clone())
            .ok_or_else(|| {
                HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR).with_source(
                    "no request id here: import RequestIdModule, drop #[no_request_id]",
                )
            })
    }
}
