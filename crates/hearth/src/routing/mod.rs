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

pub(crate) struct Endpoint {
    pub(crate) method: Method,
    pub(crate) chain: Arc<[SharedMiddleware]>,
    pub(crate) handler: Handler,
    pub(crate) name: String,
    /// The handler or a middleware may read the request's context (`AppContext`).
    pub(crate) needs_context: bool,
}

pub(crate) struct Slot {
    pub(crate) path: String,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) allow: HeaderValue,
    params: Vec<Arc<str>>,
}

/// The application's route table.
pub(crate) struct Router {
    matcher: matchit::Router<usize>,
    pub(crate) slots: Vec<Slot>,
}

pub(crate) enum Lookup<'a> {
    Route(&'a Endpoint, Option<PathParams>),
    MethodNotAllowed(&'a HeaderValue),
    NotFound,
}

impl Router {
    pub(crate) fn build(
        routes: Vec<MountedRoute>,
        global: &[SharedMiddleware],
    ) -> Result<Router, Vec<String>> {
        let mut matcher = matchit::Router::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut by_path: std::collections::HashMap<String, usize> = Default::default();
        let mut problems = Vec::new();
        for r in routes {
            let path = match normalize_path(&r.path) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(format!("{}: {e}", r.name));
                    continue;
                }
            };
            let slot = match by_path.get(&path) {
                Some(&i) => i,
                None => {
                    if let Err(e) = matcher.insert(path.clone(), slots.len()) {
                        problems.push(format!("{} ({} {}): {e}", r.name, r.method, r.path));
                        continue;
                    }
                    let params = param_names(&path);
                    by_path.insert(path.clone(), slots.len());
                    slots.push(Slot {
                        path: path.clone(),
                        endpoints: Vec::new(),
                        allow: HeaderValue::from_static(""),
                        params,
                    });
                    slots.len() - 1
                }
            };
            if let Some(other) = slots[slot].endpoints.iter().find(|e| e.method == r.method) {
                problems.push(format!(
                    "{} {} is declared twice: by {} and by {}; remove one",
                    r.method, r.path, other.name, r.name
                ));
                continue;
            }
            let mut chain: Vec<SharedMiddleware> = global.to_vec();
            chain.extend(r.middleware);
            slots[slot].endpoints.push(Endpoint {
                method: r.method,
                needs_context: r.needs_context || !chain.is_empty(),
                chain: chain.into(),
                handler: r.handler,
                name: r.name,
            });
        }
        for slot in &mut slots {
            let mut methods: Vec<&str> = slot.endpoints.iter().map(|e| e.method.as_str()).collect();
            if methods.contains(&"GET") && !methods.contains(&"HEAD") {
                methods.push("HEAD");
            }
            slot.allow = HeaderValue::from_str(&methods.join(", "))
                .unwrap_or_else(|_| HeaderValue::from_static(""));
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
        match endpoint {
            Some(e) => Lookup::Route(e, params),
            None => Lookup::MethodNotAllowed(&slot.allow),
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
