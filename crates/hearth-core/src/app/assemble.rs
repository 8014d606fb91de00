//! Assembling the application: every route's endpoint with its middleware and its planned
//! lifecycle stages, the 404 and 405 endpoints, and the route table.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use http::{HeaderValue, StatusCode, header};

use crate::di::Container;
use crate::lifecycle::pipeline::{Core, Stages};
use crate::lifecycle::{
    Enhancer, EnhancerCache, FilterDef, GuardDef, InterceptorDef, Metadata, RouteInfo, RouteKind,
    SharedLayer,
};
use crate::middleware::{Handler, SharedMiddleware};
use crate::module::{AppParts, LayerDef};
use crate::response::{HttpException, IntoResponse};
use crate::routing::{Endpoint, MountedRoute, Router};
use crate::{Request, StartupError};

/// What applies to every route: installed by modules (each with the module whose providers
/// build its guards, interceptors and filters) and by the application.
#[derive(Default)]
pub(crate) struct Globals {
    pub(crate) middleware: Vec<SharedMiddleware>,
    pub(crate) layers: Vec<(usize, LayerDef)>,
    pub(crate) guards: Vec<(usize, GuardDef)>,
    pub(crate) interceptors: Vec<(usize, InterceptorDef)>,
    pub(crate) filters: Vec<(usize, FilterDef)>,
    pub(crate) thread_per_core: bool,
}

impl Globals {
    /// Adds what module `module` installs.
    pub(crate) fn add(&mut self, module: usize, parts: AppParts) {
        self.middleware.extend(parts.middleware);
        self.layers
            .extend(parts.layers.into_iter().map(|l| (module, l)));
        self.guards
            .extend(parts.guards.into_iter().map(|g| (module, g)));
        self.interceptors
            .extend(parts.interceptors.into_iter().map(|i| (module, i)));
        self.filters
            .extend(parts.filters.into_iter().map(|f| (module, f)));
        self.thread_per_core |= parts.thread_per_core;
    }
}

/// Guards that replace others of a type wherever they are listed (a test's
/// `override_guard`), with the types that were replaced at least once.
#[derive(Default)]
pub(crate) struct GuardOverrides {
    /// The replaced type's name and its replacement, by the replaced type.
    pub(crate) guards: HashMap<TypeId, (&'static str, GuardDef)>,
    pub(crate) used: HashSet<TypeId>,
}

impl GuardOverrides {
    fn apply(&mut self, def: GuardDef) -> GuardDef {
        match def
            .type_id
            .and_then(|t| self.guards.get(&t).map(|(_, g)| (t, g)))
        {
            Some((t, g)) => {
                let g = g.clone();
                self.used.insert(t);
                g
            }
            None => def,
        }
    }
}

/// Builds the endpoints and the router.
pub(crate) struct Assembler<'a> {
    pub(crate) container: &'a Container,
    pub(crate) globals: &'a Globals,
    /// The globals' layers, built.
    pub(crate) layers: Vec<SharedLayer>,
    pub(crate) cache: EnhancerCache,
    pub(crate) overrides: GuardOverrides,
    pub(crate) problems: Vec<StartupError>,
}

/// Builds the application's request layers, in order: provided ones are resolved from their
/// module's providers.
pub(crate) fn build_layers(
    container: &Container,
    layers: &[(usize, LayerDef)],
    problems: &mut Vec<StartupError>,
) -> Vec<SharedLayer> {
    let mut out = Vec::new();
    for (module, def) in layers {
        match def {
            LayerDef::Ready(l) => out.push(l.clone()),
            LayerDef::Provided { name, resolve, .. } => {
                let resolver = container.resolver(*module);
                match resolve(&resolver) {
                    Ok(l) => out.push(l),
                    Err(source) => problems.push(StartupError::Build {
                        name: format!("{} (layer) → {name}", resolver.module_name()),
                        source,
                    }),
                }
            }
        }
    }
    out
}

