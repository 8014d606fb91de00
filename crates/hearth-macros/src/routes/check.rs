//! Checks of `#[routes]`: the handler's shape, path parameters against `#[param]`s, and the
//! number of body extractors.

use proc_macro2::{Span, TokenStream};
use syn::{LitStr, Signature};

use super::{ParamKind, RoutesModel};
use crate::common::{Errors, route_params};

/// A handler is `async fn name(&self, ..)`, not generic.
pub(crate) fn check_signature(sig: &Signature, errors: &mut Errors) {
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        errors.spanned(
            sig.fn_token,
            format!("route handler `{name}` must be `async`; write `async fn {name}(&self, ..)`"),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.spanned(
            &sig.generics,
            format!("route handler `{name}` cannot be generic; use concrete parameter types"),
        );
    }
    match sig.inputs.first() {
        Some(syn::FnArg::Receiver(r)) => {
            let ok = r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none();
            if !ok {
                let what = if r.mutability.is_some() && r.reference.is_some() {
                    "`&mut self`"
                } else if r.colon_token.is_some() {
                    "a typed `self`"
                } else {
                    "`self` by value"
                };
                errors.spanned(
                    r,
                    format!("route handler `{name}` takes {what}; take `&self` instead (controllers are shared between requests: use a `Mutex` or atomics for state)"),
                );
            }
        }
        _ => errors.spanned(
            name,
            format!(
                "route handler `{name}` needs a `&self` receiver: `async fn {name}(&self, ..)`"
            ),
        ),
    }
}

/// A check of a route against its controller's prefix, which `#[routes]` cannot see: written
/// as a constant that fails to compile, with `message` at `span`, unless the prefix has (or,
/// with `in_prefix: false`, does not have) the parameter `name`.
pub(crate) struct PrefixCheck {
    pub(crate) name: String,
    pub(crate) in_prefix: bool,
    pub(crate) message: String,
    pub(crate) span: Span,
}

fn span_of(tokens: &TokenStream) -> Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// Cross-checks of every route: path parameters and body extractors. Returns the checks
/// that need the controller's prefix.
pub(crate) fn check(model: &RoutesModel, errors: &mut Errors) -> Vec<PrefixCheck> {
    let mut prefix_checks = Vec::new();
    for route in &model.routes {
        let Ok(path_params) = route_params(&route.path_value()) else {
            continue; // already reported
        };
        let path_text = route.path_value();
        let mut bodies = 0;
        let mut declared = Vec::new();
        for p in &route.params {
            match &p.kind {
                ParamKind::Body => {
                    bodies += 1;
                    if bodies > 1 {
                        errors.spanned(
                            &p.attr,
                            "a handler has one `#[body]`: the body can be read only once; deserialize it into one struct",
                        );
                    }
                }
                ParamKind::Path(name) => {
                    // Not in the route path: it must be in the controller prefix.
                    if !path_params.contains(name) {
                        prefix_checks.push(PrefixCheck {
                            name: name.clone(),
                            in_prefix: true,
                            message: format!("the route path \"{path_text}\" has no parameter `{name}`, and neither has the controller prefix; add `:{name}` to one of them or fix the name"),
                            span: span_of(&p.attr),
                        });
                    }
                    declared.push(name.clone());
                }
                _ => {}
            }
        }
        // A handler that takes `PathParams` reads the parameters itself.
        let reads_all = route.params.iter().any(|p| match p.kind {
            ParamKind::Plain => {
                crate::common::type_last_ident(&p.ty).is_some_and(|i| i == "PathParams")
            }
            ParamKind::Invalid => true,
            _ => false,
        });
        for name in &path_params {
            prefix_checks.push(PrefixCheck {
                name: name.clone(),
                in_prefix: false,
                message: format!("the controller prefix and the route path \"{path_text}\" both have a parameter `{name}`; rename one of them"),
                span: route.path.as_ref().map_or_else(|| span_of(&route.attr), LitStr::span),
            });
        }
        for name in path_params.iter().filter(|_| !reads_all) {
            if !declared.contains(name) {
                let msg = format!(
                    "path parameter `{name}` has no handler parameter; add `#[param(\"{name}\")] {name}: String` to `{}`",
                    route.fn_ident
                );
                match &route.path {
                    Some(lit) => errors.spanned(lit, msg),
                    None => errors.spanned(&route.attr, msg),
                }
            }
        }
    }
    prefix_checks
}
