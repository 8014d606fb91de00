//! Parsing and checking of `#[controller(..)]` and of the struct's `#[use_middleware(..)]`.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, ItemStruct, LitStr, Token};

use crate::common::{Errors, is_attr, middleware_list, reserved_attr, route_params, skip_to_comma};

/// Keys reserved for features that come next.
const RESERVED_KEYS: &[&str] = &["guards", "interceptors", "pipes", "validation"];

/// Parses `"/prefix"` (optional); every other argument is an error (all reported).
pub(crate) fn parse_args(args: TokenStream) -> syn::Result<Option<LitStr>> {
    let parser = |input: ParseStream| -> syn::Result<Option<LitStr>> {
        let mut errors = Errors::default();
        let mut prefix = None;
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            check_prefix(&lit, &mut errors);
            prefix = Some(lit);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        while !input.is_empty() {
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                errors.spanned(
                    &lit,
                    "the prefix must come first and only once, as in `#[controller(\"/api\")]`",
                );
            } else {
                let key: Ident = input.parse()?;
                let name = key.to_string();
                if RESERVED_KEYS.contains(&name.as_str()) {
                    errors.spanned(&key, format!("`{name}` is reserved: {name} are not supported yet; use `#[use_middleware(..)]` for now"));
                } else {
                    errors.spanned(&key, format!("unknown `#[controller]` argument `{name}`; expected only a path prefix, as in `#[controller(\"/api\")]`"));
                }
                skip_to_comma(input)?;
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        match errors.into_error() {
            Some(e) => Err(e),
            None => Ok(prefix),
        }
    };
    parser.parse2(args)
}

fn check_prefix(lit: &LitStr, errors: &mut Errors) {
    let value = lit.value();
    match route_params(&value) {
        Err(msg) => errors.spanned(lit, msg.replace("route path", "controller prefix")),
        // Named parameters are fine (`/users/:user_id/posts`); a catch-all would swallow the
        // route paths that come after it.
        Ok(_) if value.split('/').any(|s| s.starts_with('*') || s.contains("{*")) => errors
            .spanned(
                lit,
                "a catch-all parameter cannot be in a controller prefix (every route path comes after it); move it into a route path",
            ),
        Ok(_) => {}
    }
}

/// The names of the prefix's parameters (the prefix was checked).
pub(crate) fn prefix_params(lit: &LitStr) -> Vec<String> {
    route_params(&lit.value()).unwrap_or_default()
}

/// Takes `#[use_middleware(..)]` (any number) off the struct; reserved attributes are errors.
pub(crate) fn take_struct_attrs(item: &mut ItemStruct, errors: &mut Errors) -> Vec<Expr> {
    let mut middleware = Vec::new();
    item.attrs.retain(|attr| {
        if is_attr(attr, "use_middleware") {
            if let Some(list) = errors.check(middleware_list(attr)) {
                middleware.extend(list);
            }
            false
        } else if let Some(e) = reserved_attr(attr) {
            errors.push(e);
            false
        } else {
            true
        }
    });
    middleware
}