impl Assembler<'_> {
    fn build_all<T: ?Sized + 'static>(
        &mut self,
        defs: impl IntoIterator<Item = (usize, Enhancer<T>)>,
    ) -> Vec<Arc<T>>
    where
        Arc<T>: Send + Sync,
    {
        let mut out = Vec::new();
        for (module, def) in defs {
            let resolver = self.container.resolver(module);
            match self.cache.build(&def, module, &resolver) {
                Ok(v) => out.push(v),
                Err(source) => self.problems.push(StartupError::Build {
                    name: def.name().to_owned(),
                    source,
                }),
            }
        }
        out
    }

    /// The endpoint of one route mounted by module `module`.
    pub(crate) fn endpoint(&mut self, module: usize, r: MountedRoute) -> (String, Endpoint) {
        let g = self.globals;
        let guards = g.guards.iter().cloned();
        let guards = guards.chain(r.guards.into_iter().map(|d| (module, d)));
        let guards: Vec<_> = guards.map(|(m, d)| (m, self.overrides.apply(d))).collect();
        let guards = self.build_all(guards);
        let interceptors = g.interceptors.iter().cloned();
        let interceptors = interceptors.chain(r.interceptors.into_iter().map(|d| (module, d)));
        let interceptors = self.build_all(interceptors);
        let filters = r.filters.into_iter().map(|d| (module, d));
        let filters = self.build_all(filters.chain(g.filters.iter().cloned()));
        let mut middleware = g.middleware.clone();
        middleware.extend(r.middleware);
        let reads_request = r.needs_context
            || !middleware.is_empty()
            || !guards.is_empty()
            || !interceptors.is_empty()
            || !filters.is_empty();
        let route = RouteInfo {
            kind: RouteKind::Handler,
            method: Some(r.method.clone()),
            path: Some(r.path.clone()),
            name: r.name.clone(),
            controller: r.controller,
            module,
            metadata: r.metadata,
            controller_metadata: r.controller_metadata,
            reads_request,
        };
        let core = self.core(route, r.handler, guards, interceptors, filters);
        let endpoint = Endpoint::new(r.method, r.name, middleware, core);
        (r.path, endpoint)
    }

    /// The endpoint for a request no route has (404), or whose method none has (405).
    pub(crate) fn special(&mut self, kind: RouteKind, handler: Handler) -> Endpoint {
        let name = match kind {
            RouteKind::NotFound => "404 Not Found",
            _ => "405 Method Not Allowed",
        };
        let mut route = RouteInfo::special(kind, name);
        route.metadata = Metadata::new();
        let core = self.core(route, handler, Vec::new(), Vec::new(), Vec::new());
        Endpoint::new(
            http::Method::GET,
            name.to_owned(),
            self.globals.middleware.clone(),
            core,
        )
    }

    fn core(
        &mut self,
        route: RouteInfo,
        handler: Handler,
        guards: Vec<Arc<dyn crate::lifecycle::DynGuard>>,
        interceptors: Vec<Arc<dyn crate::lifecycle::DynInterceptor>>,
        filters: Vec<Arc<dyn crate::lifecycle::ExceptionFilter>>,
    ) -> Core {
        let layers: Vec<_> = self
            .layers
            .iter()
            .filter_map(|l| l.clone().plan(&route))
            .collect();
        let stages = Stages {
            layers: layers.into(),
            guards: guards.into(),
            interceptors: interceptors.into(),
            filters: filters.into(),
        };
        Core {
            route: Arc::new(route),
            handler,
            stages: (!stages.is_empty()).then_some(stages),
        }
    }

    /// The route table, with a 405 endpoint per path.
    pub(crate) fn router(&mut self, endpoints: Vec<(String, Endpoint)>) -> Option<Router> {
        let built = std::cell::RefCell::new(&mut *self);
        let router = Router::build(endpoints, |allow| {
            built
                .borrow_mut()
                .special(RouteKind::MethodNotAllowed, method_not_allowed(allow))
        });
        match router {
            Ok(r) => Some(r),
            Err(p) => {
                self.problems.extend(p.into_iter().map(StartupError::from));
                None
            }
        }
    }
}

pub(crate) fn not_found() -> Handler {
    Arc::new(|req: Request| {
        let msg = format!("Cannot {} {}", req.method(), req.uri().path());
        Box::pin(async move { HttpException::new(StatusCode::NOT_FOUND, msg).into_response() })
    })
}

fn method_not_allowed(allow: HeaderValue) -> Handler {
    Arc::new(move |req: Request| {
        let allow = allow.clone();
        Box::pin(async move {
            let mut res = HttpException::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Cannot {} {}", req.method(), req.uri().path()),
            )
            .into_response();
            res.headers_mut().insert(header::ALLOW, allow);
            res
        })
    })
}
