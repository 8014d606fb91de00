//! What a module installs for the whole application, beside its providers and controllers.

use crate::di::{DiError, ProviderKey, Resolver};
use crate::lifecycle::{FilterDef, GuardDef, InterceptorDef, RequestLayer, SharedLayer};
use crate::middleware::SharedMiddleware;

/// What a module installs for the whole application.
#[derive(Default)]
pub(crate) struct AppParts {
    pub(crate) middleware: Vec<SharedMiddleware>,
    pub(crate) layers: Vec<LayerDef>,
    pub(crate) guards: Vec<GuardDef>,
    pub(crate) interceptors: Vec<InterceptorDef>,
    pub(crate) filters: Vec<FilterDef>,
    pub(crate) thread_per_core: bool,
}

/// A request layer as installed: a ready value, or a provider resolved when the application
/// is built (after the async factories it may depend on ran).
#[derive(Clone)]
pub(crate) enum LayerDef {
    Ready(SharedLayer),
    Provided {
        /// The layer's type, shown in start-up errors.
        name: &'static str,
        key: ProviderKey,
        resolve: fn(&Resolver) -> Result<SharedLayer, DiError>,
    },
}

impl LayerDef {
    pub(crate) fn provided<L: RequestLayer>() -> Self {
        LayerDef::Provided {
            name: crate::di::short_name(std::any::type_name::<L>()),
            key: ProviderKey::of::<L>(),
            resolve: |r| r.get::<L>().map(|l| l as SharedLayer),
        }
    }
}
