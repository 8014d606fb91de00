//! The route table, on `matchit`: static segments, `:param` / `{param}` parameters and
//! `*rest` / `{*rest}` catch-alls; 404 for no route, 405 with `Allow` for a wrong method,
//! HEAD answered by the GET handler.

mod controller;

use std::sync::Arc;

use http::{HeaderValue, Method};

pub(crate) use controller::MountedRoute;
pub use controller::{
    Controller, ControllerDef, ControllerMeta, RouteDef, RouteHandler, join_paths,
};

use crate::extract::PathParams;
use crate::lifecycle::pipeline::Core;
use crate::middleware::{Handler, SharedMiddleware};

/// Converts `:id` and `*rest` segments into matchit's `{id}` and `{*rest}`; checks braces.
pub fn normalize_path(path: &str) -> Result<String, String> {
    if !path.starts_with('/') {
        return Err(format!("route path {path:?} must start with `/`"));
    }
    let mut out = String::with_capacity(path.len() + 4);
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if let Some(name) = seg.strip_prefix(':') {
            check_name(path, name)?;
            out.push('{');
            out.push_str(name);
            out.push('}');
        } else if let Some(name) = seg.strip_prefix('*') {
            check_name(path, name)?;
            out.push_str("{*");
            out.push_str(name);
            out.push('}');
        } else {
            out.push_str(seg);
        }
    }
    Ok(out)
}

fn check_name(path: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "route path {path:?} has an invalid parameter name {name:?}"
        ));
    }
    Ok(())
}

/// A route's endpoint: its middleware, then its lifecycle (`lifecycle::pipeline`).
pub(crate) struct Endpoint {
    pub(crate) method: Method,
    pub(crate) name: String,
    pub(crate) middleware: Arc<[SharedMiddleware]>,
    pub(crate) core: Arc<Core>,
    /// `core` as the end of the middleware chain (when there is middleware).
    pub(crate) terminal: Handler,
    /// Set up the request context (`lifecycle::Ctx`): something on the route reads it.
    pub(crate) needs_context: bool,
    /// Nothing but the handler runs: no context, middleware, layer, guard, interceptor or
    /// filter (the fast path).
    pub(crate) plain: bool,
}

impl Endpoint {
    pub(crate) fn new(
        method: Method,
        name: String,
        middleware: Vec<SharedMiddleware>,
        core: Core,
    ) -> Self {
        let core = Arc::new(core);
        let needs_context = core.route.reads_request;
        let plain = middleware.is_empty() && core.stages.is_none() && !needs_context;
        let terminal: Handler = {
            let core = core.clone();
            Arc::new(move |req| {
                let core = core.clone();
                Box::pin(async move { core.run(req, None).await })
            })
        };
        Endpoint {
            method,
            name,
            middleware: middleware.into(),
            core,
            terminal,
            needs_context,
            plain,
        }
    }
}

pub(crate) struct Slot {
    pub(crate) path: String,
    pub(crate) endpoints: Vec<Endpoint>,
    /// The answer to a method no endpoint has (405, with `Allow`).
    pub(crate) not_allowed: Option<Endpoint>,
    params: Vec<Arc<str>>,
}

/// The application's route table.
pub(crate) struct Router {
    matcher: matchit::Router<usize>,
    pub(crate) slots: Vec<Slot>,
}

pub(crate) enum Lookup<'a> {
    Route(&'a Endpoint, Option<PathParams>),
    MethodNotAllowed(&'a Endpoint),
    NotFound,
}

impl Router {
    /// The table of `endpoints` (with their declared paths); `not_allowed` builds each path's
    /// 405 endpoint from its `Allow` value.
    pub(crate) fn build(
        endpoints: Vec<(String, Endpoint)>,
        not_allowed: impl Fn(HeaderValue) -> Endpoint,
    ) -> Result<Router, Vec<crate::RouteError>> {
        let mut matcher = matchit::Router::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut by_path: std::collections::HashMap<String, usize> = Default::default();
        let mut problems = Vec::new();
        for (declared, e) in endpoints {
            let path = match normalize_path(&declared) {
                Ok(p) => p,
                Err(reason) => {
                    problems.push(crate::RouteError::InvalidPath {
                        route: e.name.clone(),
                        reason,
                    });
                    continue;
                }
            };
            let slot = match by_path.get(&path) {
                Some(&i) => i,
                None => {
                    if let Err(source) = matcher.insert(path.clone(), slots.len()) {
                        problems.push(crate::RouteError::Conflict {
                            route: e.name.clone(),
                            method: e.method.clone(),
                            path: declared,
                            source,
                        });
                        continue;
                    }
                    let params = param_names(&path);
                    by_path.insert(path.clone(), slots.len());
                    slots.push(Slot {
                        path: path.clone(),
                        endpoints: Vec::new(),
                        not_allowed: None,
                        params,
                    });
                    slots.len() - 1
                }
            };
            if let Some(other) = slots[slot].endpoints.iter().find(|o| o.method == e.method) {
                problems.push(crate::RouteError::Duplicate {
                    method: e.method.clone(),
                    path: declared,
                    first: other.name.clone(),
                    second: e.name.clone(),
                });
                continue;
            }
            slots[slot].endpoints.push(e);
        }
        for slot in &mut slots {
            let mut methods: Vec<&str> = slot.endpoints.iter().map(|e| e.method.as_str()).collect();
            if methods.contains(&"GET") && !methods.contains(&"HEAD") {
                methods.push("HEAD");
            }
            let allow = HeaderValue::from_str(&methods.join(", "))
                .unwrap_or_else(|_| HeaderValue::from_static(""));
            slot.not_allowed = Some(not_allowed(allow));
        }
        if problems.is_empty() {
            Ok(Router { matcher, slots })
        } else {
            Err(problems)
        }
    }

    pub(crate) fn find(&self, method: &Method, path: &str) -> Lookup<'_> {
        let Ok(m) = self.matcher.at(path) else {
            return Lookup::NotFound;
        };
        let slot = &self.slots[*m.value];
        let params = if slot.params.is_empty() {
            None
        } else {
            Some(PathParams(
                slot.params
                    .iter()
                    .filter_map(|n| m.params.get(&**n).map(|v| (n.clone(), v.to_owned())))
                    .collect(),
            ))
        };
        let endpoint = slot
            .endpoints
            .iter()
            .find(|e| e.method == *method)
            .or_else(|| {
                (*method == Method::HEAD)
                    .then(|| slot.endpoints.iter().find(|e| e.method == Method::GET))
                    .flatten()
            });
        match (endpoint, &slot.not_allowed) {
            (Some(e), _) => Lookup::Route(e, params),
            (None, Some(e)) => Lookup::MethodNotAllowed(e),
            (None, None) => Lookup::NotFound,
        }
    }
}

fn param_names(path: &str) -> Vec<Arc<str>> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = rest[start + 1..start + end].trim_start_matches('*');
        names.push(Arc::from(name));
        rest = &rest[start + end + 1..];
    }
    names
}
